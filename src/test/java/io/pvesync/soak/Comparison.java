package io.pvesync.soak;

import io.pvesync.sim.SimVm;
import io.pvesync.soak.Application.Inserted;
import io.pvesync.soak.Application.Owned;
import io.pvesync.soak.TruthLog.Handover;
import io.pvesync.soak.TruthLog.State;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Judges the table against the simulators' truth once every fault is over, every clone and
 * restore has ended and a full pass of each cluster has run. The rules are DESIGN.md's (3.1
 * identity, 3.5 vanished VMs, 3.10 application rows), not pvesync's code; each problem becomes one
 * line of a readable diff, and none means the table is right. Per configured cluster, on its rows:
 * <ul>
 *   <li>every guest has exactly one live row, equal to the truth: name, status as DESIGN.md 3.3
 *       maps it, cores, memory, disk, node, and the marker of the guest now behind the VMID;</li>
 *   <li>its address equals the truth's when the truth has one; when it has none (a guest that is
 *       not running, or whose agent does not answer, and no static address), the row may keep the
 *       address this same guest showed earlier, as the daemon keeps a known address, or hold none;</li>
 *   <li>every live row whose VMID no guest holds is {@code missing};</li>
 *   <li>a row names only guests that held its VMID in its own cluster (never another cluster's),
 *       and a row whose guest is gone (missing or retired) carries values that guest had: an owner
 *       never moves to another VM. One exception: a VMID that another guest took under the same
 *       name and status while the node's task list was cut short (the destroy and create left it
 *       before a poll could read them, see {@link ReuseWatch}) looks like one guest to a poll, so
 *       its row may show the newcomer until a full pass reads the marker. Such rows are listed as
 *       late reuses; any other row showing a newcomer is a mismatch;</li>
 *   <li>a row is retired only when another guest took its VMID after its own, or when the
 *       application's late row took its guest over; retired rows are {@code missing}; no guest
 *       has two rows, but for that takeover: the daemon's row without owner, retired, beside the
 *       application's;</li>
 *   <li>owner and notes are exactly what the application last wrote, or empty where it wrote
 *       nothing (the daemon inserts rows without an owner, and never inherits one).</li>
 * </ul>
 * And on the rows the application inserted (DESIGN.md 3.10):
 * <ul>
 *   <li>a row on a node that no configured cluster, or more than one, has is left exactly as
 *       the application wrote it: no cluster, no values;</li>
 *   <li>a late row (for a guest the daemon kept in an unowned row) on a node of one cluster is
 *       adopted by that cluster, and when it names the guest it was written for, the daemon's
 *       earlier row is retired; it never names a guest that held the VMID before it was written;</li>
 *   <li>an adoptable row of a VM that never existed ends {@code missing} with the cluster set once
 *       it is older than the grace period, and is left alone before.</li>
 * </ul>
 */
final class Comparison {

    /**
     * @param mismatches the diff, one line per problem, by cluster and VMID; empty when the table is right
     * @param lateReuses rows that showed an unseen same-named newcomer until a full pass, by cluster and VMID
     * @param takeovers  late application rows that became their guest's live row
     */
    record Verdict(List<String> mismatches, List<String> lateReuses, int takeovers) {
    }

    /**
     * One configured cluster's truth after the soak.
     *
     * @param unseen the handovers its daemon may have missed until a full pass ({@link ReuseWatch})
     */
    record ClusterTruth(String name, List<SimVm> guests, TruthLog history, Set<Handover> unseen) {
    }

    /**
     * The final full passes' time, moved back by the grace period: an application row created
     * before {@code oldBefore} was older than the grace in each of them, one created after
     * {@code youngAfter} in none.
     */
    record Grace(Instant oldBefore, Instant youngAfter) {
    }

    private record Key(String cluster, int vmid) {
        static final Comparator<Key> ORDER = Comparator.comparing(Key::cluster).thenComparingInt(Key::vmid);

        @Override
        public String toString() {
            return cluster + " vmid " + vmid;
        }
    }

    private static final String NO_CLUSTER = "(no cluster)";

    private final Map<String, ClusterTruth> clusters = new LinkedHashMap<>();
    private final Map<Integer, Owned> written;
    private final Map<Integer, Inserted> inserted;
    private final Grace grace;
    private final Map<Integer, TableRow> byId = new HashMap<>();
    private final Map<Key, List<String>> problems = new TreeMap<>(Key.ORDER);
    private final Map<Key, List<String>> late = new TreeMap<>(Key.ORDER);
    private int takeovers;

    private Comparison(List<ClusterTruth> truths, Map<Integer, Owned> written, Map<Integer, Inserted> inserted,
                       Grace grace) {
        truths.forEach(t -> clusters.put(t.name(), t));
        this.written = written;
        this.inserted = inserted;
        this.grace = grace;
    }

    static Verdict judge(List<ClusterTruth> truths, List<TableRow> rows, Map<Integer, Owned> written,
                         Map<Integer, Inserted> inserted, Grace grace) {
        Comparison c = new Comparison(truths, written, inserted, grace);
        c.run(rows);
        return new Verdict(lines(c.problems), lines(c.late), c.takeovers);
    }

    private void run(List<TableRow> rows) {
        Map<String, List<TableRow>> byCluster = new HashMap<>();
        for (TableRow row : rows) {
            byId.put(row.id(), row);
            Owned expected = written.getOrDefault(row.id(), Owned.NONE);
            Owned actual = new Owned(row.ownerId(), row.notes());
            if (!expected.equals(actual)) {
                problem(key(row), row.describe() + " owner/notes " + actual + ", the application left " + expected);
            }
            if (row.cluster() == null) {
                if (!inserted.containsKey(row.id())) {
                    problem(key(row), row.describe() + " has no cluster, and the application did not write it");
                }
            } else if (!clusters.containsKey(row.cluster())) {
                problem(key(row), row.describe() + " has cluster " + row.cluster() + ", which is not configured");
            } else {
                byCluster.computeIfAbsent(row.cluster(), c -> new ArrayList<>()).add(row);
            }
        }
        clusters.values().forEach(truth -> judgeCluster(truth, byCluster.getOrDefault(truth.name(), List.of())));
        inserted.values().forEach(this::judgeInserted);
    }

    // ---- one cluster's rows ----

    private void judgeCluster(ClusterTruth truth, List<TableRow> rows) {
        Map<Integer, SimVm> guests = new HashMap<>();
        truth.guests().stream().filter(vm -> !vm.template()).forEach(vm -> guests.put(vm.vmid(), vm));
        Map<Integer, List<TableRow>> byVmid = new TreeMap<>();
        rows.forEach(row -> byVmid.computeIfAbsent(row.vmid(), v -> new ArrayList<>()).add(row));
        for (SimVm vm : guests.values()) {
            Key key = new Key(truth.name(), vm.vmid());
            List<TableRow> live = byVmid.getOrDefault(vm.vmid(), List.of()).stream().filter(TableRow::live).toList();
            if (live.size() != 1) {
                problem(key, live.size() + " live rows for " + expected(vm) + ": " + describe(live));
            } else {
                compareLive(truth, key, live.get(0), vm);
            }
        }
        byVmid.forEach((vmid, vmidRows) -> {
            Key key = new Key(truth.name(), vmid);
            if (!guests.containsKey(vmid)) {
                vmidRows.stream().filter(row -> row.live() && !row.missing()).forEach(row ->
                        problem(key, row.describe() + ": the guest is gone, expected status missing"));
            }
            compareHistory(truth, key, vmidRows);
        });
    }

    private void compareLive(ClusterTruth truth, Key key, TableRow row, SimVm vm) {
        String marker = TruthLog.marker(vm);
        boolean same = Objects.equals(row.name(), vm.name())
                && Objects.equals(row.status(), TruthLog.column(vm))
                && Objects.equals(row.cores(), vm.cores())
                && Objects.equals(row.memoryMb(), vm.memoryMb())
                && Objects.equals(row.diskGb(), vm.diskGb())
                && Objects.equals(row.node(), vm.node())
                && Objects.equals(row.incarnation(), marker)
                && addressFits(truth.history(), row, vm.vmid(), marker, vm.ipAddress());
        if (!same) {
            problem(key, row.describe() + ", expected " + expected(vm)
                    + (vm.ipAddress() == null ? " (or an address this guest had)" : ""));
        }
    }

    /** The truth's address; without one, the row may keep what this guest showed before. */
    private static boolean addressFits(TruthLog history, TableRow row, int vmid, String marker, String truth) {
        if (truth != null) {
            return truth.equals(row.ipAddress());
        }
        return row.ipAddress() == null || history.hadAddress(vmid, marker, row.ipAddress());
    }

    /** Which guest each row of one VMID names, whether it may be retired, and what a gone guest's row shows. */
    private void compareHistory(ClusterTruth truth, Key key, List<TableRow> rows) {
        TruthLog history = truth.history();
        int vmid = key.vmid();
        List<TableRow> retired = rows.stream().filter(TableRow::retired).toList();
        long applicationRows = rows.stream().filter(row -> inserted.containsKey(row.id())).count();
        long mayRetire = Math.max(0, history.incarnations(vmid) - 1) + applicationRows;
        if (retired.size() > mayRetire) {
            problem(key, retired.size() + " retired rows, but only " + history.incarnations(vmid) + " guest(s) held"
                    + " this VMID and the application wrote " + applicationRows + " row(s) for it: " + describe(retired));
        }
        Map<String, List<TableRow>> byMarker = new LinkedHashMap<>();
        for (TableRow row : rows) {
            boolean gone = row.retired() || row.missing();
            if (row.retired() && !row.missing()) {
                problem(key, row.describe() + ": retired but not missing");
            }
            String marker = row.incarnation();
            if (marker == null) {
                // no marker read yet: nothing to attribute it to but the VMID's guests
                if (gone && !inserted.containsKey(row.id()) && !history.anyHad(vmid, stateOf(row))) {
                    problem(key, row.describe() + ": values no guest of this VMID ever had");
                }
                continue;
            }
            if (!history.knows(vmid, marker)) {
                problem(key, row.describe() + ": no guest with this marker ever held this VMID in " + truth.name());
                continue;
            }
            byMarker.computeIfAbsent(marker, m -> new ArrayList<>()).add(row);
            if (gone) {
                compareGone(truth, key, marker, row);
            }
        }
        byMarker.forEach((marker, same) -> {
            if (same.size() == 2 && takeover(same.get(0), same.get(1))) {
                TableRow app = inserted.containsKey(same.get(0).id()) ? same.get(0) : same.get(1);
                if (app.retired() && !history.replaced(vmid, marker)) {
                    problem(key, app.describe() + ": retired, but no other guest took the VMID after it");
                }
                return;
            }
            for (int i = 1; i < same.size(); i++) {
                problem(key, same.get(i).describe() + ": a second row for the same guest as " + same.get(0).describe());
            }
            same.stream().filter(row -> row.retired() && !history.replaced(vmid, marker)).forEach(row ->
                    problem(key, row.describe() + ": retired, but no other guest took the VMID after it"));
        });
    }

    /**
     * Whether two rows of one guest are a late application row's takeover (DESIGN.md 3.10): the
     * application's row and the daemon's row, which is retired and never had an owner.
     */
    private boolean takeover(TableRow a, TableRow b) {
        boolean aApp = inserted.containsKey(a.id());
        if (aApp == inserted.containsKey(b.id())) {
            return false;
        }
        TableRow daemons = aApp ? b : a;
        return daemons.retired() && written.getOrDefault(daemons.id(), Owned.NONE).ownerId() == null;
    }

    private void compareGone(ClusterTruth truth, Key key, String marker, TableRow row) {
        TruthLog history = truth.history();
        int vmid = key.vmid();
        State state = stateOf(row);
        String ip = row.ipAddress();
        boolean ownAddress = ip == null || history.hadAddress(vmid, marker, ip);
        if (!history.had(vmid, marker, state)) {
            Optional<String> newcomer = unseenAfter(truth, vmid, marker).stream()
                    .filter(m -> history.had(vmid, m, state)).findFirst();
            if (newcomer.isEmpty()) {
                problem(key, row.describe() + ": values its guest never had (another guest's?)");
                return;
            }
            late.computeIfAbsent(key, k -> new ArrayList<>()).add(row.describe() + " shows " + newcomer.get()
                    + ", which took the VMID under the same name and status while the task list was cut short,"
                    + " until a full pass read the marker");
            // the newcomer's address, or the one kept from before when the newcomer gave none
            ownAddress |= history.hadAddress(vmid, newcomer.get(), ip);
        }
        if (!ownAddress) {
            problem(key, row.describe() + ": an address its guest never had");
        }
    }

    /** The guests that took the VMID from this one, and from them, each unseen by a poll. */
    private static Set<String> unseenAfter(ClusterTruth truth, int vmid, String marker) {
        Set<String> reached = new LinkedHashSet<>();
        Deque<String> next = new ArrayDeque<>(List.of(marker));
        while (!next.isEmpty()) {
            String from = next.poll();
            truth.unseen().stream().filter(h -> h.vmid() == vmid && h.before().equals(from))
                    .map(Handover::after).sorted().filter(reached::add).forEach(next::add);
        }
        return reached;
    }

    // ---- the application's own rows ----

    private void judgeInserted(Inserted ins) {
        TableRow was = ins.row();
        TableRow row = byId.get(was.id());
        Key key = new Key(ins.meant() != null ? ins.meant() : ins.adoptableBy() != null ? ins.adoptableBy()
                : NO_CLUSTER, was.vmid());
        if (row == null) {
            problem(key, "the application's " + was.describe() + " is gone; rows are never deleted");
            return;
        }
        boolean untouched = row.daemonColumns().equals(was.daemonColumns());
        if (ins.adoptableBy() == null) {
            if (!untouched) {
                problem(key, "the application's row on node " + was.node() + ", which no single configured cluster"
                        + " has, must be left alone: it was " + was.describe() + ", now " + describeWithCluster(row));
            }
            return;
        }
        ClusterTruth truth = clusters.get(ins.adoptableBy());
        boolean old = ins.createdAt().isBefore(grace.oldBefore());
        boolean young = ins.createdAt().isAfter(grace.youngAfter());
        if (ins.kind() == Application.Kind.NEVER_CREATED) {
            if (truth.history().used(was.vmid())) {
                problem(key, "the soak's clusters used VMID " + was.vmid() + ", meant to stay free");
            }
            neverSeen(key, truth, was, row, untouched, old, young);
            return;
        }
        boolean listed = truth.guests().stream().anyMatch(vm -> !vm.template() && vm.vmid() == was.vmid());
        if (row.cluster() == null) {
            if (listed) {
                problem(key, "the application's late " + describeWithCluster(row) + " on " + was.node() + ", a node"
                        + " only " + truth.name() + " has, was not adopted although the VMID is listed");
            } else {
                // its guest went before the daemon took it over: now a row of a VM it never saw
                neverSeen(key, truth, was, row, untouched, old, young);
            }
            return;
        }
        if (!row.cluster().equals(truth.name())) {
            problem(key, "the application's late " + describeWithCluster(row) + " on " + was.node()
                    + " was adopted by " + row.cluster() + ", but only " + truth.name() + " has that node");
            return;
        }
        String marker = row.incarnation();
        int at = marker == null ? -1 : truth.history().position(was.vmid(), marker);
        if (at >= 0 && at < truth.history().position(was.vmid(), ins.marker())) {
            problem(key, "the application's late " + row.describe() + " names a guest that held the VMID before the"
                    + " row was written for " + ins.marker());
        }
        if (ins.marker().equals(marker)) {
            takeovers++;
            TableRow daemons = byId.get(ins.target());
            if (daemons != null && !daemons.retired()) {
                problem(key, daemons.describe() + " is still live although the application's late " + row.describe()
                        + " took its guest over; expected it retired");
            }
        }
    }

    /** An adoptable row of a VM the daemon never saw: missing with the cluster once past the grace, untouched before. */
    private void neverSeen(Key key, ClusterTruth truth, TableRow was, TableRow row, boolean untouched, boolean old,
                           boolean young) {
        boolean markedMissing = truth.name().equals(row.cluster()) && row.missing() && !row.retired()
                && row.incarnation() == null && Objects.equals(row.name(), was.name())
                && Objects.equals(row.node(), was.node());
        if (old && !markedMissing) {
            problem(key, "the application's " + describeWithCluster(row) + " for a VM that does not exist, older than"
                    + " the grace period, on a node of " + truth.name() + " only: expected missing and "
                    + truth.name() + "'s");
        } else if (young && !untouched) {
            problem(key, "the application's row for a VM that does not exist, younger than the grace period, must be"
                    + " left alone: it was " + was.describe() + ", now " + describeWithCluster(row));
        } else if (!untouched && !markedMissing) {
            problem(key, "the application's row for a VM that does not exist is neither as written nor missing: it"
                    + " was " + was.describe() + ", now " + describeWithCluster(row));
        }
    }

    // ---- helpers ----

    private static State stateOf(TableRow row) {
        return new State(row.name(), orNone(row.cores()), orNone(row.memoryMb()), orNone(row.diskGb()), row.node());
    }

    private static int orNone(Integer value) {
        return value == null ? -1 : value;
    }

    private Key key(TableRow row) {
        Inserted ins = inserted.get(row.id());
        String cluster = row.cluster() != null ? row.cluster()
                : ins != null && ins.meant() != null ? ins.meant() : NO_CLUSTER;
        return new Key(cluster, row.vmid());
    }

    private void problem(Key key, String text) {
        problems.computeIfAbsent(key, k -> new ArrayList<>()).add(text);
    }

    private static List<String> lines(Map<Key, List<String>> byKey) {
        List<String> out = new ArrayList<>();
        byKey.forEach((key, texts) -> texts.forEach(t -> out.add(key + ": " + t)));
        return out;
    }

    private static String expected(SimVm vm) {
        return "[" + vm.name() + " " + TruthLog.column(vm) + " " + vm.cores() + " " + vm.memoryMb() + " "
                + vm.diskGb() + " " + vm.node() + " " + vm.ipAddress() + " " + TruthLog.marker(vm) + "]";
    }

    private static String describeWithCluster(TableRow row) {
        return row.describe() + " (cluster " + (row.cluster() == null ? "none" : row.cluster()) + ")";
    }

    private static String describe(List<TableRow> rows) {
        return rows.isEmpty() ? "none" : String.join(", ", rows.stream().map(TableRow::describe).toList());
    }
}
