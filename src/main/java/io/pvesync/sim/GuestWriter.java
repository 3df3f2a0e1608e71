package io.pvesync.sim;

import com.fasterxml.jackson.core.JsonGenerator;
import io.pvesync.sim.Guest.Addressing;
import java.io.IOException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Locale;

/**
 * The per-guest answers: configs (PROXMOX-API.md §3.5), {@code status/current} (§3.4), the
 * guest agent's interfaces (§4.1) and a container's interfaces (§4.2). Only the keys a config
 * really has are written, as Proxmox does.
 */
final class GuestWriter {

    private static final String[] AGENT_ON = {"1", "enabled=1,fstrim_cloned_disks=1", "1,fstrim_cloned_disks=1"};
    private static final String[] AGENT_OFF = {"0", "enabled=0", "0,fstrim_cloned_disks=1"};
    private static final String QGA_UNSUPPORTED = "this feature or command is not currently supported";

    private final PveVersion version;

    GuestWriter(PveVersion version) {
        this.version = version;
    }

    /** @param g the guest as its config is now ({@link Guest#shown}) */
    Reply.Body qemuConfig(Guest g) {
        return json -> {
            Guest.Identity id = g.id();
            json.writeStartObject();
            if (temporary(json, g)) {
                return;
            }
            if (g.agent() != AgentState.OFF) {
                json.writeStringField("agent", (g.agent().enabledInConfig() ? AGENT_ON : AGENT_OFF)[id.agentStyle()]);
            }
            json.writeStringField("boot", "order=scsi0;ide2;net0");
            json.writeNumberField("cores", g.cores());
            json.writeStringField("cpu", "x86-64-v2-AES");
            if (id.addressing() != Addressing.NONE) {
                json.writeStringField("ide2", "local-lvm:vm-" + g.vmid() + "-cloudinit,media=cdrom");
                json.writeStringField("ipconfig0", id.addressing() == Addressing.DHCP ? "ip=dhcp"
                        : "ip=" + id.address() + "/24,gw=" + gateway(id.address()));
            }
            if (g.lock() != null) {
                json.writeStringField("lock", g.lock());
            }
            // a property string since qemu-server 8.0.8, so a JSON string; an integer before
            if (version.memoryAsString()) {
                json.writeStringField("memory", Integer.toString(g.memoryMib()));
            } else {
                json.writeNumberField("memory", g.memoryMib());
            }
            json.writeStringField("meta", "creation-qemu=" + (version.major() >= 9 ? "9.2.0" : "8.1.5")
                    + ",ctime=" + id.ctime());
            if (g.name() != null) {
                json.writeStringField("name", g.name());
            }
            json.writeStringField("net0", "virtio=" + id.mac() + ",bridge=vmbr0,firewall=1");
            json.writeNumberField("numa", 0);
            json.writeStringField("ostype", id.ostype());
            if (g.shape() != Guest.Shape.NO_BOOT_DISK) {
                json.writeStringField("scsi0", "local-lvm:" + (id.template() ? "base-" : "vm-") + g.vmid()
                        + "-disk-0,iothread=1,size=" + g.diskGib() + "G");
            }
            json.writeStringField("scsihw", "virtio-scsi-single");
            json.writeStringField("smbios1", "uuid=" + id.uuid());
            json.writeNumberField("sockets", g.sockets());
            if (id.tags() != null) {
                json.writeStringField("tags", id.tags());
            }
            if (id.template()) {
                json.writeNumberField("template", 1);
            }
            json.writeStringField("vmgenid", id.vmgenid());
            json.writeStringField("digest", digest(g));
            json.writeEndObject();
        };
    }

    Reply.Body lxcConfig(Guest g) {
        return json -> {
            Guest.Identity id = g.id();
            json.writeStartObject();
            if (temporary(json, g)) {
                return;
            }
            json.writeStringField("arch", "amd64");
            if (g.cores() > 0) {
                json.writeNumberField("cores", g.cores());
            }
            if (g.name() != null) {
                json.writeStringField("hostname", g.name());
            }
            if (g.lock() != null) {
                json.writeStringField("lock", g.lock());
            }
            json.writeNumberField("memory", g.memoryMib());
            json.writeStringField("net0", id.addressing() == Addressing.STATIC
                    ? "name=eth0,bridge=vmbr0,firewall=1,gw=" + gateway(id.address()) + ",hwaddr=" + id.mac()
                            + ",ip=" + id.address() + "/24,type=veth"
                    : "name=eth0,bridge=vmbr0,hwaddr=" + id.mac() + ",ip=dhcp,type=veth");
            json.writeStringField("ostype", id.ostype());
            json.writeStringField("rootfs", "local-lvm:" + (id.template() ? "base-" : "vm-") + g.vmid()
                    + "-disk-0,size=" + g.diskGib() + "G");
            json.writeNumberField("swap", 512);
            if (id.tags() != null) {
                json.writeStringField("tags", id.tags());
            }
            if (id.template()) {
                json.writeNumberField("template", 1);
            }
            json.writeNumberField("unprivileged", 1);
            json.writeStringField("digest", digest(g));
            json.writeEndObject();
        };
    }

    /**
     * A clone's or restore's temporary config, which has one key ({@code lock} or {@code memory})
     * besides the digest; writes it and ends the object, or writes nothing for a real config.
     */
    private boolean temporary(JsonGenerator json, Guest g) throws IOException {
        if (g.shape() == Guest.Shape.LOCK_ONLY) {
            json.writeStringField("lock", g.lock());
        } else if (g.shape() == Guest.Shape.MEMORY_ONLY) {
            if (version.memoryAsString()) {
                json.writeStringField("memory", Integer.toString(g.memoryMib()));
            } else {
                json.writeNumberField("memory", g.memoryMib());
            }
        } else {
            return false;
        }
        json.writeStringField("digest", digest(g));
        json.writeEndObject();
        return true;
    }

    /** {@code /nodes/{node}/qemu} without {@code full=1}: {@code vmstatus()} items, status only running/stopped. */
    Reply.Body qemuList(java.util.List<Guest> listed, Instant now) {
        return json -> {
            json.writeStartArray();
            for (Guest g : listed) {
                json.writeStartObject();
                vmstatusFields(json, g, now);
                json.writeNumberField("cpu", g.processRunning() ? 0.0123 : 0);
                if (g.lock() != null) {
                    json.writeStringField("lock", g.lock());
                }
                if (g.configured() && g.id().template()) {
                    json.writeNumberField("template", 1);
                }
                json.writeEndObject();
            }
            json.writeEndArray();
        };
    }

    /** The fields qemu-server's {@code vmstatus()} gives every VM, in the list and in status/current alike. */
    private static void vmstatusFields(JsonGenerator json, Guest g, Instant now) throws IOException {
        boolean running = g.processRunning();
        long maxmem = (long) g.memoryMib() << 20;
        json.writeNumberField("vmid", g.vmid());
        json.writeStringField("name", g.displayName());
        json.writeStringField("status", running ? "running" : "stopped");
        json.writeNumberField("cpus", g.maxcpu());
        json.writeNumberField("maxmem", maxmem);
        json.writeNumberField("mem", running ? maxmem / 3 : 0);
        json.writeNumberField("maxdisk", (long) g.diskGib() << 30);
        json.writeNumberField("disk", 0);
        json.writeNumberField("uptime", g.uptime(now));
    }

    /** {@code vmstatus($vmid, 1)} plus {@code ha} and {@code agent}: status is running/stopped, the run state is qmpstatus. */
    Reply.Body qemuStatus(Guest g, Instant now) {
        return json -> {
            boolean running = g.processRunning();
            json.writeStartObject();
            vmstatusFields(json, g, now);
            json.writeStringField("qmpstatus", g.status());
            if (running) {
                json.writeNumberField("cpu", 0.0123);
                json.writeNumberField("pid", 1000 + g.vmid());
                json.writeStringField("running-machine", "pc-i440fx-" + (version.major() >= 9 ? "9.2" : "8.1") + "+pve0");
                json.writeStringField("running-qemu", version.major() >= 9 ? "9.2.0" : "8.1.5");
                json.writeObjectFieldStart("proxmox-support");
                json.writeEndObject();
            } else {
                json.writeNumberField("cpu", 0);
            }
            json.writeObjectFieldStart("ha");
            json.writeNumberField("managed", 0);
            json.writeEndObject();
            if (g.agent().enabledInConfig()) {
                json.writeNumberField("agent", 1); // only when enabled, absent otherwise
            }
            if (g.lock() != null) {
                json.writeStringField("lock", g.lock());
            }
            if (g.tags() != null) {
                json.writeStringField("tags", g.tags());
            }
            if (g.configured() && g.id().template()) {
                json.writeNumberField("template", 1);
            }
            json.writeEndObject();
        };
    }

    /**
     * The QGA error object, which Proxmox passes through with HTTP 200.
     *
     * @param desc the error's text; null for the usual "not supported"
     */
    Reply.Body qgaError(String desc) {
        return json -> {
            json.writeStartObject();
            json.writeObjectFieldStart("result");
            json.writeObjectFieldStart("error");
            json.writeStringField("class", "Unsupported");
            json.writeStringField("desc", desc == null ? QGA_UNSUPPORTED : desc);
            json.writeEndObject();
            json.writeEndObject();
            json.writeEndObject();
        };
    }

    /** {@code guest-network-get-interfaces}: lo, maybe docker0 first, the NIC of net0, maybe one without addresses. */
    Reply.Body agentInterfaces(Guest g) {
        return json -> {
            Guest.Identity id = g.id();
            boolean stats = id.statistics();
            json.writeStartObject();
            json.writeArrayFieldStart("result");
            if (id.dockerFirst()) {
                qgaInterface(json, "docker0", "02:42:" + macTail(id.seed()), stats, "172.17.0.1", 16);
            }
            qgaInterface(json, "lo", "00:00:00:00:00:00", stats, "127.0.0.1", 8, "::1", 128);
            String mac = id.mac().toLowerCase(Locale.ROOT);
            if (id.globalIpv6() != null) {
                qgaInterface(json, "eth0", mac, stats, id.address(), 24, id.globalIpv6(), 64, linkLocal(mac), 64);
            } else {
                qgaInterface(json, "eth0", mac, stats, id.address(), 24, linkLocal(mac), 64);
            }
            if (id.bareNic()) {
                // right after boot, or a NIC nobody configured: no "ip-addresses" at all
                json.writeStartObject();
                json.writeStringField("name", "eth1");
                json.writeStringField("hardware-address", "52:54:00:" + macTail(id.seed() >>> 8));
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeEndObject();
        };
    }

    /** {@code address, prefix} pairs; the family is told by the address. */
    private static void qgaInterface(JsonGenerator json, String name, String mac, boolean stats, Object... addresses)
            throws IOException {
        json.writeStartObject();
        json.writeStringField("name", name);
        json.writeStringField("hardware-address", mac);
        json.writeArrayFieldStart("ip-addresses");
        for (int i = 0; i < addresses.length; i += 2) {
            String address = (String) addresses[i];
            json.writeStartObject();
            json.writeStringField("ip-address", address);
            json.writeStringField("ip-address-type", address.contains(":") ? "ipv6" : "ipv4");
            json.writeNumberField("prefix", (Integer) addresses[i + 1]);
            json.writeEndObject();
        }
        json.writeEndArray();
        if (stats) {
            json.writeObjectFieldStart("statistics");
            for (String counter : new String[] {"rx-bytes", "rx-packets", "rx-errs", "rx-dropped", "tx-bytes",
                "tx-packets", "tx-errs", "tx-dropped"}) {
                json.writeNumberField(counter, counter.endsWith("bytes") ? 123_456_789L : counter.endsWith("packets")
                        ? 98_765L : 0);
            }
            json.writeEndObject();
        }
        json.writeEndObject();
    }

    /** A running container's interfaces; before PVE 8.4 without hardware-address and ip-addresses. */
    Reply.Body lxcInterfaces(Guest g) {
        boolean withList = version.lxcInterfacesWithAddressList();
        return json -> {
            Guest.Identity id = g.id();
            String mac = id.mac().toLowerCase(Locale.ROOT);
            json.writeStartArray();
            lxcInterface(json, withList, "lo", "00:00:00:00:00:00", "127.0.0.1", 8, "::1", 128);
            if (id.globalIpv6() != null) {
                // ip --json lists global addresses before link-local ones; "inet6" is the last
                lxcInterface(json, withList, "eth0", mac, id.address(), 24, id.globalIpv6(), 64, linkLocal(mac), 64);
            } else {
                lxcInterface(json, withList, "eth0", mac, id.address(), 24, linkLocal(mac), 64);
            }
            json.writeEndArray();
        };
    }

    private static void lxcInterface(JsonGenerator json, boolean withList, String name, String mac, Object... addresses)
            throws IOException {
        String inet = null;
        String inet6 = null;
        for (int i = 0; i < addresses.length; i += 2) {
            String cidr = addresses[i] + "/" + addresses[i + 1];
            if (((String) addresses[i]).contains(":")) {
                inet6 = cidr;
            } else {
                inet = cidr;
            }
        }
        json.writeStartObject();
        json.writeStringField("name", name);
        json.writeStringField("hwaddr", mac);
        if (inet != null) {
            json.writeStringField("inet", inet);
        }
        if (inet6 != null) {
            json.writeStringField("inet6", inet6);
        }
        if (withList) {
            json.writeStringField("hardware-address", mac);
            json.writeArrayFieldStart("ip-addresses");
            for (int i = 0; i < addresses.length; i += 2) {
                String address = (String) addresses[i];
                json.writeStartObject();
                json.writeStringField("ip-address", address);
                json.writeStringField("ip-address-type", address.contains(":") ? "inet6" : "inet");
                json.writeNumberField("prefix", (Integer) addresses[i + 1]);
                json.writeEndObject();
            }
            json.writeEndArray();
        }
        json.writeEndObject();
    }

    /** The EUI-64 link-local address of a MAC: fe80:: + MAC with the U/L bit flipped and ff:fe inserted. */
    static String linkLocal(String mac) {
        byte[] b = HexFormat.ofDelimiter(":").parseHex(mac);
        int first = (b[0] & 0xff) ^ 0x02;
        return String.format(Locale.ROOT, "fe80::%x:%x:%x:%x", (first << 8) | (b[1] & 0xff),
                ((b[2] & 0xff) << 8) | 0xff, 0xfe00 | (b[3] & 0xff), ((b[4] & 0xff) << 8) | (b[5] & 0xff));
    }

    private static String gateway(String address) {
        return address.substring(0, address.lastIndexOf('.')) + ".1";
    }

    private static String macTail(long seed) {
        return String.format(Locale.ROOT, "%02x:%02x:%02x:%02x", (seed >>> 8) & 0xff, (seed >>> 16) & 0xff,
                (seed >>> 24) & 0xff, (seed >>> 32) & 0xff);
    }

    /** A stable 40-hex-digit stand-in for the SHA-1 of the config file, changing with what the config says. */
    private static String digest(Guest g) {
        long a = g.id().seed() ^ g.id().ctime() * 31 ^ g.shape().ordinal() * 0x2545F4914F6CDD1DL
                ^ g.memoryMib() * 131L ^ (long) g.cores() << 20 ^ g.diskGib() * 7919L
                ^ (g.name() == null ? 0 : g.name().hashCode()) ^ (g.lock() == null ? 0 : (long) g.lock().hashCode() << 32)
                ^ g.agent().ordinal() * 0x5DEECE66DL ^ g.sockets() * 104729L;
        long b = a * 0x9E3779B97F4A7C15L + 0x632BE59BD9B4E019L;
        return String.format(Locale.ROOT, "%016x%016x%08x", a * 0xBF58476D1CE4E5B9L, b, (int) (b >>> 17));
    }
}
