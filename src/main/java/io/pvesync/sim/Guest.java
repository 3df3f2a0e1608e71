package io.pvesync.sim;

import io.pvesync.sim.SimVm.Kind;
import java.time.Duration;
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
             int memoryMib, int diskGib, AgentState agent, Instant startedAt, Work work, Shape shape) {

    /** How long pvestatd takes at most to broadcast a new config's status ({@code $updatetime = 10}, pvestatd.pm). */
    static final Duration RRD_PERIOD = Duration.ofSeconds(10);
    /** A cloud-init drive is a few MiB: the clone copies it in about a second. */
    static final Duration CLOUDINIT_COPY = Duration.ofSeconds(1);
    /** A restore reads the archive's header and config, then rewrites the guest's config. */
    static final Duration RESTORE_HEADER = Duration.ofSeconds(2);
    /** qemu-server's default {@code memory} (MiB) for a config without one. */
    static final int QEMU_DEFAULT_MEMORY = 512;
    /** pve-container {@code vmstatus}: no {@code memory} means 512 MiB, no rootfs means 4 GiB. */
    static final int LXC_DEFAULT_MEMORY = 512;
    static final int LXC_DEFAULT_DISK_GIB = 4;

    /** Which keys the config file has at the moment. */
    enum Shape {
        /** every key the guest has */
        FULL,
        /** only {@code lock}: a temporary config ("# qmclone temporary file\nlock: clone", {@code create_and_lock_config}) */
        LOCK_ONLY,
        /** only {@code memory: 128}: qemu-server {@code restore_vma_archive}'s temporary config, no lock */
        MEMORY_ONLY,
        /** every key but the boot disk: a clone after its cloud-init drive, before its disk */
        NO_BOOT_DISK
    }

    /** The long operations that build a guest's config in steps. */
    enum Op { CLONE, RESTORE }

    /**
     * A clone or restore still running on this guest; the guest's other fields are what it will be
     * when it ends.
     *
     * @param since  when it started
     * @param before a restore over an existing guest: that guest, as it was; else null
     * @param task   its task, running on its node
     */
    record Work(Op op, Instant since, Guest before, Task task) {
    }

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
    record Identity(int vmid, Kind kind, boolean template, long ctime, String uuid, String vmgenid, String mac,
                    String address, String globalIpv6, Addressing addressing, int agentStyle, boolean dockerFirst,
                    boolean bareNic, boolean statistics, String ostype, String tags, Quirk quirk, long seed) {

        Identity withVmid(int newVmid) {
            return new Identity(newVmid, kind, template, ctime, uuid, vmgenid, mac, address, globalIpv6, addressing,
                    agentStyle, dockerFirst, bareNic, statistics, ostype, tags, quirk, seed);
        }

        Identity withMarkers(String newUuid, String newVmgenid, String newMac) {
            return new Identity(vmid, kind, template, ctime, newUuid, newVmgenid, newMac, address, globalIpv6,
                    addressing, agentStyle, dockerFirst, bareNic, statistics, ostype, tags, quirk, seed);
        }
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

    /** Whether the config has its keys (all, or all but the boot disk), not a temporary stand-in. */
    boolean configured() {
        return shape == Shape.FULL || shape == Shape.NO_BOOT_DISK;
    }

    /** {@code tags}, when the config has them now. */
    String tags() {
        return configured() ? id.tags() : null;
    }

    /** Whether a clone or restore is still running on it. */
    boolean busy() {
        return work != null;
    }

    /**
     * The guest as its config file is at {@code now}: itself, or the stage a clone or restore has
     * reached (qemu-server {@code API2/Qemu.pm} {@code clone_vm} and {@code restore_vma_archive},
     * pve-container {@code API2/LXC.pm} {@code create_vm}).
     */
    Guest shown(Instant now) {
        if (work == null) {
            return this;
        }
        boolean qemu = isQemu();
        if (work.op() == Op.CLONE) {
            // clone_vm writes "lock: clone" alone, then after each drive (sorted by name) the whole new
            // config, still locked: ide2 (cloud-init) comes before scsi0, so it already has every key
            if (id.addressing() != Addressing.NONE && !now.isBefore(work.since().plus(CLOUDINIT_COPY))) {
                return new Guest(id, name, node, "stopped", "clone", cores, sockets, memoryMib, 0, agent, now, work,
                        Shape.NO_BOOT_DISK);
            }
            return bare("clone");
        }
        if (now.isBefore(work.since().plus(RESTORE_HEADER))) {
            // create_and_lock_config: the existing config (restore with force) or none, plus lock: create
            Guest old = work.before();
            return old != null ? old.withLock("create") : bare("create");
        }
        if (qemu) {
            // restore_vma_archive: "memory: 128\n" while the disks are extracted, no lock line
            return new Guest(id, null, node, "stopped", null, 1, 1, 128, 0, AgentState.OFF, now, work,
                    Shape.MEMORY_ONLY);
        }
        // pve-container create_vm: destroy_lxc_container(..., { lock => 'create' }) leaves only the lock
        return bare("create");
    }

    private Guest bare(String withLock) {
        boolean qemu = isQemu();
        return new Guest(id, null, node, "stopped", withLock, qemu ? 1 : 0, 1,
                qemu ? QEMU_DEFAULT_MEMORY : LXC_DEFAULT_MEMORY, qemu ? 0 : LXC_DEFAULT_DISK_GIB, AgentState.OFF,
                startedAt, work, Shape.LOCK_ONLY);
    }

    /**
     * Whose numbers {@code /cluster/resources} shows at {@code now}: RRD data is per vmid and comes
     * with pvestatd's next broadcast, so for up to 10 s after a clone or restore began the entry has
     * the old guest's data (a restore over it) or none ({@code status: unknown}). Null for none.
     */
    Guest rrd(Instant now) {
        if (work != null && now.isBefore(work.since().plus(RRD_PERIOD))) {
            return work.before();
        }
        return shown(now);
    }

    SimVm view(Instant now) {
        Guest g = shown(now);
        boolean keys = g.configured();
        return new SimVm(id.vmid(), id.kind(), g.displayName(), node, g.status, g.lock, g.maxcpu(), g.memoryMib,
                g.diskGib, g.expectedAddress(), id.template(), keys ? id.ctime() : 0, keys ? id.mac() : null,
                keys && isQemu() ? id.uuid() : null, g.agent);
    }

    Guest withNode(String newNode) {
        return new Guest(id, name, newNode, status, lock, cores, sockets, memoryMib, diskGib, agent, startedAt, work,
                shape);
    }

    Guest withName(String newName) {
        return new Guest(id, newName, node, status, lock, cores, sockets, memoryMib, diskGib, agent, startedAt, work,
                shape);
    }

    Guest withLock(String newLock) {
        return new Guest(id, name, node, status, newLock, cores, sockets, memoryMib, diskGib, agent, startedAt, work,
                shape);
    }

    Guest withAgent(AgentState newAgent) {
        return new Guest(id, name, node, status, lock, cores, sockets, memoryMib, diskGib, newAgent, startedAt, work,
                shape);
    }

    /** The operation ended: the config is the whole one, without {@code lock}. */
    Guest finished() {
        return new Guest(id, name, node, status, null, cores, sockets, memoryMib, diskGib, agent, startedAt, null,
                Shape.FULL);
    }

    /** A new status word; a process that starts now starts its uptime now. */
    Guest withStatus(String newStatus, String newLock, Instant now) {
        boolean starts = !processRunning() && !"stopped".equals(newStatus);
        return new Guest(id, name, node, newStatus, newLock, cores, sockets, memoryMib, diskGib, agent,
                starts ? now : startedAt, work, shape);
    }

    /** New sizes; {@code vcpus} becomes {@code cores} with one socket. */
    Guest withSizes(int vcpus, int newMemoryMib, int newDiskGib) {
        return new Guest(id, name, node, status, lock, vcpus, 1, newMemoryMib, newDiskGib, agent, startedAt, work,
                shape);
    }
}
