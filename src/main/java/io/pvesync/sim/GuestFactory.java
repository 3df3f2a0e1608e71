package io.pvesync.sim;

import io.pvesync.sim.Guest.Addressing;
import io.pvesync.sim.Guest.Identity;
import io.pvesync.sim.Guest.Quirk;
import io.pvesync.sim.SimVm.Kind;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.Random;
import java.util.UUID;

/**
 * Makes plausible guests from a {@link Random}: the same random sequence gives the same guests, so
 * a seed fixes a whole cluster. The shares below are a homelab-to-hoster mix, chosen so that every
 * shape pvesync must handle shows up in a cluster of a few dozen guests.
 */
final class GuestFactory {

    private static final String[] ROLES = {"web", "db", "app", "cache", "mail", "ci", "vpn", "dns", "proxy",
        "k8s", "backup", "monitor", "build", "git", "ldap", "files"};
    private static final String[] TAGS = {"prod", "prod;web", "staging", "dev;test", "customer-a", "k8s;prod"};
    private static final String[] LXC_OS = {"debian", "ubuntu", "alpine", "rockylinux"};
    private static final int[] CORES = {1, 1, 2, 2, 2, 4, 4, 8, 16};
    private static final int[] MEMORY_MIB = {512, 1024, 2048, 2048, 4096, 4096, 8192, 16384};
    private static final int[] QEMU_DISK_GIB = {10, 16, 20, 32, 32, 50, 64, 100, 200};
    private static final int[] LXC_DISK_GIB = {4, 8, 8, 16, 32};
    private static final int AGENT_STYLES = 3;
    private static final long NINETY_DAYS = 90L * 24 * 3600;

    private final double quirkShare;

    /** @param quirkShare the share of guests whose {@code /cluster/resources} entry has a number as a string */
    GuestFactory(double quirkShare) {
        this.quirkShare = quirkShare;
    }

    /**
     * A guest of the initial cluster: any run state, uptime of up to 90 days.
     *
     * @param ctime its creation time, the QEMU incarnation marker
     */
    Guest initial(Random r, int vmid, Kind kind, boolean template, String node, long ctime, Instant now) {
        String status;
        String lock = null;
        if (template) {
            status = "stopped";
        } else if (kind == Kind.LXC) {
            status = r.nextInt(100) < 75 ? "running" : "stopped";
        } else {
            int roll = r.nextInt(100);
            status = roll < 74 ? "running" : roll < 94 ? "stopped" : roll < 96 ? "paused" : roll < 97 ? "prelaunch"
                    : roll < 98 ? "io-error" : "stopped";
            if (roll >= 98) {
                lock = "suspended"; // hibernated: stopped with its RAM on disk
            } else if ("running".equals(status) && r.nextInt(50) == 0) {
                lock = "backup";
            }
        }
        Instant started = now.minusSeconds(600 + (long) (r.nextDouble() * NINETY_DAYS));
        return make(r, vmid, kind, template, node, ctime, status, lock, started, null);
    }

    /** A guest just created: running, no lock, uptime from {@code now}. */
    Guest created(Random r, int vmid, Kind kind, String node, long ctime, Instant now) {
        return make(r, vmid, kind, false, node, ctime, "running", null, now, null);
    }

    /** Another guest under the same vmid and on the same node: new name, MAC, uuid, ctime, address. */
    Guest reincarnated(Random r, Guest old, long ctime, Instant now) {
        Guest fresh;
        do {
            fresh = make(r, old.vmid(), old.kind(), false, old.node(), ctime, "running", null, now, old.name());
        } while (fresh.id().mac().equals(old.id().mac()));
        return fresh;
    }

    /**
     * A QEMU clone of {@code source} under {@code newid}, as qemu-server {@code API2/Qemu.pm}
     * {@code clone_vm} makes it: every option copied ({@code meta} too, so the source's ctime),
     * except a new {@code smbios1} uuid, a new {@code vmgenid} when the source has one, new MACs
     * ("always change MAC! address"), no {@code template}, and the given name (default
     * {@code Copy-of-VM-<source name or vmid>}). Stopped, with {@code lock: clone}, on the source's node.
     * What is not config (its address from DHCP, its agent's habits) is the new guest's own.
     */
    Guest cloned(Random r, Guest source, int newid, String name, Guest.Work work) {
        Identity from = source.id();
        String mac;
        do {
            mac = mac(r);
        } while (mac.equals(from.mac()));
        long seed = r.nextLong();
        // ipconfig0 is copied: a static address stays the source's, DHCP hands out another
        String address = from.addressing() == Addressing.STATIC ? from.address() : address(r);
        Identity id = new Identity(newid, Kind.QEMU, false, from.ctime(), uuid(r), derivedUuid(seed), mac, address,
                r.nextInt(5) == 0 ? "2001:db8:" + Integer.toHexString(newid & 0xffff) + "::"
                        + Integer.toHexString(1 + r.nextInt(0xfffe)) : null,
                from.addressing(), from.agentStyle(), r.nextInt(7) == 0, r.nextInt(8) == 0, r.nextBoolean(),
                from.ostype(), from.tags(), quirk(r), seed);
        String newName = name != null ? name
                : "Copy-of-VM-" + (source.name() != null ? source.name() : Integer.toString(source.vmid()));
        return new Guest(id, newName, source.node(), "stopped", "clone", source.cores(), source.sockets(),
                source.memoryMib(), source.diskGib(), source.agent(), work.since(), work, Guest.Shape.FULL);
    }

    /**
     * The guest a backup restores to under {@code vmid}: the backed-up config as it was, its
     * {@code smbios1} uuid, {@code meta} and MACs included, less its {@code lock} line, with a new
     * {@code vmgenid} (qemu-server {@code restore_update_config_line}: "always generate a new vmgenid");
     * with {@code unique}, new MACs and (QEMU) a new uuid (same function; pve-container
     * {@code LXC::Create::restore_configuration} for {@code hwaddr}). Stopped.
     */
    Guest restored(Random r, Guest backedUp, int vmid, String node, boolean unique, Guest.Work work) {
        Identity from = backedUp.id().withVmid(vmid);
        boolean qemu = backedUp.isQemu();
        String uuid = qemu && unique ? uuid(r) : from.uuid();
        String vmgenid = qemu ? derivedUuid(r.nextLong()) : from.vmgenid();
        String mac = unique ? mac(r) : from.mac();
        return new Guest(from.withMarkers(uuid, vmgenid, mac), backedUp.name(), node, "stopped", null,
                backedUp.cores(), backedUp.sockets(), backedUp.memoryMib(), backedUp.diskGib(), backedUp.agent(),
                work.since(), work, Guest.Shape.FULL);
    }

    private static String mac(Random r) {
        return String.format(Locale.ROOT, "BC:24:11:%02X:%02X:%02X", r.nextInt(256), r.nextInt(256), r.nextInt(256));
    }

    private static String address(Random r) {
        return "10." + (20 + r.nextInt(200)) + "." + r.nextInt(256) + "." + (2 + r.nextInt(252));
    }

    private Guest make(Random r, int vmid, Kind kind, boolean template, String node, long ctime, String status,
                       String lock, Instant startedAt, String avoidName) {
        boolean qemu = kind == Kind.QEMU;
        String name = name(r, vmid, qemu, template, avoidName);
        int cores = pick(r, CORES);
        int sockets = 1;
        if (qemu && cores >= 4 && r.nextInt(10) == 0) {
            sockets = 2;
            cores /= 2;
        } else if (!qemu && r.nextInt(4) == 0) {
            cores = 0; // no CPU limit: maxcpu shows every host CPU
        }
        int memory = pick(r, MEMORY_MIB);
        int disk = pick(r, qemu ? QEMU_DISK_GIB : LXC_DISK_GIB);
        String mac = mac(r);
        String address = address(r);
        String v6 = r.nextInt(5) == 0 ? "2001:db8:" + Integer.toHexString(vmid & 0xffff) + "::"
                + Integer.toHexString(1 + r.nextInt(0xfffe)) : null;
        Addressing addressing = addressing(r, qemu);
        AgentState agent = qemu ? agent(r) : AgentState.OFF;
        // drawn in this order so that a seed gives the same guests as before vmgenid had a field
        String uuid = uuid(r);
        int agentStyle = r.nextInt(AGENT_STYLES);
        boolean dockerFirst = r.nextInt(7) == 0;
        boolean bareNic = r.nextInt(8) == 0;
        boolean statistics = r.nextBoolean();
        String ostype = qemu ? "l26" : LXC_OS[r.nextInt(LXC_OS.length)];
        String tags = r.nextInt(5) == 0 ? TAGS[r.nextInt(TAGS.length)] : null;
        Quirk quirk = quirk(r);
        long seed = r.nextLong();
        Identity id = new Identity(vmid, kind, template, ctime, uuid, derivedUuid(seed), mac, address, v6, addressing,
                agentStyle, dockerFirst, bareNic, statistics, ostype, tags, quirk, seed);
        return new Guest(id, name, node, status, lock, cores, sockets, memory, disk, agent, startedAt, null,
                Guest.Shape.FULL);
    }

    private static String name(Random r, int vmid, boolean qemu, boolean template, String avoid) {
        if (template) {
            return "tmpl-" + (qemu ? "debian-12" : "alpine-3") + "-" + vmid;
        }
        if (avoid == null && r.nextInt(12) == 0) {
            return null; // Proxmox then shows "VM <vmid>" / "CT<vmid>"
        }
        String name;
        do {
            name = ROLES[r.nextInt(ROLES.length)] + "-" + vmid;
        } while (Objects.equals(name, avoid));
        return name;
    }

    private static Addressing addressing(Random r, boolean qemu) {
        int roll = r.nextInt(10);
        if (qemu) {
            return roll < 4 ? Addressing.STATIC : roll < 5 ? Addressing.DHCP : Addressing.NONE;
        }
        return roll < 6 ? Addressing.STATIC : Addressing.DHCP;
    }

    private static AgentState agent(Random r) {
        int roll = r.nextInt(100);
        return roll < 55 ? AgentState.RUNNING : roll < 63 ? AgentState.NOT_RUNNING : roll < 66 ? AgentState.QGA_ERROR
                : roll < 76 ? AgentState.DISABLED : AgentState.OFF;
    }

    private Quirk quirk(Random r) {
        double roll = r.nextDouble();
        if (roll >= quirkShare) {
            return Quirk.NONE;
        }
        return roll < quirkShare / 2 ? Quirk.NUMBERS_AS_STRINGS : Quirk.MAXCPU_AS_STRING;
    }

    /** A version 4 UUID from {@code r}, so it follows the seed. */
    private static String uuid(Random r) {
        long msb = (r.nextLong() & ~0xF000L) | 0x4000L;
        long lsb = (r.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(msb, lsb).toString();
    }

    /** A UUID derived from a seed: the {@code vmgenid} of a generated guest. */
    static String derivedUuid(long seed) {
        return new UUID(seed * 0x9E3779B97F4A7C15L | 0x4000L, seed ^ 0x8000000000000000L).toString();
    }

    private static int pick(Random r, int[] values) {
        return values[r.nextInt(values.length)];
    }
}
