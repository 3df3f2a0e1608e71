package io.pvesync.soak;

import io.pvesync.inventory.StatusMapping;
import io.pvesync.sim.SimVm;
import io.pvesync.soak.Application.Owned;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Judges the table against the simulator's truth once every fault is over and a full pass has
 * run. Each problem becomes one line of a readable diff; none means the table is right:
 * <ul>
 *   <li>every guest that is not a template has exactly one live row, equal to the truth: name,
 *       status as {@link StatusMapping} maps it, cores, memory, disk, node, and the incarnation
 *       marker of the guest now behind the VMID;</li>
 *   <li>its address equals the truth's when the truth has one; when it has none (a guest that is
 *       not running, or whose agent does not answer, and no static address), the row may keep the
 *       address this same guest showed earlier, as the daemon keeps a known address, or hold none;</li>
 *   <li>every live row whose VMID is gone from the truth is {@code missing};</li>
 *   <li>retired rows exist only for VMIDs that another guest took over, never more than were
 *       replaced, and every row of a VMID names a different guest (no guest has two rows);</li>
 *   <li>every row whose guest is gone still carries values that guest had, never another's, with
 *       one exception DESIGN.md 3.1 accepts: a VMID deleted and taken by a guest of the same name
 *       and status between two polls looks like one guest to a poll (the marker is read when the
 *       name or the status changes), so its row shows the newcomer until a full pass reads the
 *       marker. Such rows are listed as late reuses, not mismatches;</li>
 *   <li>owner and notes are exactly what the application last wrote, or empty where it wrote
 *       nothing (the daemon inserts rows without an owner, and never inherits one).</li>
 * </ul>
 */
final class Comparison {

    /**
     * @param mismatches  the diff, one line per problem, by VMID; empty when the table is right
     * @param lateReuses  rows that showed a same-named newcomer until a full pass, by VMID
     */
    record Verdict(List<String> mismatches, List<String> lateReuses) {
    }

    private final TruthLog history;
    private final Map<Integer, List<String>> problems = new TreeMap<>();
    private final Map<Integer, List<String>> late = new TreeMap<>();

    private Comparison(TruthLog history) {
        this.history = history;
    }

    static Verdict judge(String cluster, List<SimVm> truth, List<TableRow> rows, TruthLog history,
                         Map<Integer, Owned> written) {
        Comparison c = new Comparison(history);
        c.run(cluster, truth, rows, written);
        return new Verdict(lines(c.problems), lines(c.late));
    }

    private void run(String cluster, List<SimVm> truth, List<TableRow> rows, Map<Integer, Owned> written) {
        Map<Integer, SimVm> guests = new HashMap<>();
        truth.stream().filter(vm -> !vm.template()).forEach(vm -> guests.put(vm.vmid(), vm));
        Map<Integer, List<TableRow>> rowsByVmid = new HashMap<>();
        for (TableRow row : rows) {
            if (!cluster.equals(row.cluster())) {
                problem(row.vmid(), row.describe() + " has cluster " + row.cluster() + ", expected " + cluster);
                continue;
            }
            rowsByVmid.computeIfAbsent(row.vmid(), v -> new ArrayList<>()).add(row);
            Owned expected = written.getOrDefault(row.id(), Owned.NONE);
            Owned actual = new Owned(row.ownerId(), row.notes());
            if (!expected.equals(actual)) {
                problem(row.vmid(), row.describe() + " owner/notes " + actual + ", the application left " + expected);
            }
        }
        for (SimVm vm : guests.values()) {
            List<TableRow> live = rowsByVmid.getOrDefault(vm.vmid(), List.of()).stream().filter(TableRow::live).toList();
            if (live.size() != 1) {
                problem(vm.vmid(), live.size() + " live rows for " + expected(vm) + ": " + describe(live));
            } else {
                compareLive(live.get(0), vm);
            }
        }
        rowsByVmid.forEach((vmid, vmidRows) -> {
            if (!guests.containsKey(vmid)) {
                vmidRows.stream().filter(row -> row.live() && !row.missing()).forEach(row ->
                        problem(vmid, row.describe() + ": the guest is gone, expected status missing"));
            }
            compareHistory(vmid, vmidRows);
        });
    }

    private void compareLive(TableRow row, SimVm vm) {
        String marker = TruthLog.marker(vm);
        boolean same = Objects.equals(row.name(), vm.name())
                && Objects.equals(row.status(), StatusMapping.of(vm.status(), vm.lock()).column())
                && Objects.equals(row.cores(), vm.cores())
                && Objects.equals(row.memoryMb(), vm.memoryMb())
                && Objects.equals(row.diskGb(), vm.diskGb())
                && Objects.equals(row.node(), vm.node())
                && Objects.equals(row.incarnation(), marker)
                && addressFits(row, vm.vmid(), marker, vm.ipAddress());
        if (!same) {
            problem(vm.vmid(), row.describe() + ", expected " + expected(vm)
                    + (vm.ipAddress() == null ? " (or an address this guest had)" : ""));
        }
    }

    /** The truth's address; without one, the row may keep what this guest showed before. */
    private boolean addressFits(TableRow row, int vmid, String marker, String truth) {
        if (truth != null) {
            return truth.equals(row.ipAddress());
        }
        return row.ipAddress() == null || history.hadAddress(vmid, marker, row.ipAddress());
    }

    /** Retired rows only where the VMID changed hands; each row's values its own guest's. */
    private void compareHistory(int vmid, List<TableRow> rows) {
        List<TableRow> retired = rows.stream().filter(TableRow::retired).toList();
        if (retired.size() > Math.max(0, history.incarnations(vmid) - 1)) {
            problem(vmid, retired.size() + " retired rows, but only " + history.incarnations(vmid)
                    + " guest(s) held this VMID: " + describe(retired));
        }
        Set<String> markers = new HashSet<>();
        for (TableRow row : rows) {
            if (row.retired() && !row.missing()) {
                problem(vmid, row.describe() + ": retired but not missing");
            }
            String marker = row.incarnation();
            if (marker == null) {
                continue; // the daemon had not read its config yet; nothing to attribute it to
            }
            if (!markers.add(marker)) {
                problem(vmid, row.describe() + ": a second row for the same guest");
            }
            if (!history.knows(vmid, marker)) {
                problem(vmid, row.describe() + ": no guest with this marker ever held this VMID");
            } else if (row.retired() || row.missing()) {
                compareGone(vmid, marker, row);
            }
        }
    }

    private void compareGone(int vmid, String marker, TableRow row) {
        TruthLog.State state = new TruthLog.State(row.name(), orNone(row.cores()), orNone(row.memoryMb()),
                orNone(row.diskGb()), row.node());
        String ip = row.ipAddress();
        boolean ownAddress = ip == null || history.hadAddress(vmid, marker, ip);
        if (!history.had(vmid, marker, state)) {
            Optional<String> newcomer = history.hadName(vmid, marker, row.name())
                    ? history.otherHaving(vmid, marker, state) : Optional.empty();
            if (newcomer.isEmpty()) {
                problem(vmid, row.describe() + ": values its guest never had (another guest's?)");
                return;
            }
            late.computeIfAbsent(vmid, v -> new ArrayList<>()).add(row.describe() + " shows " + newcomer.get()
                    + ", which took the VMID under the same name, until a full pass read the marker");
            // the newcomer's address, or the one kept from before when the newcomer gave none
            ownAddress |= history.hadAddress(vmid, newcomer.get(), ip);
        }
        if (!ownAddress) {
            problem(vmid, row.describe() + ": an address its guest never had");
        }
    }

    private static int orNone(Integer value) {
        return value == null ? -1 : value;
    }

    private void problem(int vmid, String text) {
        problems.computeIfAbsent(vmid, v -> new ArrayList<>()).add(text);
    }

    private static List<String> lines(Map<Integer, List<String>> byVmid) {
        List<String> out = new ArrayList<>();
        byVmid.forEach((vmid, texts) -> texts.forEach(t -> out.add("vmid " + vmid + ": " + t)));
        return out;
    }

    private static String expected(SimVm vm) {
        return "[" + vm.name() + " " + StatusMapping.of(vm.status(), vm.lock()).column() + " " + vm.cores() + " "
                + vm.memoryMb() + " " + vm.diskGb() + " " + vm.node() + " " + vm.ipAddress() + " "
                + TruthLog.marker(vm) + "]";
    }

    private static String describe(List<TableRow> rows) {
        return rows.isEmpty() ? "none" : String.join(", ", rows.stream().map(TableRow::describe).toList());
    }
}
