package io.pvesync.inventory;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Turns the {@code data} array of {@code GET /cluster/resources} into a {@link Snapshot}
 * (DESIGN.md 3.3, 3.4; PROXMOX-API.md §2, §2.1). One instance per cluster, kept across passes so
 * that a condition worth a warning (a name cut, an unreadable entry) is logged once when it
 * appears, not on every poll.
 *
 * <p>Request the listing <b>without</b> {@code type=vm}: the node entries decide which guests can
 * be trusted. A guest whose node has no entry in the listing is treated like one on an offline
 * node (held), so a listing without node entries holds every guest.
 *
 * <p>Per guest entry ({@code type} {@code qemu}, or {@code lxc} when containers are enabled; all
 * other types are ignored), in this order:
 * <ol>
 *   <li>{@code vmid} must be an integer 1..999999999 and {@code node} a node name (a host name
 *       label: letters, digits and inner hyphens, at most 63 characters), else the entry is
 *       unreadable;</li>
 *   <li>a vmid seen earlier in the same listing: the first entry wins, this one is skipped;</li>
 *   <li>{@code template: 1} (or {@code "1"}): skipped;</li>
 *   <li>node not online, {@code status} absent or {@code unknown}, or neither {@code name} nor
 *       {@code maxmem} present: held, because Proxmox keeps stale values (even {@code running})
 *       for 5 minutes after a node drops out, then only {@code status: unknown};</li>
 *   <li>a {@code lock} of {@link #LIFECYCLE_LOCKS} (being created, cloned, restored or destroyed):
 *       held until the lock is gone;</li>
 *   <li>otherwise mapped: name as given without NUL characters ({@code VM <vmid>} when absent or
 *       blank, cut to 100 characters with a warning), status by {@link StatusMapping}, cores =
 *       {@code maxcpu} rounded (at least 1 when above 0), memory MiB = {@code maxmem}/2^20 and
 *       disk GiB = {@code maxdisk}/2^30, each rounded half up; an absent size stays null (the row
 *       keeps its value).</li>
 * </ol>
 * An entry with a field of the wrong type ({@code maxmem: "lots"}, {@code maxcpu: []}) is skipped
 * with a warning naming the vmid and field; when its vmid and node are readable it is also held,
 * so the store keeps its row rather than taking the VM for vanished. Unknown fields are ignored.
 */
public final class ResourceMapper {

    private static final Logger log = LoggerFactory.getLogger(ResourceMapper.class);

    /** The width of {@code vms.name}. */
    static final int NAME_LIMIT = 100;
    static final long MAX_VMID = 999_999_999L;

    /**
     * Locks under which a guest is still being created, cloned, restored or destroyed (qemu-server
     * and pve-container lock enums): such a guest is held, never inserted or written.
     */
    static final Set<String> LIFECYCLE_LOCKS = Set.of("create", "clone", "restore", "destroyed");
    private static final long MIB = 1L << 20;
    private static final long GIB = 1L << 30;
    private static final BigDecimal HALF = new BigDecimal("0.5");
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Every field of an entry this class reads; {@link #mapStreamed} keeps only these. */
    private static final Set<String> READ_FIELDS = Set.of("type", "vmid", "node", "status", "name", "template",
            "maxcpu", "maxmem", "maxdisk", "lock");
    /**
     * pve-common's {@code pve-node} format, a host name label of at most 63 characters. Nothing
     * else can be a node; such a name would be pasted into request paths ({@code ..} segments
     * included) and written to {@code proxmox_node}.
     */
    private static final Pattern NODE_NAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");

    private final String cluster;
    private final boolean includeContainers;
    private final RepeatFilter repeats = new RepeatFilter();

    /**
     * @param cluster           the configured cluster name, used in the snapshot and in log lines
     * @param includeContainers whether LXC guests are mapped (otherwise they count as skipped)
     */
    public ResourceMapper(String cluster, boolean includeContainers) {
        this.cluster = Objects.requireNonNull(cluster, "cluster");
        this.includeContainers = includeContainers;
    }

    /**
     * Maps one listing. Never throws for any content of a JSON array: every unreadable entry is
     * logged and skipped, and the rest is mapped.
     *
     * @param data    the {@code data} member of the answer
     * @param takenAt when the listing was read
     * @throws IllegalArgumentException when {@code data} is not a JSON array (the answer is not a
     *         listing at all; the pass must fail and keep every row as it is)
     */
    public synchronized Snapshot map(JsonNode data, Instant takenAt) {
        if (data == null || !data.isArray()) {
            throw notAListing(data == null ? "nothing" : Lenient.describe(data));
        }
        try {
            Pass pass = new Pass();
            for (JsonNode entry : data) {
                pass.add(entry);
            }
            return pass.finish(takenAt);
        } finally {
            repeats.endPass();
        }
    }

    /**
     * Maps one listing as it streams in, entry by entry, never holding more than one entry's JSON
     * tree (a 50,000-guest listing is megabytes of JSON, and its tree several times that). The
     * result, and every warning, is exactly that of {@link #map(JsonNode, Instant)} for the same
     * content; warnings are logged only once the whole listing was read, so a listing cut short
     * logs nothing.
     *
     * @param data    a parser whose current token is the first token of the answer's {@code data}
     *                value; left at that value's last token
     * @param takenAt when the listing was read
     * @throws IOException              when the stream fails or is not JSON (the pass fails)
     * @throws IllegalArgumentException when {@code data} is not a JSON array
     */
    public synchronized Snapshot mapStreamed(JsonParser data, Instant takenAt) throws IOException {
        if (data.currentToken() != JsonToken.START_ARRAY) {
            JsonNode value = data.currentToken() == null ? null : JSON.readTree(data);
            throw notAListing(value == null ? "nothing" : Lenient.describe(value));
        }
        Pass pass = new Pass();
        while (data.nextToken() != JsonToken.END_ARRAY) {
            if (data.currentToken() == null) {
                throw new JsonParseException(data, "the listing ends inside its array");
            }
            JsonNode entry = data.currentToken() == JsonToken.START_OBJECT ? readEntry(data) : JSON.readTree(data);
            pass.add(entry == null ? NullNode.getInstance() : entry);
        }
        try {
            return pass.finish(takenAt);
        } finally {
            repeats.endPass();
        }
    }

    /**
     * One listing entry with only the fields the mapper reads; the others (cpu, mem, uptime,
     * netin, ... about half of each entry) are skipped without building their values. A field
     * given twice keeps its last value, as in Jackson's tree.
     */
    private static JsonNode readEntry(JsonParser data) throws IOException {
        Map<String, JsonNode> fields = new HashMap<>(16);
        while (data.nextToken() == JsonToken.FIELD_NAME) {
            String name = data.currentName();
            data.nextToken();
            if (READ_FIELDS.contains(name)) {
                fields.put(name, readValue(data));
            } else {
                data.skipChildren();
            }
        }
        if (data.currentToken() != JsonToken.END_OBJECT) {
            throw new JsonParseException(data, "the listing ends inside an entry");
        }
        return new ObjectNode(JsonNodeFactory.instance, fields);
    }

    /**
     * The value at the parser as Jackson's tree would hold it. Strings and int/long numbers (nearly
     * every field) are built directly: {@code readTree} sets up a deserialization context per call,
     * which cost more than the parsing in the profile of an unchanged 10,000-VM poll. Every other
     * value goes through {@code readTree}, so the result is the same node either way.
     */
    private static JsonNode readValue(JsonParser data) throws IOException {
        switch (data.currentToken()) {
            case VALUE_STRING:
                return TextNode.valueOf(data.getText());
            case VALUE_NUMBER_INT:
                JsonParser.NumberType type = data.getNumberType();
                if (type == JsonParser.NumberType.INT) {
                    return IntNode.valueOf(data.getIntValue());
                }
                if (type == JsonParser.NumberType.LONG) {
                    return LongNode.valueOf(data.getLongValue());
                }
                return JSON.readTree(data);
            default:
                return JSON.readTree(data);
        }
    }

    private IllegalArgumentException notAListing(String what) {
        return new IllegalArgumentException("cluster " + cluster + ": /cluster/resources answered " + what
                + " where a list of resources was expected");
    }

    /** A warning decided while reading, logged (through the repeat filter) when the listing is complete. */
    private record Warning(String condition, String format, Object[] args) {
    }

    /**
     * What one guest entry says, read without knowing its node's state (node entries may follow
     * the guests in the listing): the checks of the class comment in their order, up to the trust
     * decision, which {@link Pass#finish} makes once every node is known.
     */
    private static final class Entry {
        enum Kind { SKIPPED, NOTED, BAD, CANDIDATE }

        final Kind kind;
        final Integer vmid;
        final String node;
        final BadFieldException bad;
        final Warning warning;
        String status;
        /** a lock that says the guest is being created, cloned, restored or destroyed */
        String lifecycleLock;
        BadFieldException statusBad;
        boolean hasData;
        ObservedVm vm;
        BadFieldException observeBad;
        List<Warning> warnings = List.of();

        private Entry(Kind kind, Integer vmid, String node, BadFieldException bad, Warning warning) {
            this.kind = kind;
            this.vmid = vmid;
            this.node = node;
            this.bad = bad;
            this.warning = warning;
        }
    }

    /** The state of one mapping run. */
    private final class Pass {
        final Map<String, NodeState> nodes = new HashMap<>();
        final List<Warning> nodeWarnings = new ArrayList<>();
        final List<Entry> entries = new ArrayList<>();
        final List<ObservedVm> vms = new ArrayList<>();
        final Map<Integer, String> held = new LinkedHashMap<>();
        final Set<Integer> seen = new HashSet<>();
        final Set<String> absentNodes = new HashSet<>();
        int skipped;

        /** Reads one entry of the listing, in listing order. */
        void add(JsonNode entry) {
            if (entry.isObject() && "node".equals(entry.path("type").textValue())) {
                String node = entry.path("node").textValue();
                if (node == null || node.isEmpty()) {
                    nodeWarnings.add(new Warning("no-node-name", "cluster={} - a node entry without a readable name"
                            + " was ignored", new Object[] {cluster}));
                } else {
                    nodes.putIfAbsent(node, NodeState.fromWire(entry.path("status").textValue()));
                }
                return;
            }
            Entry read = guest(entry);
            if (read != null) {
                entries.add(read);
            }
        }

        private Entry guest(JsonNode entry) {
            if (!entry.isObject()) {
                return new Entry(Entry.Kind.NOTED, null, null, null, new Warning("not-object:" + Lenient.describe(entry),
                        "cluster={} - a /cluster/resources entry that is not an object ({}) was skipped",
                        new Object[] {cluster, Lenient.describe(entry)}));
            }
            JsonNode type = entry.get("type");
            VmKind kind;
            if (type != null && "qemu".equals(type.textValue())) {
                kind = VmKind.QEMU;
            } else if (type != null && "lxc".equals(type.textValue())) {
                kind = VmKind.LXC;
            } else {
                return null; // storage, sdn, pool, ...: not guests
            }
            if (kind == VmKind.LXC && !includeContainers) {
                return new Entry(Entry.Kind.SKIPPED, null, null, null, null);
            }
            Integer vmid = null;
            String node = null;
            try {
                vmid = vmid(entry);
                if (!seen.add(vmid)) {
                    return new Entry(Entry.Kind.NOTED, vmid, null, null, new Warning("duplicate:" + vmid,
                            "cluster={} vmid={} - listed twice in one /cluster/resources answer; the first entry is"
                                    + " used", new Object[] {cluster, vmid}));
                }
                String named = Lenient.text(entry, "node").filter(s -> !s.isEmpty())
                        .orElseThrow(() -> new BadFieldException("node", "absent"));
                if (!NODE_NAME.matcher(named).matches()) {
                    throw new BadFieldException("node", "not a node name: " + Lenient.describe(entry.get("node")));
                }
                node = named;
                if (Lenient.integer(entry, "template").orElse(0) == 1) {
                    return new Entry(Entry.Kind.SKIPPED, null, null, null, null);
                }
            } catch (BadFieldException bad) {
                return new Entry(Entry.Kind.BAD, vmid, node, bad, null);
            }
            Entry candidate = new Entry(Entry.Kind.CANDIDATE, vmid, node, null, null);
            try {
                candidate.status = Lenient.text(entry, "status").orElse("unknown");
            } catch (BadFieldException bad) {
                candidate.statusBad = bad;
                return candidate;
            }
            try {
                candidate.lifecycleLock = Lenient.text(entry, "lock").filter(LIFECYCLE_LOCKS::contains).orElse(null);
            } catch (BadFieldException unreadableLock) {
                // an unreadable lock is no lifecycle lock; observe() reports the field
            }
            // a degraded entry (RRD data expired) has neither; one of them is enough to trust it
            candidate.hasData = entry.hasNonNull("name") || entry.hasNonNull("maxmem");
            if (!"unknown".equals(candidate.status) && candidate.hasData) {
                List<Warning> warnings = new ArrayList<>(0);
                try {
                    candidate.vm = observe(entry, kind, vmid, node, warnings);
                    candidate.warnings = warnings;
                } catch (BadFieldException bad) {
                    candidate.observeBad = bad;
                }
            }
            return candidate;
        }

        /** Decides every guest now that every node's state is known, and logs what was found. */
        Snapshot finish(Instant takenAt) {
            nodeWarnings.forEach(ResourceMapper.this::warn);
            for (Entry entry : entries) {
                switch (entry.kind) {
                    case SKIPPED -> skipped++;
                    case NOTED -> {
                        skipped++;
                        warn(entry.warning);
                    }
                    case BAD -> bad(entry, entry.bad);
                    case CANDIDATE -> decide(entry);
                }
            }
            return new Snapshot(cluster, takenAt, vms, nodes, held, skipped);
        }

        private void decide(Entry entry) {
            NodeState state = nodes.get(entry.node);
            if (state == null && absentNodes.add(entry.node)) {
                warn("absent-node:" + entry.node, "cluster={} node={} - guests name this node but the listing has no"
                        + " entry for it; they are held (request /cluster/resources without type=vm)", cluster, entry.node);
            }
            if (state != NodeState.ONLINE) {
                held.put(entry.vmid, entry.node);
            } else if (entry.statusBad != null) {
                bad(entry, entry.statusBad);
            } else if ("unknown".equals(entry.status) || !entry.hasData) {
                held.put(entry.vmid, entry.node);
            } else if (entry.lifecycleLock != null) {
                // mid-create, -clone or -restore, its config is not yet the VM's (no marker during a
                // clone's copy), and an application row for it may still come: wait for the lock to go
                held.put(entry.vmid, entry.node);
            } else if (entry.observeBad != null) {
                bad(entry, entry.observeBad);
            } else {
                entry.warnings.forEach(ResourceMapper.this::warn);
                vms.add(entry.vm);
            }
        }

        private void bad(Entry entry, BadFieldException bad) {
            skipped++;
            if (entry.vmid != null && entry.node != null) {
                held.put(entry.vmid, entry.node);
            }
            warn("bad:" + entry.vmid + ":" + bad.field(), "cluster={} vmid={} - /cluster/resources entry skipped, field"
                    + " {}; its row is left as it is (check the guest's config on node {})",
                    cluster, entry.vmid == null ? "?" : entry.vmid, bad.getMessage(), entry.node == null ? "?" : entry.node);
        }

        private ObservedVm observe(JsonNode entry, VmKind kind, int vmid, String node, List<Warning> warnings)
                throws BadFieldException {
            String wireStatus = Lenient.text(entry, "status").orElseThrow();
            String lock = Lenient.text(entry, "lock").orElse(null);
            Integer cores = cores(Lenient.decimal(entry, "maxcpu"));
            Integer memoryMb = rounded(Lenient.count(entry, "maxmem"), MIB, "maxmem");
            Integer diskGb = rounded(Lenient.count(entry, "maxdisk"), GIB, "maxdisk");
            String name = name(Lenient.text(entry, "name"), vmid, warnings);
            VmStatus status = StatusMapping.of(wireStatus, lock);
            if (!StatusMapping.isKnown(wireStatus)) {
                warnings.add(new Warning("status:" + vmid + ":" + wireStatus, "cluster={} vmid={} - unrecognised status"
                        + " \"{}\" stored as error (report it to the pvesync maintainers with the Proxmox version)",
                        new Object[] {cluster, vmid, Printable.of(wireStatus, 40)}));
            }
            return new ObservedVm(vmid, kind, node, name, status, cores, memoryMb, diskGb, null, null);
        }

        private String name(Optional<String> given, int vmid, List<Warning> warnings) {
            // NUL first: PostgreSQL text cannot hold it, and a name of NULs and blanks is no name
            String name = given.map(s -> s.replace("\0", "").strip()).filter(s -> !s.isEmpty()).orElse("VM " + vmid);
            if (name.codePointCount(0, name.length()) <= NAME_LIMIT) {
                return name;
            }
            // cut by code points: a column of 100 characters, and never half a surrogate pair
            String cut = name.substring(0, name.offsetByCodePoints(0, NAME_LIMIT));
            warnings.add(new Warning("name:" + vmid + ":" + name.hashCode(), "cluster={} vmid={} - name has {} characters,"
                    + " stored cut to {} (rename the guest to keep its full name)",
                    new Object[] {cluster, vmid, name.codePointCount(0, name.length()), NAME_LIMIT}));
            return cut;
        }
    }

    private static int vmid(JsonNode entry) throws BadFieldException {
        OptionalLong vmid = Lenient.integer(entry, "vmid");
        if (vmid.isEmpty()) {
            throw new BadFieldException("vmid", "absent");
        }
        if (vmid.getAsLong() < 1 || vmid.getAsLong() > MAX_VMID) {
            throw new BadFieldException("vmid", "out of range 1.." + MAX_VMID + ": " + vmid.getAsLong());
        }
        return (int) vmid.getAsLong();
    }

    /** LXC may report a fractional {@code cpulimit}; 0.5 of a CPU is still a CPU. */
    private static Integer cores(Optional<BigDecimal> maxcpu) throws BadFieldException {
        if (maxcpu.isEmpty()) {
            return null;
        }
        BigDecimal value = maxcpu.get();
        // compared before rounding so a value like 1e-999999999 is never expanded
        if (value.compareTo(HALF) < 0) {
            return value.signum() > 0 ? 1 : 0;
        }
        if (value.compareTo(BigDecimal.valueOf(Integer.MAX_VALUE)) > 0) {
            throw new BadFieldException("maxcpu", "out of range: " + value);
        }
        return value.setScale(0, RoundingMode.HALF_UP).intValue();
    }

    /** bytes / unit rounded half up, without the overflow of {@code (bytes + unit/2) / unit}. */
    private static Integer rounded(OptionalLong bytes, long unit, String field) throws BadFieldException {
        if (bytes.isEmpty()) {
            return null;
        }
        long value = bytes.getAsLong();
        long whole = value / unit + (value % unit >= unit / 2 ? 1 : 0);
        if (whole > Integer.MAX_VALUE) {
            throw new BadFieldException(field, "out of range: " + value);
        }
        return (int) whole;
    }

    private void warn(Warning w) {
        warn(w.condition(), w.format(), w.args());
    }

    private void warn(String condition, String format, Object... args) {
        if (repeats.isNew(condition)) {
            log.warn(format, args);
        } else {
            log.debug(format, args);
        }
    }
}
