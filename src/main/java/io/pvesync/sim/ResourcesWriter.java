package io.pvesync.sim;

import com.fasterxml.jackson.core.JsonGenerator;
import io.pvesync.sim.SimCluster.Freshness;
import java.io.IOException;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * {@code GET /cluster/resources}, streamed entry by entry (a 50,000-guest cluster is megabytes),
 * with the field presence rules of PROXMOX-API.md §2 and §2.1 and pve-manager's
 * {@code extract_vm_stats} / {@code extract_node_stats}: numbers only from RRD data, the RRD data
 * of an offline node kept for {@code staleFor}, then entries shrink to id, vmid, node, type and
 * {@code status: unknown} (plus lock and tags, read from the config files).
 */
final class ResourcesWriter {

    // a shared storage large enough for Perl to print its size in exponent form (PROXMOX-API.md §0)
    private static final String BACKUP_TOTAL = "3.47726673451418e+15";
    private static final String BACKUP_USED = "1.18329468928e+15";

    private final SimCluster cluster;
    private final Auth auth;
    private final Faults faults;
    private final PveVersion version;
    private final Instant booted;

    ResourcesWriter(SimCluster cluster, Auth auth, Faults faults, PveVersion version, Instant booted) {
        this.cluster = cluster;
        this.auth = auth;
        this.faults = faults;
        this.version = version;
        this.booted = booted;
    }

    /**
     * @param type   {@code vm}, {@code node}, {@code storage}, {@code sdn}, or null for all
     * @param viewer the node whose pmxcfs answers (a partitioned node sees the others offline)
     */
    Reply.Body resources(String type, String viewer) {
        return json -> {
            Map<String, Freshness> freshness = cluster.view(viewer);
            Instant now = cluster.now();
            json.writeStartArray();
            if ((type == null || type.equals("vm")) && auth.has("VM.Audit")) {
                for (Guest guest : cluster.guests()) {
                    // no VM.Audit on /vms/<vmid>: left out, with 200 (silent filtering, §1.3)
                    if (cluster.audited(guest.vmid())) {
                        guest(json, guest, freshness.get(guest.node()), cluster.unseenSince(viewer, guest.node()), now);
                    }
                }
            }
            if (type == null || type.equals("node")) {
                for (SimNode node : cluster.nodes()) {
                    node(json, node, freshness.get(node.name()), auth.has("Sys.Audit"), now, null);
                }
            }
            if ((type == null || type.equals("storage")) && auth.has("Datastore.Audit")) {
                for (SimNode node : cluster.nodes()) {
                    storage(json, node.name(), freshness.get(node.name()));
                }
            }
            if (type == null || type.equals("sdn")) {
                for (SimNode node : cluster.nodes()) {
                    if (freshness.get(node.name()) != Freshness.EXPIRED) {
                        json.writeStartObject();
                        json.writeStringField("id", "sdn/" + node.name() + "/localnetwork");
                        json.writeStringField("sdn", "localnetwork");
                        json.writeStringField("node", node.name());
                        json.writeStringField("type", "sdn");
                        json.writeStringField("status", "ok");
                        json.writeEndObject();
                    }
                }
            }
            json.writeEndArray();
        };
    }

    private void guest(JsonGenerator json, Guest stored, Freshness freshness, Instant unseenSince, Instant now)
            throws IOException {
        Map<String, String> bad = faults.corruption(stored.vmid());
        Set<String> written = bad == null ? null : new HashSet<>();
        Fields f = new Fields(json, bad, written);
        String kind = stored.kind().wire();
        Guest config = stored.shown(now); // lock and tags are read from the config file
        Guest g = stored.rrd(now); // the rest from the RRD data pvestatd broadcast for this vmid
        json.writeStartObject();
        f.string("id", kind + "/" + stored.vmid());
        f.number("vmid", stored.vmid(), false);
        f.string("node", stored.node());
        f.string("type", kind);
        if (freshness == Freshness.EXPIRED || g == null) {
            // RRD data expired, or none yet: nothing but what the config files say
            f.string("status", "unknown");
        } else {
            boolean strings = g.id().quirk() == Guest.Quirk.NUMBERS_AS_STRINGS;
            boolean running = g.processRunning();
            long maxmem = (long) g.memoryMib() << 20;
            long maxdisk = (long) g.diskGib() << 30;
            // a stale entry holds the last values broadcast before the node dropped out
            Instant asOf = freshness == Freshness.STALE ? unseenSince : now;
            long uptime = g.uptime(asOf == null ? now : asOf);
            long mem = running ? (long) (maxmem * (0.2 + 0.6 * frac(g, 1))) : 0;
            f.string("status", g.status());
            f.string("name", g.displayName());
            f.number("template", g.configured() && g.id().template() ? 1 : 0, false);
            f.number("maxcpu", g.maxcpu(), g.id().quirk() == Guest.Quirk.MAXCPU_AS_STRING);
            f.fraction("cpu", running ? 0.002 + 0.3 * frac(g, 2) : 0);
            f.number("maxmem", maxmem, strings);
            f.number("mem", mem, strings);
            f.number("maxdisk", maxdisk, strings);
            // qemu: no usage info ("disk" is always 0); lxc: the mounted rootfs while running
            f.number("disk", !g.isQemu() && running ? (long) (maxdisk * (0.1 + 0.5 * frac(g, 3))) : 0, false);
            f.number("uptime", uptime, false);
            f.number("netin", uptime * (200 + (long) (5000 * frac(g, 4))), false);
            f.number("netout", uptime * (100 + (long) (3000 * frac(g, 5))), false);
            f.number("diskread", uptime * (50 + (long) (2000 * frac(g, 6))), false);
            f.number("diskwrite", uptime * (80 + (long) (4000 * frac(g, 7))), false);
            if (g.isQemu() && version.hasMemhost()) {
                f.number("memhost", mem, false);
            }
        }
        if (config.lock() != null) {
            f.string("lock", config.lock());
        }
        if (config.tags() != null) {
            f.string("tags", config.tags());
        }
        f.rest();
        json.writeEndObject();
    }

    /**
     * A node entry as {@code extract_node_stats} builds it; also the items of {@code GET /nodes},
     * which add the node's certificate fingerprint.
     *
     * @param fingerprint {@code ssl_fingerprint} to add, or null
     */
    void node(JsonGenerator json, SimNode node, Freshness freshness, boolean sysAudit, Instant now, String fingerprint)
            throws IOException {
        json.writeStartObject();
        nodeFields(json, node, freshness, sysAudit, now);
        if (fingerprint != null) {
            json.writeStringField("ssl_fingerprint", fingerprint);
        }
        json.writeEndObject();
    }

    private void nodeFields(JsonGenerator json, SimNode node, Freshness freshness, boolean sysAudit, Instant now)
            throws IOException {
        json.writeStringField("id", "node/" + node.name());
        json.writeStringField("node", node.name());
        json.writeStringField("type", "node");
        json.writeStringField("status", freshness == Freshness.ONLINE ? "online" : "offline");
        if (freshness == Freshness.EXPIRED) {
            return;
        }
        if (freshness == Freshness.ONLINE && sysAudit) {
            json.writeNumberField("uptime", node.uptime(booted, now));
            json.writeNumberField("cpu", 0.031 + node.nodeid() * 0.004);
            json.writeNumberField("mem", SimNode.HOST_MEMORY * 2 / 5);
            json.writeNumberField("disk", SimNode.HOST_DISK / 4);
        }
        json.writeStringField("level", "");
        if (sysAudit) {
            json.writeNumberField("maxcpu", SimNode.HOST_CPUS);
            json.writeNumberField("maxmem", SimNode.HOST_MEMORY);
            json.writeNumberField("maxdisk", SimNode.HOST_DISK);
        }
    }

    /** The storages {@link #storage(JsonGenerator, String, Freshness)} lists per node. */
    static final int STORAGES_PER_NODE = 3;

    private static void storage(JsonGenerator json, String node, Freshness freshness) throws IOException {
        storage(json, node, freshness, "local", "dir", 0, "backup,iso,vztmpl", "100861726720", "23622320128");
        storage(json, node, freshness, "local-lvm", "lvmthin", 0, "images,rootdir", "1869169639424", "412316860416");
        storage(json, node, freshness, "backup", "nfs", 1, "backup", BACKUP_TOTAL, BACKUP_USED);
    }

    private static void storage(JsonGenerator json, String node, Freshness freshness, String id, String plugin,
                                int shared, String content, String total, String used) throws IOException {
        json.writeStartObject();
        json.writeStringField("id", "storage/" + node + "/" + id);
        json.writeStringField("storage", id);
        json.writeStringField("node", node);
        json.writeStringField("type", "storage");
        json.writeStringField("plugintype", plugin);
        json.writeNumberField("shared", shared);
        json.writeStringField("content", content);
        if (freshness == Freshness.EXPIRED) {
            json.writeStringField("status", "unknown");
        } else {
            json.writeStringField("status", "available");
            json.writeFieldName("maxdisk");
            json.writeRawValue(total);
            json.writeFieldName("disk");
            json.writeRawValue(used);
        }
        json.writeEndObject();
    }

    /** A fraction in [0, 1) fixed by the guest's seed and {@code k}: its load, traffic, ... */
    private static double frac(Guest g, int k) {
        long z = g.id().seed() + k * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z ^= z >>> 31;
        return (z >>> 11) * 0x1.0p-53;
    }

    /** Writes one entry's fields, replacing those {@code corruptVm} broke and adding the rest at the end. */
    private record Fields(JsonGenerator json, Map<String, String> bad, Set<String> written) {

        void string(String name, String value) throws IOException {
            if (!replaced(name)) {
                json.writeStringField(name, value);
            }
        }

        void number(String name, long value, boolean asString) throws IOException {
            if (replaced(name)) {
                return;
            }
            if (asString) {
                json.writeStringField(name, Long.toString(value));
            } else {
                json.writeNumberField(name, value);
            }
        }

        /** Perl's {@code $x + 0}: an integer 0, else a float. */
        void fraction(String name, double value) throws IOException {
            if (replaced(name)) {
                return;
            }
            if (value == 0) {
                json.writeNumberField(name, 0);
            } else {
                json.writeNumberField(name, value);
            }
        }

        void rest() throws IOException {
            if (bad == null) {
                return;
            }
            for (Map.Entry<String, String> e : bad.entrySet()) {
                if (!written.contains(e.getKey())) {
                    json.writeFieldName(e.getKey());
                    json.writeRawValue(e.getValue());
                }
            }
        }

        private boolean replaced(String name) throws IOException {
            if (bad == null) {
                return false;
            }
            written.add(name);
            String raw = bad.get(name);
            if (raw == null) {
                return false;
            }
            json.writeFieldName(name);
            json.writeRawValue(raw);
            return true;
        }
    }
}
