package io.pvesync.store;

import static io.pvesync.store.Snap.vm;
import static org.assertj.core.api.Assertions.assertThat;

import io.pvesync.config.MissingPolicy;
import io.pvesync.inventory.NodeState;
import io.pvesync.inventory.VmStatus;
import io.pvesync.store.ChangePlan.MissingMark;
import io.pvesync.store.ChangePlan.RowUpdate;
import io.pvesync.store.VmChange.Kind;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The rules of a pass, without a database. */
class ChangePlannerTest {
    private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
    private static final Instant LONG_AGO = NOW.minus(Duration.ofDays(30));
    private static final ApplyOptions POLL = new ApplyOptions(false, false, java.util.Set.of("other"), MissingPolicy.DEFAULT);
    private static final ApplyOptions SOLE = new ApplyOptions(false, false, java.util.Set.of(), MissingPolicy.DEFAULT);

    private static StoredRow row(int id, String cluster, int vmid, String node, String status, String incarnation) {
        return new StoredRow(id, cluster, LONG_AGO,
                new RowValues(vmid, "vm" + vmid, null, status, 2, 2048, 32, node, incarnation));
    }

    private static StoredRow live(int id, int vmid, String node) {
        return row(id, "lab", vmid, node, "running", null);
    }

    @Test
    void unchangedVmIsNotWrittenAndReconcileOnlyTouchesIt() {
        List<StoredRow> rows = List.of(live(1, 100, "pve1"));
        var snapshot = Snap.of("lab").vm(vm(100, "pve1", "vm100")).build();

        ChangePlan poll = ChangePlanner.plan(snapshot, POLL, rows, NOW);
        ChangePlan reconcile = ChangePlanner.plan(snapshot, new ApplyOptions(true, false, java.util.Set.of("other"), MissingPolicy.DEFAULT),
                rows, NOW);

        assertThat(poll.isEmpty()).isTrue();
        assertThat(poll.result().unchanged()).isEqualTo(1);
        assertThat(reconcile.touches()).containsExactly(1);
        assertThat(reconcile.updates()).isEmpty();
        assertThat(reconcile.result().changes()).isEmpty();
    }

    @Test
    void unknownValuesKeepTheStoredOnes() {
        StoredRow stored = new StoredRow(1, "lab", LONG_AGO,
                new RowValues(100, "vm100", "10.0.0.1", "running", 2, 2048, 32, "pve1", "m1"));

        ChangePlan plan = ChangePlanner.plan(Snap.of("lab")
                .vm(vm(100, "pve1", "vm100", VmStatus.RUNNING, null, null, null, null, null)).build(), POLL,
                List.of(stored), NOW);

        assertThat(plan.isEmpty()).isTrue();
    }

    @Test
    void changeDetailNamesEveryChangedColumn() {
        ChangePlan plan = ChangePlanner.plan(Snap.of("lab")
                .vm(vm(100, "pve2", "renamed", VmStatus.STOPPED, 4, 4096, 64, "10.0.0.9", "m1")).build(), POLL,
                List.of(live(1, 100, "pve1")), NOW);

        assertThat(plan.result().changes()).containsExactly(new VmChange(100, Kind.UPDATE,
                "name \"vm100\" -> \"renamed\", status running -> stopped, ip_address NULL -> 10.0.0.9, cpu_cores 2 -> 4,"
                        + " memory_mb 2048 -> 4096, disk_gb 32 -> 64, proxmox_node pve1 -> pve2, incarnation NULL -> m1"));
        assertThat(plan.updates()).containsExactly(new RowUpdate(1,
                new RowValues(100, "renamed", "10.0.0.9", "stopped", 4, 4096, 64, "pve2", "m1"), Kind.UPDATE));
    }

    @Test
    void severalCandidatesAreNotAdoptedAndTheWarningNamesThem() {
        ChangePlan plan = ChangePlanner.plan(Snap.of("lab").vm(vm(100, "pve1", "vm100")).build(), SOLE,
                List.of(row(7, null, 100, "pve1", "stopped", null), row(9, null, 100, "pve1", "stopped", null)), NOW);

        assertThat(plan.updates()).isEmpty();
        assertThat(plan.inserts()).hasSize(1);
        assertThat(plan.warnings()).containsExactly("vmid=100 - not adopted: rows 7, 9 have this VMID and no cluster,"
                + " and which one is this VM is ambiguous; a new row was inserted. If one of those rows is this VM, give"
                + " it proxmox_cluster 'lab' (and retire the row pvesync keeps for the VM: set its retired_at); give a"
                + " row of another cluster its proxmox_cluster");
    }

    @Test
    void candidateOnAForeignNodeIsAdoptedOnlyWhenThisIsTheSoleCluster() {
        List<StoredRow> rows = List.of(row(7, null, 100, "far-away", "stopped", null));
        var snapshot = Snap.of("lab").vm(vm(100, "pve1", "vm100")).build();

        ChangePlan several = ChangePlanner.plan(snapshot, POLL, rows, NOW);
        ChangePlan sole = ChangePlanner.plan(snapshot, SOLE, rows, NOW);

        assertThat(several.inserts()).hasSize(1);
        // a row on a node this cluster does not have is another cluster's (VMIDs collide across clusters)
        assertThat(several.warnings()).isEmpty();
        assertThat(several.updates()).isEmpty();
        assertThat(sole.inserts()).isEmpty();
        assertThat(sole.updates()).extracting(RowUpdate::id).containsExactly(7);
        assertThat(sole.result().changes()).extracting(VmChange::kind).containsExactly(Kind.ADOPT);
    }

    @Test
    void candidateWithAnotherIncarnationIsNotAdopted() {
        ChangePlan plan = ChangePlanner.plan(Snap.of("lab")
                .vm(vm(100, "pve1", "vm100", VmStatus.RUNNING, 2, 2048, 32, null, "new")).build(), SOLE,
                List.of(row(7, null, 100, "pve1", "stopped", "old")), NOW);

        assertThat(plan.updates()).isEmpty();
        assertThat(plan.warnings()).singleElement().asString()
                .contains("row 7 has this VMID and no cluster, but its incarnation old is not this VM's (new)");
    }

    @Test
    void rowsOfOtherClustersAreIgnored() {
        ChangePlan plan = ChangePlanner.plan(Snap.of("lab").vm(vm(100, "pve1", "vm100")).build(), POLL,
                List.of(row(3, "other", 100, "pve1", "running", null), row(4, "other", 101, "pve1", "running", null)), NOW);

        assertThat(plan.inserts()).hasSize(1);
        assertThat(plan.marks()).isEmpty();
    }

    @Test
    void reusedVmidRetiresAndInserts() {
        ChangePlan plan = ChangePlanner.plan(Snap.of("lab")
                .vm(vm(100, "pve1", "vm100", VmStatus.RUNNING, 2, 2048, 32, null, "b")).build(), POLL,
                List.of(row(1, "lab", 100, "pve1", "running", "a")), NOW);

        assertThat(plan.marks()).containsExactly(new MissingMark(1, true));
        assertThat(plan.inserts()).extracting(RowValues::incarnation).containsExactly("b");
        assertThat(plan.result().missing()).isEqualTo(1);
        assertThat(plan.result().inserted()).isEqualTo(1);
    }

    @Test
    void heldVmIsCountedAndNeverMarked() {
        ChangePlan plan = ChangePlanner.plan(Snap.of("lab").vm(vm(100, "pve1", "vm100")).held(101, "pve2").build(),
                POLL, List.of(live(1, 100, "pve1"), live(2, 101, "pve2")), NOW);

        assertThat(plan.result().held()).isEqualTo(1);
        assertThat(plan.marks()).isEmpty();
    }

    @Test
    void vanishedVmIsMarkedOnlyWhereItsNodeAnswered() {
        List<StoredRow> rows = List.of(live(1, 100, "pve1"), live(2, 101, "pve2"), live(3, 102, "pve3"),
                live(4, 103, "gone"), live(5, 104, null));
        var snapshot = Snap.of("lab").node("pve1", NodeState.ONLINE).node("pve2", NodeState.OFFLINE)
                .node("pve3", NodeState.UNKNOWN).build();

        ChangePlan plan = ChangePlanner.plan(snapshot, POLL, rows, NOW);

        assertThat(plan.marks()).containsExactly(new MissingMark(1, false), new MissingMark(4, false),
                new MissingMark(5, false));
        assertThat(plan.result().changes()).extracting(VmChange::detail).containsExactly(
                "status running -> missing (absent from the listing while its node pve1 was online)",
                "status running -> missing (absent from the listing; its node gone is no longer in the cluster)",
                "status running -> missing (absent from the listing)");
    }

    @Test
    void aSeenVmIsMarkedMissingHoweverYoungItsRowIs() {
        // case 6 of issue 8: the grace period protects only VMs pvesync has not seen yet
        StoredRow young = new StoredRow(1, "lab", NOW.minus(Duration.ofMinutes(1)),
                new RowValues(100, "vm100", null, "running", 2, 2048, 32, "pve1", null));
        List<StoredRow> rows = new ArrayList<>(List.of(young));
        for (int i = 0; i < 20; i++) {
            rows.add(live(10 + i, 200 + i, "pve1"));
        }
        Snap listing = Snap.of("lab").node("pve1", NodeState.ONLINE);
        for (int i = 0; i < 20; i++) {
            listing.vm(vm(200 + i, "pve1", "vm" + (200 + i)));
        }

        ChangePlan plan = ChangePlanner.plan(listing.build(), POLL, rows, NOW);

        assertThat(plan.marks()).containsExactly(new MissingMark(1, false));
    }

    @Test
    void anApplicationRowInsideTheGracePeriodIsLeftAloneAndOnePastItIsMarkedAndAdopted() {
        // case 5 of issue 8: the application's row of a VM that never came
        StoredRow young = new StoredRow(1, null, NOW.minus(Duration.ofMinutes(9)),
                new RowValues(100, "ordered", null, "stopped", null, null, null, "pve1", null));
        StoredRow old = new StoredRow(2, null, NOW.minus(Duration.ofMinutes(10)),
                new RowValues(101, "ordered too", null, "stopped", null, null, null, "pve1", null));
        List<StoredRow> rows = new ArrayList<>(List.of(young, old));
        Snap listing = Snap.of("lab").node("pve1", NodeState.ONLINE);
        for (int i = 0; i < 20; i++) {
            rows.add(live(10 + i, 200 + i, "pve1"));
            listing.vm(vm(200 + i, "pve1", "vm" + (200 + i)));
        }

        ChangePlan plan = ChangePlanner.plan(listing.build(), SOLE, rows, NOW);

        assertThat(plan.marks()).containsExactly(MissingMark.adopting(2));
        assertThat(plan.result().changes()).extracting(VmChange::detail).containsExactly("application row id 2: status"
                + " stopped -> missing, proxmox_cluster NULL -> lab (no such VM in the listing while its node pve1 was"
                + " online)");
    }

    @Test
    void guardAllowsExactlyItsLimitAndStopsOneMore() {
        List<StoredRow> rows = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            rows.add(live(i + 1, 1000 + i, "pve1"));
        }
        rows.add(row(500, "lab", 5000, "pve1", "missing", null));
        Snap tenGone = Snap.of("lab");
        Snap elevenGone = Snap.of("lab");
        for (int i = 10; i < 100; i++) {
            tenGone.vm(vm(1000 + i, "pve1", "vm" + (1000 + i)));
            if (i > 10) {
                elevenGone.vm(vm(1000 + i, "pve1", "vm" + (1000 + i)));
            }
        }

        ChangePlan ten = ChangePlanner.plan(tenGone.build(), POLL, rows, NOW);
        ChangePlan eleven = ChangePlanner.plan(elevenGone.build(), POLL, rows, NOW);

        assertThat(ten.result().missing()).isEqualTo(10);
        assertThat(ten.result().guardTrip()).isEmpty();
        assertThat(eleven.marks()).isEmpty();
        assertThat(eleven.result().guardTrip()).contains("11 of 100 known VMs absent from the listing (limit 10): the"
                + " API token may have lost VM.Audit on some VMs (check the token's ACL: pveum acl list); nothing was"
                + " marked missing (if they were really deleted: pvesync sync --config FILE --cluster lab"
                + " --accept-missing, after a look with --dry-run)");
    }

    @Test
    void missingRowSeenAgainIsRestored() {
        ChangePlan plan = ChangePlanner.plan(Snap.of("lab").vm(vm(100, "pve1", "vm100")).build(), POLL,
                List.of(row(1, "lab", 100, "pve1", "missing", null)), NOW);

        assertThat(plan.result().changes()).containsExactly(new VmChange(100, Kind.RESTORE, "status missing -> running"));
    }

    @Test
    void overlongValuesAreCutAsPostgresqlCountsCharacters() {
        String name = "é".repeat(99) + "🚀🚀";
        ChangePlan plan = ChangePlanner.plan(Snap.of("lab").vm(vm(100, "pve1", name + "\0")).build(), POLL, List.of(), NOW);

        assertThat(plan.inserts()).extracting(RowValues::name).containsExactly("é".repeat(99) + "🚀");
        assertThat(plan.warnings()).containsExactly("vmid=100 - name longer than 100 characters; cut to fit the column");
    }

    @Test
    void duplicateVmidInOneSnapshotIsIgnoredWithAWarning() {
        ChangePlan plan = ChangePlanner.plan(Snap.of("lab").vm(vm(100, "pve1", "a")).vm(vm(100, "pve2", "b")).build(),
                POLL, List.of(), NOW);

        assertThat(plan.inserts()).extracting(RowValues::name).containsExactly("a");
        assertThat(plan.warnings()).containsExactly("vmid=100 - listed twice in one snapshot; the second entry is ignored");
    }
}
