package io.pvesync.store;

import io.pvesync.config.MissingPolicy;
import io.pvesync.inventory.Doubt;
import io.pvesync.inventory.NodeState;
import io.pvesync.inventory.ObservedVm;
import io.pvesync.inventory.Snapshot;
import io.pvesync.inventory.VmKind;
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
 * Decides what one snapshot changes in the table (DESIGN.md 3.1-3.5, 3.10), from the rows read at
 * the start of the pass. Pure: no database, no clock, so every rule is testable on its own.
 *
 * <p>Per listed guest with a live row of the cluster: the same VM (its marker, see
 * {@link #notTheSameVm}) is refreshed, or, when an application row for it came late, the
 * application's row takes over; another VM under the VMID retires the row (guarded) and gets a
 * row of its own. A guest without a row adopts the application's row for it when that is
 * provable, else gets a new row. Rows whose VMs left the listing are marked missing (guarded).
 */
final class ChangePlanner {
    private final Snapshot snapshot;
    private final ApplyOptions options;
    private final OtherClusters others;
    private final Instant now;
    private final Map<Integer, StoredRow> live = new HashMap<>();
    private final Map<Integer, List<StoredRow>> unadopted = new HashMap<>();

    private final List<MissingMark> marks = new ArrayList<>();
    private final List<RowUpdate> updates = new ArrayList<>();
    private final List<RowValues> inserts = new ArrayList<>();
    private final List<Integer> touches = new ArrayList<>();
    private final List<VmChange> changes = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();
    private final List<Retirement> retirements = new ArrayList<>();
    private final Set<Integer> guarded = new HashSet<>();
    private int unchanged;

    /** A row whose VMID now names another VM, waiting for the retirement guard. */
    private record Retirement(StoredRow row, RowValues observed, String why) {
    }

    private ChangePlanner(Snapshot snapshot, ApplyOptions options, Collection<StoredRow> rows, Instant now,
                          Map<String, Set<String>> recordedNodes) {
        this.snapshot = snapshot;
        this.options = options;
        // the configured clusters only (DESIGN.md 3.10): a cluster renamed or removed from the
        // configuration leaves its recorded nodes behind, and must not block adoption forever
        Map<String, Set<String>> configured = new HashMap<>(recordedNodes);
        configured.keySet().retainAll(options.otherClusters());
        this.others = new OtherClusters(options.otherClusters(), configured);
        this.now = now;
        for (StoredRow row : rows) {
            if (row.cluster() == null) {
                unadopted.computeIfAbsent(row.vmid(), v -> new ArrayList<>()).add(row);
            } else if (row.cluster().equals(snapshot.cluster())) {
                live.put(row.vmid(), row);
            }
        }
    }

    /** As {@link #plan(Snapshot, ApplyOptions, Collection, Instant, Map)} with no other cluster listed yet. */
    static ChangePlan plan(Snapshot snapshot, ApplyOptions options, Collection<StoredRow> rows, Instant now) {
        return plan(snapshot, options, rows, now, Map.of());
    }

    /**
     * The plan for {@code snapshot}.
     *
     * @param rows          the cluster's live rows and the application's unadopted rows (no cluster,
     *                      not retired); rows of other clusters are ignored
     * @param now           the database's clock: the grace period of application rows is measured
     *                      against their {@code created_at}
     * @param recordedNodes the nodes of the other configured clusters as their listings last showed
     *                      them, by cluster (a cluster never listed has no entry)
     */
    static ChangePlan plan(Snapshot snapshot, ApplyOptions options, Collection<StoredRow> rows, Instant now,
                           Map<String, Set<String>> recordedNodes) {
        return new ChangePlanner(snapshot, options, rows, now, recordedNodes).run();
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
                continue;
            }
            if (markerLost(row, vm)) {
                // an smbios1 edited without its uuid: the same VM, whose row keeps the marker it had
                warnings.add("vmid=" + vm.vmid() + " - its config has no smbios1 uuid any more (" + vm.incarnation()
                        + "); the row keeps " + row.values().incarnation() + " (give the VM its uuid back:"
                        + " qm set " + vm.vmid() + " --smbios1 uuid=" + row.values().incarnation().substring(5) + ")");
                observed = observed.withIncarnation(row.values().incarnation());
            }
            String another = notTheSameVm(row, vm.withIncarnation(observed.incarnation()));
            if (another != null && options.partial()) {
                guarded.add(row.vmid()); // the pass's last write retires, under the guard
            } else if (another != null) {
                retirements.add(new Retirement(row, observed, another));
            } else if (options.partial() || !lateApplicationRow(row, observed)) {
                refresh(row, observed);
            }
        }
        Optional<String> retireTrip = retireOrHold();
        int held = (int) snapshot.held().keySet().stream()
                .filter(vmid -> !seen.contains(vmid) && live.containsKey(vmid))
                .count() + guarded.size();
        Optional<String> missingTrip = options.partial() ? Optional.empty() : markVanished(seen);
        Optional<String> trip = retireTrip.isEmpty() ? missingTrip
                : Optional.of(retireTrip.get() + missingTrip.map(m -> "; " + m).orElse(""));
        ApplyResult result = new ApplyResult(inserts.size(), updates.size(), unchanged, marks.size(), held,
                trip, changes, guarded);
        return new ChangePlan(marks, updates, inserts, touches, result, warnings);
    }

    /**
     * A QEMU row with a uuid whose config, read now outside any lifecycle event, has none: an
     * {@code smbios1} edited without its uuid, not another VM (qemu-server gives every VM it
     * creates or clones a uuid).
     */
    private static boolean markerLost(StoredRow row, ObservedVm vm) {
        String stored = row.values().incarnation();
        String seen = vm.incarnation();
        return vm.doubt() != Doubt.LIFECYCLE && vm.kind() == VmKind.QEMU && stored != null
                && stored.startsWith("uuid:") && seen != null && !seen.startsWith("uuid:");
    }

    /**
     * Why the listed guest is not the VM its row describes, or null when it is (DESIGN.md 3.1).
     * <ul>
     *   <li>Not in doubt, or in doubt only because its name or status changed while the task list
     *       could not vouch ({@link Doubt#CHANGED}): two different markers tell another VM. A row in
     *       the older {@code ctime:} form that the guest's config also shows is the same VM and gets
     *       the new marker; a row without a marker gets the guest's.</li>
     *   <li>After a destroy, create or restore of the VMID, or a row that was missing
     *       ({@link Doubt#LIFECYCLE}): the same VM only when both markers exist and are equal (a
     *       {@code ctime:} shared with a clone's template proves nothing).</li>
     * </ul>
     */
    private static String notTheSameVm(StoredRow row, ObservedVm vm) {
        String stored = row.values().incarnation();
        String seen = vm.incarnation();
        if (vm.doubt() != Doubt.LIFECYCLE) {
            boolean another = stored != null && seen != null && !stored.equals(seen) && !stored.equals(vm.sameAs());
            return another ? "incarnation " + stored + " -> " + seen : null;
        }
        if (stored != null && seen != null) {
            return stored.equals(seen) ? null : "incarnation " + stored + " -> " + seen;
        }
        if (stored == null && seen == null) {
            return "after a destroy, create or restore of the VMID, neither the row nor the config has an incarnation"
                    + " marker to show it is the same VM";
        }
        return stored == null
                ? "after a destroy, create or restore of the VMID, the row has no incarnation marker to show it is"
                + " this VM (" + seen + ")"
                : "its config shows no incarnation marker, the row has " + stored;
    }

    private void refresh(StoredRow row, RowValues observed) {
        RowValues after = row.values().overwrittenBy(observed);
        List<String> differences = row.values().differencesTo(after);
        if (differences.isEmpty()) {
            unchanged++;
            if (options.reconcile() && !options.partial()) {
                touches.add(row.id());
            }
            return;
        }
        Kind kind = row.isMissing() ? Kind.RESTORE : Kind.UPDATE;
        updates.add(new RowUpdate(row.id(), after, kind));
        changes.add(new VmChange(row.vmid(), kind, String.join(", ", differences)));
    }

    /**
     * The application wrote its row for a VM this cluster already keeps in an unowned row of its
     * own (DESIGN.md 3.10): the application's row becomes the live row, as it carries the owner,
     * and pvesync's is retired, never deleted.
     *
     * @return whether the application's row took over
     */
    private boolean lateApplicationRow(StoredRow row, RowValues observed) {
        List<StoredRow> candidates = candidates(observed.vmid());
        if (candidates.isEmpty()) {
            return false;
        }
        String ids = ids(candidates);
        if (candidates.size() > 1) {
            warnings.add("vmid=" + observed.vmid() + " - application rows " + ids + " have this VMID and no cluster;"
                    + " which one is this VM is ambiguous, so row " + row.id() + " stays its row");
            return false;
        }
        StoredRow late = candidates.get(0);
        if (row.ownerId() != null) {
            warnings.add("vmid=" + observed.vmid() + " - application row " + ids + " has this VMID and no cluster, but"
                    + " row " + row.id() + " already holds this VM and has an owner; row " + ids + " is left as it is");
            return false;
        }
        Optional<String> obstacle = adoptionObstacle(late, observed);
        if (obstacle.isPresent()) {
            warnings.add(notAdopted(observed, "row " + ids + " has this VMID and no cluster, but " + obstacle.get()
                    + "; row " + row.id() + " stays its row", "that row"));
            return false;
        }
        marks.add(new MissingMark(row.id(), true));
        changes.add(new VmChange(row.vmid(), Kind.RETIRE, "row id " + row.id() + " retired: the application's row "
                + late.id() + " for this VM takes over"));
        adopt(late, row.values().overwrittenBy(observed));
        return true;
    }

    /**
     * Retires the rows of VMIDs now naming another VM and gives those VMs their own rows, unless
     * that many at once looks like a mass marker change: then nothing is retired, those guests are
     * held, and the reason is returned.
     */
    private Optional<String> retireOrHold() {
        // a row already missing whose VMID now names another VM is ordinary reuse, not a marker change
        List<Retirement> changed = retirements.stream().filter(r -> !r.row().isMissing()).toList();
        int known = (int) live.values().stream().filter(r -> !r.isMissing()).filter(this::knownBeforeThePass).count();
        if (!changed.isEmpty() && options.missing().trips(changed.size(), known)) {
            changed.forEach(r -> guarded.add(r.row().vmid()));
            retirements.removeAll(changed);
            retirements.forEach(this::retireAndPlace);
            return Optional.of(changed.size() + " of " + known + " known VMs would be retired as other VMs under"
                    + " their VMIDs (limit " + options.missing().limitFor(known) + "): so many incarnation markers"
                    + " changing at once is more likely a change in how Proxmox reports them than real reuse;"
                    + " nothing was retired and those guests are held (if the VMIDs really were reused: pvesync sync"
                    + " --config FILE --cluster " + snapshot.cluster() + " --accept-missing, after a look with"
                    + " --dry-run)");
        }
        retirements.forEach(this::retireAndPlace);
        return Optional.empty();
    }

    /** Not a row an earlier write of this pass inserted: the guards count what the cluster had before. */
    private boolean knownBeforeThePass(StoredRow row) {
        return !options.insertedEarlier().contains(row.vmid());
    }

    private void retireAndPlace(Retirement r) {
        // the old row keeps its owner: a new VM must never inherit it (under RLS, another customer
        // would see it)
        marks.add(new MissingMark(r.row().id(), true));
        changes.add(new VmChange(r.row().vmid(), Kind.RETIRE, "row id " + r.row().id() + " kept for its owner: "
                + r.why() + " (VMID reused), status " + r.row().values().status() + " -> " + VmStatus.MISSING.column()));
        placeNew(r.observed());
    }

    private void placeNew(RowValues observed) {
        List<StoredRow> candidates = candidates(observed.vmid());
        if (candidates.isEmpty()) {
            insert(observed);
            return;
        }
        if (options.partial()) {
            // the application's row is there already; whether it is this VM's is decided by the
            // pass's last write, with the marker the pass read (an early insert would be a second row)
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
                    + obstacle.get() + "; a new row was inserted", "that row"));
        } else {
            warnings.add(notAdopted(observed, "rows " + ids(candidates) + " have this VMID and no cluster, and which one"
                    + " is this VM is ambiguous; a new row was inserted", "one of those rows"));
        }
        insert(observed);
    }

    /**
     * The application's rows that may be this VMID's in this cluster: unadopted, not given up as
     * missing, and not provably another cluster's (a row whose node only another cluster has is
     * that cluster's business, and says nothing here).
     */
    private List<StoredRow> candidates(int vmid) {
        return unadopted.getOrDefault(vmid, List.of()).stream().filter(r -> !r.isMissing())
                .filter(r -> !othersNode(r)).toList();
    }

    /** Whether the row names a node this cluster does not have (several clusters configured). */
    private boolean othersNode(StoredRow row) {
        String node = row.values().node();
        return !others.names().isEmpty() && node != null && !snapshot.hasNode(node);
    }

    /** Why the application's row may not be this VM's, or empty when adopting it is provably right. */
    private Optional<String> adoptionObstacle(StoredRow candidate, RowValues observed) {
        String marker = candidate.values().incarnation();
        if (marker != null && observed.incarnation() != null && !marker.equals(observed.incarnation())) {
            return Optional.of("its incarnation " + marker + " is not this VM's (" + observed.incarnation() + ")");
        }
        return others.whyNotProvable(candidate.values().node(), snapshot.cluster(), snapshot.nodes().keySet());
    }

    private String notAdopted(RowValues observed, String reason, String which) {
        return "vmid=" + observed.vmid() + " - not adopted: " + reason + ". If " + which + " is this VM, give it"
                + " proxmox_cluster '" + snapshot.cluster() + "' (and retire the row pvesync keeps for the VM: set its"
                + " retired_at); give a row of another cluster its proxmox_cluster";
    }

    private void adopt(StoredRow candidate, RowValues observed) {
        RowValues after = candidate.values().overwrittenBy(observed);
        List<String> differences = new ArrayList<>();
        differences.add("proxmox_cluster NULL -> " + snapshot.cluster());
        differences.addAll(candidate.values().differencesTo(after));
        updates.add(new RowUpdate(candidate.id(), after, Kind.ADOPT));
        changes.add(new VmChange(observed.vmid(), Kind.ADOPT,
                "row id " + candidate.id() + ": " + String.join(", ", differences)));
    }

    private void insert(RowValues observed) {
        inserts.add(observed);
        changes.add(new VmChange(observed.vmid(), Kind.INSERT, observed.describe()));
    }

    /**
     * Marks the rows whose VMs this listing left out (DESIGN.md 3.5, 3.10): the cluster's rows at
     * once, however young; the application's rows for VMs never seen once past the grace period
     * and provably this cluster's. Nothing is marked when that looks like a permission change
     * rather than real deletions (the guard).
     *
     * @return the guard's reason when it stopped the marking
     */
    private Optional<String> markVanished(Set<Integer> seen) {
        List<StoredRow> known = live.values().stream().filter(r -> !r.isMissing()).filter(this::knownBeforeThePass)
                .toList();
        List<StoredRow> vanished = known.stream()
                .filter(r -> !seen.contains(r.vmid()) && !snapshot.held().containsKey(r.vmid()))
                .filter(this::nodeAnswered)
                .sorted(Comparator.comparingInt(StoredRow::vmid))
                .toList();
        List<StoredRow> neverSeen = neverSeen(seen);
        int affected = vanished.size() + neverSeen.size();
        int total = known.size() + neverSeen.size();
        MissingPolicy policy = options.missing();
        // "every known VM" is about the cluster's own rows: two stale application rows are no cluster
        if (policy.guarded() && (affected > policy.limitFor(total)
                || known.size() >= 2 && vanished.size() >= known.size())) {
            return Optional.of(affected + " of " + total + " known VMs absent from the listing (limit "
                    + options.missing().limitFor(total) + "): the API token may have lost VM.Audit on some VMs (check"
                    + " the token's ACL: pveum acl list); nothing was marked missing (if they were really deleted:"
                    + " pvesync sync --config FILE --cluster " + snapshot.cluster() + " --accept-missing, after a look"
                    + " with --dry-run)");
        }
        for (StoredRow row : vanished) {
            marks.add(new MissingMark(row.id(), false));
            changes.add(new VmChange(row.vmid(), Kind.MISSING, "status " + row.values().status() + " -> "
                    + VmStatus.MISSING.column() + " (absent from the listing" + whereLastSeen(row) + ")"));
        }
        for (StoredRow row : neverSeen) {
            marks.add(MissingMark.adopting(row.id()));
            changes.add(new VmChange(row.vmid(), Kind.MISSING, "application row id " + row.id() + ": status "
                    + row.values().status() + " -> " + VmStatus.MISSING.column() + ", proxmox_cluster NULL -> "
                    + snapshot.cluster() + " (no such VM in the listing" + whereLastSeen(row) + ")"));
        }
        return Optional.empty();
    }

    /**
     * The application's rows whose VM the listing does not show although the row is past the
     * grace period and provably this cluster's (DESIGN.md 3.10): that VM does not exist. A row
     * whose VMID another row of the cluster (or another application row) already has is left alone:
     * it could not become the VMID's live row.
     */
    private List<StoredRow> neverSeen(Set<Integer> seen) {
        List<StoredRow> out = new ArrayList<>();
        for (int vmid : unadopted.keySet()) {
            List<StoredRow> waiting = candidates(vmid);
            if (waiting.size() != 1) {
                continue;
            }
            StoredRow row = waiting.get(0);
            if (seen.contains(row.vmid()) || snapshot.held().containsKey(row.vmid()) || live.containsKey(row.vmid())
                    || !pastGrace(row) || !nodeOnlineHere(row)
                    || others.whyNotProvable(row.values().node(), snapshot.cluster(), snapshot.nodes().keySet())
                    .isPresent()) {
                continue;
            }
            out.add(row);
        }
        out.sort(Comparator.comparingInt(StoredRow::vmid));
        return out;
    }

    /**
     * A VM absent from the listing is news only when the node it was last seen on answered (or is
     * gone from the cluster); on an offline node its absence says nothing.
     */
    private boolean nodeAnswered(StoredRow row) {
        String node = row.values().node();
        return node == null || !snapshot.hasNode(node) || snapshot.isOnline(node);
    }

    /**
     * An application row's VM is known not to exist only when its node is an online node of this
     * cluster (or, with one cluster configured and no node named, when the listing is whole).
     */
    private boolean nodeOnlineHere(StoredRow row) {
        String node = row.values().node();
        return node == null ? others.names().isEmpty() && snapshot.nodes().values().stream()
                .allMatch(state -> state == NodeState.ONLINE) && !snapshot.nodes().isEmpty()
                : snapshot.isOnline(node);
    }

    /** Young application rows are left alone: the application may still be creating the VM. */
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

    private static String ids(List<StoredRow> rows) {
        return rows.stream().map(r -> Integer.toString(r.id())).collect(Collectors.joining(", "));
    }
}
