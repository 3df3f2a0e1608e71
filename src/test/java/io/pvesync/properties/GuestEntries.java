package io.pvesync.properties;

import io.pvesync.inventory.NodeState;
import io.pvesync.inventory.ObservedVm;
import io.pvesync.inventory.VmKind;
import io.pvesync.inventory.VmStatus;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Builders;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * Generated guest entries of {@code /cluster/resources}, each with what DESIGN.md 3.3/3.4 and the
 * README say pvesync must make of it, worked out here independently of {@code ResourceMapper}.
 */
final class GuestEntries {

    /** The nodes every generated listing names, and the one a guest may name without a node entry. */
    static final Map<String, NodeState> NODES = Map.of("pve1", NodeState.ONLINE, "pve2", NodeState.OFFLINE,
            "pve3", NodeState.UNKNOWN);
    static final String NODE_ENTRIES = "{\"type\":\"node\",\"node\":\"pve1\",\"status\":\"online\",\"id\":\"node/pve1\"},"
            + "{\"type\":\"node\",\"node\":\"pve2\",\"status\":\"offline\"},"
            + "{\"type\":\"node\",\"node\":\"pve3\",\"status\":\"unknown\"},"
            + "{\"type\":\"storage\",\"node\":\"pve1\",\"storage\":\"local\",\"maxdisk\":1e400}";
    private static final List<String> GUEST_NODES = List.of("pve1", "pve1", "pve1", "pve2", "pve3", "pve4");

    /** README's status table; every other word is {@code error}. */
    private static final Map<String, VmStatus> STATUS = Map.ofEntries(
            Map.entry("running", VmStatus.RUNNING), Map.entry("inmigrate", VmStatus.RUNNING),
            Map.entry("postmigrate", VmStatus.RUNNING), Map.entry("finish-migrate", VmStatus.RUNNING),
            Map.entry("colo", VmStatus.RUNNING), Map.entry("stopped", VmStatus.STOPPED),
            Map.entry("prelaunch", VmStatus.STOPPED), Map.entry("shutdown", VmStatus.STOPPED),
            Map.entry("paused", VmStatus.PAUSED), Map.entry("suspended", VmStatus.PAUSED),
            Map.entry("save-vm", VmStatus.PAUSED), Map.entry("restore-vm", VmStatus.PAUSED),
            Map.entry("debug", VmStatus.PAUSED), Map.entry("io-error", VmStatus.ERROR),
            Map.entry("internal-error", VmStatus.ERROR), Map.entry("guest-panicked", VmStatus.ERROR),
            Map.entry("watchdog", VmStatus.ERROR));
    private static final Set<String> KNOWN_FIELDS = Set.of("type", "vmid", "node", "status", "lock", "name",
            "maxcpu", "maxmem", "maxdisk", "template");
    private static final BigDecimal MIB = BigDecimal.valueOf(1L << 20);
    private static final BigDecimal GIB = BigDecimal.valueOf(1L << 30);
    private static final BigDecimal HALF = new BigDecimal("0.5");

    enum Fate { MAPPED, HELD, TEMPLATE }

    /**
     * One readable entry. Sizes are whole bytes up to 2^50, so every spelling, the float ones
     * included, carries the exact value.
     */
    record Spec(VmKind kind, int vmid, String node, String status, String lock, String name,
                BigDecimal maxcpu, Long maxmem, Long maxdisk, boolean template) {

        Fate fate() {
            if (template) {
                return Fate.TEMPLATE;
            }
            boolean trusted = NODES.get(node) == NodeState.ONLINE && status != null && !status.equals("unknown")
                    && (name != null || maxmem != null);
            return trusted ? Fate.MAPPED : Fate.HELD;
        }

        /** What the mapper must produce for a MAPPED entry. */
        ObservedVm expected() {
            VmStatus mapped = "stopped".equals(status) && "suspended".equals(lock)
                    ? VmStatus.PAUSED : STATUS.getOrDefault(status, VmStatus.ERROR);
            return new ObservedVm(vmid, kind, node, expectedName(name, vmid), mapped, cores(maxcpu),
                    rounded(maxmem, MIB), rounded(maxdisk, GIB), null, null);
        }
    }

    /** A rendered entry: its JSON text and what it was made from. */
    record Entry(Spec spec, String json) {
    }

    private GuestEntries() {
    }

    /**
     * The name column's meaning: the name without NUL (PostgreSQL text cannot hold it) and without
     * surrounding blanks, {@code VM <vmid>} when nothing is left, cut to 100 code points.
     */
    static String expectedName(String given, int vmid) {
        String name = given == null ? "" : given.replace("\u0000", "").strip();
        if (name.isEmpty()) {
            return "VM " + vmid;
        }
        return name.codePointCount(0, name.length()) <= 100 ? name : name.substring(0, name.offsetByCodePoints(0, 100));
    }

    private static Integer cores(BigDecimal maxcpu) {
        if (maxcpu == null) {
            return null;
        }
        if (maxcpu.compareTo(HALF) < 0) {
            return maxcpu.signum() > 0 ? 1 : 0;
        }
        return maxcpu.setScale(0, RoundingMode.HALF_UP).intValueExact();
    }

    private static Integer rounded(Long bytes, BigDecimal unit) {
        return bytes == null ? null : BigDecimal.valueOf(bytes).divide(unit, 0, RoundingMode.HALF_UP).intValueExact();
    }

    /** VMIDs mostly from a small range, so listings often name one twice; plus both ends of the range. */
    static Arbitrary<Integer> vmids() {
        return Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.integers().between(100, 115)),
                Tuple.of(2, Arbitraries.integers().between(1, 999_999_999)),
                Tuple.of(1, Arbitraries.of(1, 999_999_999)));
    }

    static Arbitrary<Spec> specs() {
        Arbitrary<String> status = Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.of(STATUS.keySet().stream().sorted().toList())),
                Tuple.of(1, Arbitraries.of("unknown")),
                Tuple.of(1, Arbitraries.strings().alpha().withChars('-').ofMinLength(1).ofMaxLength(12)),
                Tuple.of(1, WireJson.nastyText()));
        Arbitrary<String> lock = Arbitraries.of("suspended", "backup", "migrate", "snapshot", "suspending");
        Arbitrary<Long> bytes = Arbitraries.oneOf(Arbitraries.longs().between(0, 1L << 50),
                Arbitraries.of(0L, (1L << 19) - 1, 1L << 19, 66_624_765_952L, (1L << 29) * 3, (1L << 30) * 7 / 2));
        Arbitrary<BigDecimal> cpus = Arbitraries.bigDecimals().between(BigDecimal.ZERO, BigDecimal.valueOf(1024))
                .ofScale(2).edgeCases(c -> c.add(new BigDecimal("0.49"), new BigDecimal("0.5"), new BigDecimal("1.5")));
        return Builders.withBuilder(SpecBuilder::new)
                .use(Arbitraries.of(VmKind.QEMU, VmKind.QEMU, VmKind.LXC)).in(SpecBuilder::kind)
                .use(vmids()).in(SpecBuilder::vmid)
                .use(Arbitraries.of(GUEST_NODES)).in(SpecBuilder::node)
                .use(status.injectNull(0.1)).in(SpecBuilder::status)
                .use(lock.injectNull(0.7)).in(SpecBuilder::lock)
                .use(WireJson.nastyText().injectNull(0.1)).in(SpecBuilder::name)
                .use(cpus.injectNull(0.1)).in(SpecBuilder::maxcpu)
                .use(bytes.injectNull(0.1)).in(SpecBuilder::maxmem)
                .use(bytes.injectNull(0.1)).in(SpecBuilder::maxdisk)
                .use(Arbitraries.of(false, false, false, true)).in(SpecBuilder::template)
                .build(SpecBuilder::build);
    }

    /** {@code spec} as JSON, each number in a random wire spelling, with unknown fields added. */
    static Arbitrary<Entry> render(Spec spec) {
        Arbitrary<String> vmid = Arbitraries.oneOf(WireJson.spelled(BigDecimal.valueOf(spec.vmid())),
                Arbitraries.just(Integer.toString(spec.vmid())));
        Arbitrary<String> template = spec.template()
                ? Arbitraries.of("1", "\"1\"", "1.0", "\"1e0\"") : Arbitraries.of("0", "\"0\"", "ABSENT");
        Arbitrary<List<String[]>> extras = Combinators.combine(
                        Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(8)
                                .filter(k -> !KNOWN_FIELDS.contains(k)),
                        WireJson.anyValue(1))
                .as((k, v) -> new String[] {k, v}).list().ofMaxSize(3);
        return Combinators.combine(vmid, template, spelledOrAbsent(spec.maxcpu()),
                        spelledOrAbsent(spec.maxmem() == null ? null : BigDecimal.valueOf(spec.maxmem())),
                        spelledOrAbsent(spec.maxdisk() == null ? null : BigDecimal.valueOf(spec.maxdisk())), extras)
                .as((id, tpl, cpu, mem, disk, extra) -> {
                    List<String[]> fields = new ArrayList<>();
                    String type = spec.kind() == VmKind.QEMU ? "qemu" : "lxc";
                    fields.add(new String[] {"id", WireJson.quote(type + "/" + spec.vmid())});
                    fields.add(new String[] {"type", WireJson.quote(type)});
                    fields.add(new String[] {"vmid", id});
                    fields.add(new String[] {"node", WireJson.quote(spec.node())});
                    optional(fields, "status", spec.status() == null ? null : WireJson.quote(spec.status()));
                    optional(fields, "lock", spec.lock() == null ? null : WireJson.quote(spec.lock()));
                    optional(fields, "name", spec.name() == null ? null : WireJson.quote(spec.name()));
                    optional(fields, "maxcpu", cpu);
                    optional(fields, "maxmem", mem);
                    optional(fields, "maxdisk", disk);
                    optional(fields, "template", tpl.equals("ABSENT") ? null : tpl);
                    fields.addAll(extra);
                    return new Entry(spec, WireJson.object(fields));
                });
    }

    private static Arbitrary<String> spelledOrAbsent(BigDecimal value) {
        return value == null ? Arbitraries.just(null) : WireJson.spelled(value);
    }

    private static void optional(List<String[]> fields, String key, String json) {
        if (json != null) {
            fields.add(new String[] {key, json});
        }
    }

    /** Collects a {@link Spec}; jqwik's builder support needs a mutable one. */
    static final class SpecBuilder {
        private VmKind kind;
        private int vmid;
        private String node;
        private String status;
        private String lock;
        private String name;
        private BigDecimal maxcpu;
        private Long maxmem;
        private Long maxdisk;
        private boolean template;

        SpecBuilder kind(VmKind value) {
            kind = value;
            return this;
        }

        SpecBuilder vmid(int value) {
            vmid = value;
            return this;
        }

        SpecBuilder node(String value) {
            node = value;
            return this;
        }

        SpecBuilder status(String value) {
            status = value;
            return this;
        }

        SpecBuilder lock(String value) {
            lock = value;
            return this;
        }

        SpecBuilder name(String value) {
            name = value;
            return this;
        }

        SpecBuilder maxcpu(BigDecimal value) {
            maxcpu = value;
            return this;
        }

        SpecBuilder maxmem(Long value) {
            maxmem = value;
            return this;
        }

        SpecBuilder maxdisk(Long value) {
            maxdisk = value;
            return this;
        }

        SpecBuilder template(boolean value) {
            template = value;
            return this;
        }

        Spec build() {
            return new Spec(kind, vmid, node, status, lock, name, maxcpu, maxmem, maxdisk, template);
        }
    }
}
