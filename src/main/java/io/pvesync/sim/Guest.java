package io.pvesync.sim;

import io.pvesync.sim.SimVm.Kind;
import java.time.Instant;

/**
 * One guest's simulated state. Immutable: a change replaces the whole value, so a request that is
 * writing an answer never sees half a change.
 *
 * @param name      the configured name (QEMU {@code name}, LXC {@code hostname}), or null when unset
 * @param status    the {@code /cluster/resources} status word (QMP run state for QEMU)
 * @param lock      the config's {@code lock}, or null
 * @param cores     config {@code cores}; for LXC 0 means unset (no CPU limit)
 * @param sockets   config {@code sockets} (QEMU)
 * @param startedAt when the guest's process started; its uptime counts from here
 */
record Guest(Identity id, String name, String node, String status, String lock, int cores, int sockets,
             int memoryMib, int diskGib, AgentState agent, Instant startedAt) {

    /** How a guest's address is configured: cloud-init {@code ipconfig0} (QEMU) or {@code net0 ip=} (LXC). */
    enum Addressing { STATIC, DHCP, NONE }

    /** A wire quirk of this guest's {@code /cluster/resources} entry (PROXMOX-API.md §0). */
    enum Quirk { NONE, NUMBERS_AS_STRINGS, MAXCPU_AS_STRING }

    /**
     * What stays the same for one incarnation of a guest; {@code reuseVmid} makes a new one.
     *
     * @param address     the IPv4 the guest has (its static one, or the one DHCP gave it)
     * @param globalIpv6  a global IPv6 it also has, or null
     * @param agentStyle  which of Proxmox's spellings of the {@code agent} property the config uses
     * @param dockerFirst the agent lists a {@code docker0} bridge before the real NIC
     * @param bareNic     the agent lists a second NIC without {@code ip-addresses}
     * @param statistics  the agent is new enough to add {@code statistics} per interface
     * @param seed        drives the cosmetic numbers (load, traffic) of this guest
     */
    record Identity(int vmid, Kind kind, boolean template, long ctime, String uuid, String mac, String address,
                    String globalIpv6, Addressing addressing, int agentStyle, boolean dockerFirst, boolean bareNic,
                    boolean statistics, String ostype, String tags, Quirk quirk, long seed) {
    }

    int vmid() {
        return id.vmid();
    }

    Kind kind() {
        return id.kind();
    }

    boolean isQemu() {
        return id.kind() == Kind.QEMU;
    }

    /** The name Proxmox shows for it: {@code VM <vmid>} / {@code CT<vmid>} when none is set. */
    String displayName() {
        if (name != null) {
            return name;
        }
        return isQemu() ? "VM " + id.vmid() : "CT" + id.vmid();
    }

    /** Whether a process exists: every QEMU run state but {@code stopped} has one. */
    boolean processRunning() {
        return !"stopped".equals(status);
    }

    /** {@code maxcpu}: QEMU sockets*cores capped at the host's CPUs; LXC cores, or all host CPUs. */
    int maxcpu() {
        int wanted = isQemu() ? cores * sockets : cores;
        return wanted <= 0 ? SimNode.HOST_CPUS : Math.min(wanted, SimNode.HOST_CPUS);
    }

    /** Whether a guest agent would answer now: the VM runs (not paused) and its agent is up. */
    boolean agentAnswers() {
        return isQemu() && "running".equals(status) && (agent == AgentState.RUNNING || agent == AgentState.QGA_ERROR);
    }

    /** The address pvesync should find; see {@link SimVm#ipAddress()}. */
    String expectedAddress() {
        boolean reported = isQemu() ? agentAnswers() && agent == AgentState.RUNNING : "running".equals(status);
        if (reported || id.addressing() == Addressing.STATIC) {
            return id.address();
        }
        return null;
    }

    /** Uptime in seconds at {@code now}; 0 without a process. */
    long uptime(Instant now) {
        return processRunning() ? Math.max(0, now.getEpochSecond() - startedAt.getEpochSecond()) : 0;
    }

    SimVm view() {
        return new SimVm(id.vmid(), id.kind(), displayName(), node, status, lock, maxcpu(), memoryMib, diskGib,
                expectedAddress(), id.template(), id.ctime(), id.mac(), agent);
    }

    Guest withNode(String newNode) {
        return new Guest(id, name, newNode, status, lock, cores, sockets, memoryMib, diskGib, agent, startedAt);
    }

    Guest withName(String newName) {
        return new Guest(id, newName, node, status, lock, cores, sockets, memoryMib, diskGib, agent, startedAt);
    }

    Guest withLock(String newLock) {
        return new Guest(id, name, node, status, newLock, cores, sockets, memoryMib, diskGib, agent, startedAt);
    }

    Guest withAgent(AgentState newAgent) {
        return new Guest(id, name, node, status, lock, cores, sockets, memoryMib, diskGib, newAgent, startedAt);
    }

    /** A new status word; a process that starts now starts its uptime now. */
    Guest withStatus(String newStatus, String newLock, Instant now) {
        boolean starts = !processRunning() && !"stopped".equals(newStatus);
        return new Guest(id, name, node, newStatus, newLock, cores, sockets, memoryMib, diskGib, agent,
                starts ? now : startedAt);
    }

    /** New sizes; {@code vcpus} becomes {@code cores} with one socket. */
    Guest withSizes(int vcpus, int newMemoryMib, int newDiskGib) {
        return new Guest(id, name, node, status, lock, vcpus, 1, newMemoryMib, newDiskGib, agent, startedAt);
    }
}
