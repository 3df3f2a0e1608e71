package io.pvesync.store;

import io.pvesync.inventory.ObservedVm;
import io.pvesync.inventory.Snapshot;
import io.pvesync.inventory.VmStatus;
import io.pvesync.store.ChangePlan.MissingMark;
import io.pvesync.store.ChangePlan.RowUpdate;
import io.pvesync.store.VmChange.Kind;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Decides what one snapshot changes in the table (DESIGN.md 3.1-3.5), from the rows read at the
 * start of the pass. Pure: no database, no clock, so every rule is testable on its own.
 */
final class ChangePlanner {
    private final Snapshot snapshot;
    private final ApplyOptions options;
    private final Instant now;
    private final Map<Integer, StoredRow> live = new HashMap<>();
    private final Map<Integer, List<StoredRow>> unadopted = new HashMap<>();

    private final List<MissingMark> marks = new ArrayList<>();
    private final List<RowUpdate> updates = new ArrayList<>();
    private final List<RowValues> inserts = new ArrayList<>();
    private final List<Integer> touches = new ArrayList<>();
    private final List<VmChange> changes = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();
    private int unchanged;

    private ChangePlanner(Snapshot snapshot, ApplyOptions options, Collection<StoredRow> rows, Instant now) {
        this.snapshot = snapshot;
        this.options = options;
        this.now = now;
        for (StoredRow row : rows) {
            if (row.cluster() == null) {
                unadopted.computeIfAbsent(row.vmid(), v -> new ArrayList<>()).add(row);
            } else if (row.cluster().equals(snapshot.cluster())) {
                live.put(row.vmid(), row);
            }
        }
    }

    /**
     * The plan for {@code snapshot}.
     *
     * @param rows the cluster's live rows and the application's unadopted rows (no cluster, not
     *             retired) with the snapshot's VMIDs; rows of other clusters are ignored
     * @param now  the database's clock: the grace period is measured against {@code created_at}
     */
    static ChangePlan plan(Snapshot snapshot, ApplyOptions options, Collection<StoredRow> rows, Instant now) {
        return new ChangePlanner(snapshot, options, rows, now).run();
    }

    private ChangePlan run() {
        Set<Integer> seen = new HashSet<>();
        for (ObservedVm vm : snapshot.vms()) {
            if (!seen.add(vm.vmid())) {
                warnings.add("vmid=" + vm.vmid() + " - listed twice in one snapshot; the second entry is ignored");
                continue;
            }
            RowValues observed = ColumnLimits.fit(vm, warnings);
            StoredRow row = live.get(vm.vmid());
            if (row == null) {
                placeNew(observed);
            } else if (isReused(row, observed)) {
                retireAndInsert(row, observed);
            } else {
                refresh(row, observed);
            }
        }
        int held = (int) snapshot.held().keySet().stream()
                .filter(vmid -> !seen.contains(vmid) && live.containsKey(vmid))
                .count();
        Optional<String> guardTrip = markVanished(seen);
        ApplyResult result = new ApplyResult(inserts.size(), updates.size(), unchanged, marks.size(), held,
                guardTrip, changes);
        return new ChangePlan(marks, updates, inserts, touches, result, warnings);
    }

    /** A known VMID whose VM has another incarnation marker than the row: a new VM, not a change. */
    private static boolean isReused(StoredRow row, RowValues observed) {
        String stored = row.values().incarnation();
        return stored != null && observed.incarnation() != null && !stored.equals(observed.incarnation());
    }

    private void refresh(StoredRow row, RowValues observed) {
        RowValues after = row.values().overwrittenBy(observed);
        List<String> differences = row.values().differencesTo(after);
        if (differences.isEmpty()) {
            unchanged++;
            if (options.reconcile()) {
                touches.add(row.id());
            }
            return;
        }
        updates.add(new RowUpdate(row.id(), after));
        Kind kind = row.isMissing() ? Kind.RESTORE : Kind.UPDATE;
        changes.add(new VmChange(row.vmid(), kind, String.join(", ", differences)));
    }

    private void retireAndInsert(StoredRow row, RowValues observed) {
        // the old row keeps its owner: a new VM must never inherit it (under RLS, another
        // customer would see it)
        marks.add(new MissingMark(row.id(), true));
        changes.add(new VmChange(row.vmid(), Kind.RETIRE, "row id " + row.id() + " kept for its owner: incarnation "
                + row.values().incarnation() + " -> " + observed.incarnation() + " (VMID reused), status "
                + row.values().status() + " -> " + VmStatus.MISSING.column()));
        insert(observed);
    }

    private void placeNew(RowValues observed) {
        List<StoredRow> candidates = unadopted.getOrDefault(observed.vmid(), List.of());
        if (candidates.isEmpty()) {
            insert(observed);
            return;
        }
        if (candidates.size() == 1) {
            StoredRow candidate = candidates.get(0);
            Optional<String> obstacle = adoptionObstacle(candidate, observed);
            if (obstacle.isEmpty()) {
                adopt(candidate, observed);
                return;
            }
            warnings.add(notAdopted(observed, "row " + candidate.id() + " has this VMID and no cluster, but "
                    + obstacle.get(), "that row"));
        } else {
            String ids = candidates.stream().map(r -> Integer.toString(r.id())).collect(Collectors.joining(", "));
            warnings.add(notAdopted(observed, "rows " + ids + " have this VMID and no cluster, and which one is this VM"
                    + " is ambiguous", "one of those rows"));
        }
        insert(observed);
    }

    /** Why the application's row may not be this VM's, or empty when adopting it is safe. */
    private Optional<String> adoptionObstacle(StoredRow candidate, RowValues observed) {
        String marker = candidate.values().incarnation();
        if (marker != null && observed.incarnation() != null && !marker.equals(observed.incarnation())) {
            return Optional.of("its incarnation " + marker + " is not this VM's (" + observed.incarnation() + ")");
        }
        String node = candidate.values().node();
        if (options.soleCluster() || (node != null && snapshot.hasNode(node))) {
            return Optional.empty();
        }
        return Optional.of(node == null
                ? "it has no proxmox_node and several clusters are configured"
                : "its node " + node + " is not a node of this cluster");
    }

    private String notAdopted(RowValues observed, String reason, String which) {
        return "vmid=" + observed.vmid() + " - not adopted: " + reason + "; a new row was inserted. If " + which
                + " is this VM, copy its owner_id and notes to the new row (proxmox_cluster '" + snapshot.cluster()
                + "', vmid " + observed.vmid() + ") and set its retired_at; give a row of another cluster its"
                + " proxmox_cluster";
    }

    private void adopt(StoredRow candidate, RowValues observed) {
        RowValues after = candidate.values().overwrittenBy(observed);
        List<String> differences = new ArrayList<>();
        differences.add("proxmox_cluster NULL -> " + snapshot.cluster());
        differences.addAll(candidate.values().differencesTo(after));
        updates.add(new RowUpdate(candidate.id(), after));
        changes.add(new VmChange(observed.vmid(), Kind.ADOPT,
                "row id " + candidate.id() + ": " + String.join(", ", differences)));
    }

    private void insert(RowValues observed) {
        inserts.add(observed);
        changes.add(new VmChange(observed.vmid(), Kind.INSERT, observed.describe()));
    }

    /**
     * Marks the rows whose VMs this listing left out, unless that looks like a permission change
     * rather than real deletions (the guard).
     *
     * @return the guard's reason when it stopped the marking
     */
    private Optional<String> markVanished(Set<Integer> seen) {
        List<StoredRow> known = live.values().stream().filter(r -> !r.isMissing()).toList();
        List<StoredRow> vanished = known.stream()
                .filter(r -> !seen.contains(r.vmid()) && !snapshot.held().containsKey(r.vmid()))
                .filter(this::nodeAnswered)
                .filter(this::pastGrace)
                .sorted(Comparator.comparingInt(StoredRow::vmid))
                .toList();
        int limit = options.missing().limitFor(known.size());
        if (vanished.size() > limit) {
            return Optional.of(vanished.size() + " of " + known.size() + " known VMs absent from the listing (limit "
                    + limit + "): the API token may have lost VM.Audit on some VMs (check the token's ACL:"
                    + " pveum acl list); nothing was marked missing (if they were really deleted: pvesync sync"
                    + " --config FILE --cluster " + snapshot.cluster() + " --accept-missing, after a look with --dry-run)");
        }
        for (StoredRow row : vanished) {
            marks.add(new MissingMark(row.id(), false));
            changes.add(new VmChange(row.vmid(), Kind.MISSING, "status " + row.values().status() + " -> "
                    + VmStatus.MISSING.column() + " (absent from the listing" + whereLastSeen(row) + ")"));
        }
        return Optional.empty();
    }

    /**
     * A VM absent from the listing is news only when the node it was last seen on answered (or is
     * gone from the cluster); on an offline node its absence says nothing.
     */
    private boolean nodeAnswered(StoredRow row) {
        String node = row.values().node();
        return node == null || !snapshot.hasNode(node) || snapshot.isOnline(node);
    }

    /** Young rows are left alone: the application may still be creating the VM. */
    private boolean pastGrace(StoredRow row) {
        return row.createdAt() == null || !row.createdAt().plus(options.missing().grace()).isAfter(now);
    }

    private String whereLastSeen(StoredRow row) {
        String node = row.values().node();
        if (node == null) {
            return "";
        }
        return snapshot.isOnline(node)
                ? " while its node " + node + " was online"
                : "; its node " + node + " is no longer in the cluster";
    }
}
