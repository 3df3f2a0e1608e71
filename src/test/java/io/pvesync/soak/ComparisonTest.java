package io.pvesync.soak;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvesync.sim.AgentState;
import io.pvesync.sim.SimVm;
import io.pvesync.soak.Application.Inserted;
import io.pvesync.soak.Application.Kind;
import io.pvesync.soak.Application.Owned;
import io.pvesync.soak.Comparison.ClusterTruth;
import io.pvesync.soak.Comparison.Grace;
import io.pvesync.soak.TruthLog.Handover;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The soak's judge on hand-made tables: a right table passes, and each kind of wrong one is named.
 * Each case is a rule of DESIGN.md (3.1 identity, 3.5 vanished VMs, 3.10 application rows).
 */
class ComparisonTest {

    // VMID 101 was web-101, stopped with its DHCP address kept; then deleted and taken by db-101
    private static final SimVm OLD = vm(101, "web-101", "running", 2, "u1", "10.0.0.1");
    private static final SimVm OLD_STOPPED = vm(101, "web-101", "stopped", 2, "u1", null);
    private static final SimVm NEW = vm(101, "db-101", "running", 4, "u2", "10.0.0.2");
    private static final SimVm GONE = vm(102, "ci-102", "stopped", 1, "u3", null);
    private static final SimVm PAUSED = vm(103, "app-103", "paused", 2, "u4", null);
    private static final SimVm PAUSED_RUNNING = vm(103, "app-103", "running", 2, "u4", "10.0.0.3");

    private static final Instant FINAL_PASS = Instant.parse("2026-03-01T10:00:00Z");
    private static final Grace GRACE = new Grace(FINAL_PASS.minus(Duration.ofMinutes(10)),
            FINAL_PASS.minus(Duration.ofMinutes(10)).plusSeconds(5));
    private static final Instant AN_HOUR_AGO = FINAL_PASS.minus(Duration.ofHours(1));
    private static final Instant JUST_NOW = FINAL_PASS.minusSeconds(10);

    private final TruthLog history = new TruthLog();

    ComparisonTest() {
        history.record(List.of(OLD, GONE, PAUSED_RUNNING));
        history.record(List.of(OLD_STOPPED, GONE, PAUSED));
        history.record(List.of(NEW, PAUSED));
    }

    private static SimVm vm(int vmid, String name, String status, int cores, String uuid, String ip) {
        return vm(vmid, name, status, cores, uuid, ip, "pve1");
    }

    private static SimVm vm(int vmid, String name, String status, int cores, String uuid, String ip, String node) {
        return new SimVm(vmid, SimVm.Kind.QEMU, name, node, status, null, cores, 2048, 32, ip, false, 1000,
                "BC:24:11:00:00:0" + vmid % 10, uuid, AgentState.RUNNING);
    }

    private static TableRow row(int id, SimVm vm, String status, String ip, boolean retired, Integer owner) {
        return new TableRow(id, vm.vmid(), "lab", vm.name(), status, vm.cores(), vm.memoryMb(), vm.diskGb(), vm.node(),
                ip, TruthLog.marker(vm), retired, owner, null);
    }

    /** What the daemon should have left: the old 101 retired with its owner, the new one, 102 missing, 103 paused. */
    private static List<TableRow> right() {
        return List.of(row(1, OLD, "missing", "10.0.0.1", true, 7), row(2, GONE, "missing", null, false, null),
                row(3, PAUSED, "paused", "10.0.0.3", false, null), row(4, NEW, "running", "10.0.0.2", false, null));
    }

    private List<String> judge(List<TableRow> rows) {
        return Comparison.judge(List.of(new ClusterTruth("lab", List.of(NEW, PAUSED), history, Set.of())), rows,
                Map.of(1, new Owned(7, null)), Map.of(), GRACE).mismatches();
    }

    private static List<TableRow> replace(List<TableRow> rows, TableRow changed) {
        return rows.stream().map(r -> r.id() == changed.id() ? changed : r).toList();
    }

    private static List<TableRow> plus(List<TableRow> rows, TableRow... more) {
        List<TableRow> all = new ArrayList<>(rows);
        all.addAll(List.of(more));
        return all;
    }

    @Test
    void rightTableHasNoMismatch() {
        assertThat(judge(right())).isEmpty();
    }

    @Test
    void wrongValueOfALiveRowIsShownAgainstTheTruth() {
        List<TableRow> rows = replace(right(), row(4, NEW, "stopped", "10.0.0.2", false, null));

        assertThat(judge(rows)).containsExactly("lab vmid 101: row 4 [db-101 stopped 4 2048 32 pve1 10.0.0.2 uuid:u2]"
                + ", expected [db-101 running 4 2048 32 pve1 10.0.0.2 uuid:u2]");
    }

    @Test
    void guestWithoutItsLiveRowIsReported() {
        List<TableRow> rows = right().stream().filter(r -> r.id() != 4).toList();

        assertThat(judge(rows)).containsExactly(
                "lab vmid 101: 0 live rows for [db-101 running 4 2048 32 pve1 10.0.0.2 uuid:u2]: none");
    }

    @Test
    void vanishedGuestThatIsNotMissingIsReported() {
        List<TableRow> rows = replace(right(), row(2, GONE, "stopped", null, false, null));

        assertThat(judge(rows)).containsExactly("lab vmid 102: row 2 [ci-102 stopped 1 2048 32 pve1 null uuid:u3]:"
                + " the guest is gone, expected status missing");
    }

    @Test
    void ownerOrNotesOtherThanTheApplicationLeftAreReported() {
        List<TableRow> rows = replace(replace(right(), row(1, OLD, "missing", "10.0.0.1", true, 8)),
                row(4, NEW, "running", "10.0.0.2", false, 7));

        assertThat(judge(rows)).containsExactly(
                "lab vmid 101: row 1 [web-101 missing 2 2048 32 pve1 10.0.0.1 uuid:u1 retired] owner/notes"
                        + " Owned[ownerId=8, notes=null], the application left Owned[ownerId=7, notes=null]",
                "lab vmid 101: row 4 [db-101 running 4 2048 32 pve1 10.0.0.2 uuid:u2] owner/notes"
                        + " Owned[ownerId=7, notes=null], the application left Owned[ownerId=null, notes=null]");
    }

    @Test
    void retiredRowOfAVmidNobodyReusedIsReported() {
        List<TableRow> rows = replace(right(), row(2, GONE, "missing", null, true, null));

        assertThat(judge(rows)).containsExactly("lab vmid 102: 1 retired rows, but only 1 guest(s) held this VMID and"
                + " the application wrote 0 row(s) for it: row 2 [ci-102 missing 1 2048 32 pve1 null uuid:u3 retired]",
                "lab vmid 102: row 2 [ci-102 missing 1 2048 32 pve1 null uuid:u3 retired]: retired, but no other guest"
                        + " took the VMID after it");
    }

    @Test
    void keptAddressMustBeTheSameGuests() {
        // 103 is paused: it may keep the address it had while running, never the old 101's
        List<TableRow> rows = replace(right(), row(3, PAUSED, "paused", "10.0.0.1", false, null));

        assertThat(judge(rows)).containsExactly("lab vmid 103: row 3 [app-103 paused 2 2048 32 pve1 10.0.0.1 uuid:u4]"
                + ", expected [app-103 paused 2 2048 32 pve1 null uuid:u4] (or an address this guest had)");
        assertThat(judge(replace(right(), row(3, PAUSED, "paused", null, false, null)))).isEmpty();
    }

    @Test
    void retiredRowShowingTheNextGuestIsReported() {
        // the old owner's row was written over with db-101's values although the name told of the reuse
        TableRow overwritten = new TableRow(1, 101, "lab", "db-101", "missing", 4, 2048, 32, "pve1", "10.0.0.2",
                "uuid:u1", true, 7, null);

        assertThat(judge(replace(right(), overwritten))).containsExactly(
                "lab vmid 101: row 1 [db-101 missing 4 2048 32 pve1 10.0.0.2 uuid:u1 retired]: values its guest never"
                        + " had (another guest's?)");
    }

    @Test
    void secondRowOfOneGuestIsReported() {
        List<TableRow> rows = replace(right(), row(1, NEW, "missing", "10.0.0.2", true, 7));

        assertThat(judge(rows)).containsExactly("lab vmid 101: row 4 [db-101 running 4 2048 32 pve1 10.0.0.2 uuid:u2]:"
                + " a second row for the same guest as row 1 [db-101 missing 4 2048 32 pve1 10.0.0.2 uuid:u2 retired]",
                "lab vmid 101: row 1 [db-101 missing 4 2048 32 pve1 10.0.0.2 uuid:u2 retired]: retired, but no other"
                        + " guest took the VMID after it");
    }

    @Test
    void restoreOfTheGuestsOwnBackupKeepsItsRow() {
        // 105 backed up with 2 cores, resized to 8, restored: the same guest (same uuid) with 2 cores again
        SimVm before = vm(105, "web-105", "running", 2, "u9", "10.0.0.5");
        SimVm resized = vm(105, "web-105", "running", 8, "u9", "10.0.0.5");
        SimVm restored = vm(105, "web-105", "stopped", 2, "u9", null);
        TruthLog log = new TruthLog();
        assertThat(log.record(List.of(before))).isEmpty();
        assertThat(log.record(List.of(resized))).isEmpty();
        assertThat(log.record(List.of(restored))).isEmpty();
        ClusterTruth truth = new ClusterTruth("lab", List.of(restored), log, Set.of());
        TableRow follows = row(1, restored, "stopped", "10.0.0.5", false, 7);

        assertThat(Comparison.judge(List.of(truth), List.of(follows), Map.of(1, new Owned(7, null)), Map.of(), GRACE)
                .mismatches()).isEmpty();
        // retiring the owner's row and giving the restored guest a new one is wrong: nobody took the VMID
        TableRow retired = row(1, resized, "missing", "10.0.0.5", true, 7);
        TableRow fresh = row(2, restored, "stopped", "10.0.0.5", false, null);
        assertThat(Comparison.judge(List.of(truth), List.of(retired, fresh), Map.of(1, new Owned(7, null)), Map.of(),
                GRACE).mismatches()).containsExactly("lab vmid 105: 1 retired rows, but only 1 guest(s) held this VMID"
                + " and the application wrote 0 row(s) for it: row 1 [web-105 missing 8 2048 32 pve1 10.0.0.5 uuid:u9"
                + " retired]", "lab vmid 105: row 2 [web-105 stopped 2 2048 32 pve1 10.0.0.5"
                + " uuid:u9]: a second row for the same guest as row 1 [web-105 missing 8 2048 32 pve1 10.0.0.5 uuid:u9"
                + " retired]", "lab vmid 105: row 1 [web-105 missing 8 2048 32 pve1 10.0.0.5 uuid:u9 retired]: retired,"
                + " but no other guest took the VMID after it");
    }

    @Test
    void guestBeingClonedOrRestoredIsNotRecorded() {
        SimVm cloning = new SimVm(106, SimVm.Kind.QEMU, "VM 106", "pve1", "stopped", "clone", 1, 512, 0, null, false,
                0, null, null, AgentState.OFF);
        SimVm cloned = vm(106, "clone-106", "stopped", 2, "u10", null);
        TruthLog log = new TruthLog();

        assertThat(log.record(List.of(cloning))).isEmpty();
        assertThat(log.used(106)).isFalse();
        // with a marker already, but still busy: not recorded either
        assertThat(log.record(List.of(cloned), List.of(106))).isEmpty();
        assertThat(log.used(106)).isFalse();
        assertThat(log.record(List.of(cloned))).isEmpty();
        assertThat(log.incarnations(106)).isEqualTo(1);
    }

    @Test
    void sameNamedNewcomerIsALateReuseOnlyWhenThePollCouldNotSeeIt() {
        // VMID 104 "web-104" deleted and taken by another "web-104", running both, and the node's task
        // list lost the destroy and create before a poll read it: only a full pass tells them apart
        SimVm first = vm(104, "web-104", "running", 2, "u5", "10.0.0.4");
        SimVm second = vm(104, "web-104", "running", 8, "u6", "10.0.0.5");
        TruthLog reused = new TruthLog();
        reused.record(List.of(first));
        List<Handover> handovers = reused.record(List.of(second));
        assertThat(handovers).containsExactly(new Handover(104, "uuid:u5", "web-104", "running", "uuid:u6"));
        // the newcomer's sizes; the address kept from the first, as the newcomer's lookup was not due
        TableRow old = new TableRow(1, 104, "lab", "web-104", "missing", 8, 2048, 32, "pve1", "10.0.0.4",
                "uuid:u5", true, null, null);
        List<TableRow> rows = List.of(old, row(2, second, "running", "10.0.0.5", false, null));
        ClusterTruth unseen = new ClusterTruth("lab", List.of(second), reused, Set.copyOf(handovers));

        Comparison.Verdict verdict = Comparison.judge(List.of(unseen), rows, Map.of(), Map.of(), GRACE);

        assertThat(verdict.mismatches()).isEmpty();
        assertThat(verdict.lateReuses()).containsExactly("lab vmid 104: row 1 [web-104 missing 8 2048 32 pve1 10.0.0.4"
                + " uuid:u5 retired] shows uuid:u6, which took the VMID under the same name and status while the task"
                + " list was cut short, until a full pass read the marker");
        // without an address (none known yet) it is the same late reuse
        TableRow noAddress = new TableRow(1, 104, "lab", "web-104", "missing", 8, 2048, 32, "pve1", null,
                "uuid:u5", true, null, null);
        Comparison.Verdict bare = Comparison.judge(List.of(unseen), List.of(noAddress, rows.get(1)), Map.of(),
                Map.of(), GRACE);
        assertThat(bare.mismatches()).isEmpty();
        assertThat(bare.lateReuses()).hasSize(1);
        // the task list showed the destroy and create: a poll had to read the marker, so it is a mismatch
        ClusterTruth seen = new ClusterTruth("lab", List.of(second), reused, Set.of());
        assertThat(Comparison.judge(List.of(seen), rows, Map.of(), Map.of(), GRACE).mismatches()).containsExactly(
                "lab vmid 104: row 1 [web-104 missing 8 2048 32 pve1 10.0.0.4 uuid:u5 retired]: values its guest never"
                        + " had (another guest's?)");
        // an address neither of them had is a mismatch again
        TableRow otherAddress = new TableRow(1, 104, "lab", "web-104", "missing", 8, 2048, 32, "pve1", "10.0.0.9",
                "uuid:u5", true, null, null);
        assertThat(Comparison.judge(List.of(unseen), List.of(otherAddress, rows.get(1)), Map.of(), Map.of(), GRACE)
                .mismatches()).containsExactly("lab vmid 104: row 1 [web-104 missing 8 2048 32 pve1 10.0.0.9 uuid:u5"
                        + " retired]: an address its guest never had");
    }

    // ---- application rows (DESIGN.md 3.10) ----

    /** The application's late row 10 for 103 (on pve4, only lab's), owner 5; the daemon's row 3 had no owner. */
    private static Inserted lateRow() {
        TableRow asWritten = new TableRow(10, 103, null, "app-103", "stopped", null, null, null, "pve4", null, null,
                false, 5, "customer");
        return new Inserted(asWritten, Kind.LATE, JUST_NOW, "lab", "lab", "uuid:u4", 3);
    }

    private List<String> judgeApplication(List<TableRow> rows, Inserted... inserted) {
        Map<Integer, Inserted> byId = new HashMap<>();
        Map<Integer, Owned> written = new HashMap<>(Map.of(1, new Owned(7, null)));
        for (Inserted ins : inserted) {
            byId.put(ins.row().id(), ins);
            written.put(ins.row().id(), new Owned(ins.row().ownerId(), ins.row().notes()));
        }
        return Comparison.judge(List.of(new ClusterTruth("lab", List.of(NEW, PAUSED), history, Set.of())), rows,
                written, byId, GRACE).mismatches();
    }

    @Test
    void lateApplicationRowTakesTheGuestOverAndTheDaemonsRowIsRetired() {
        TableRow appLive = new TableRow(10, 103, "lab", "app-103", "paused", 2, 2048, 32, "pve1", "10.0.0.3",
                "uuid:u4", false, 5, "customer");
        TableRow daemonsRetired = new TableRow(3, 103, "lab", "app-103", "missing", 2, 2048, 32, "pve1", "10.0.0.3",
                "uuid:u4", true, null, null);

        assertThat(judgeApplication(plus(replace(right(), daemonsRetired), appLive), lateRow())).isEmpty();
        Comparison.Verdict verdict = Comparison.judge(List.of(new ClusterTruth("lab", List.of(NEW, PAUSED), history,
                        Set.of())), plus(replace(right(), daemonsRetired), appLive),
                Map.of(1, new Owned(7, null), 10, new Owned(5, "customer")), Map.of(10, lateRow()), GRACE);
        assertThat(verdict.takeovers()).isEqualTo(1);
    }

    @Test
    void lateApplicationRowLeftAloneOrBehindTheDaemonsRowIsReported() {
        TableRow appUntouched = lateRow().row();

        assertThat(judgeApplication(plus(right(), appUntouched), lateRow())).containsExactly(
                "lab vmid 103: the application's late row 10 [app-103 stopped null null null pve4 null null] (cluster"
                        + " none) on pve4, a node only lab has, was not adopted although the VMID is listed");
        // adopted, but the daemon kept its own row live and retired the application's
        TableRow appRetired = new TableRow(10, 103, "lab", "app-103", "missing", 2, 2048, 32, "pve1", "10.0.0.3",
                "uuid:u4", true, 5, "customer");
        assertThat(judgeApplication(plus(right(), appRetired), lateRow())).containsExactly(
                "lab vmid 103: row 10 [app-103 missing 2 2048 32 pve1 10.0.0.3 uuid:u4 retired]: a second row for the"
                        + " same guest as row 3 [app-103 paused 2 2048 32 pve1 10.0.0.3 uuid:u4]",
                "lab vmid 103: row 10 [app-103 missing 2 2048 32 pve1 10.0.0.3 uuid:u4 retired]: retired, but no other"
                        + " guest took the VMID after it",
                "lab vmid 103: row 3 [app-103 paused 2 2048 32 pve1 10.0.0.3 uuid:u4] is still live although the"
                        + " application's late row 10 [app-103 missing 2 2048 32 pve1 10.0.0.3 uuid:u4 retired] took"
                        + " its guest over; expected it retired");
    }

    @Test
    void daemonsRowWithAnOwnerIsNeverTakenOver() {
        // the daemon's row 3 had an owner: two rows of 103, the daemon's retired, is no takeover but a second row
        TableRow appLive = new TableRow(10, 103, "lab", "app-103", "paused", 2, 2048, 32, "pve1", "10.0.0.3",
                "uuid:u4", false, 5, "customer");
        TableRow ownedRetired = new TableRow(3, 103, "lab", "app-103", "missing", 2, 2048, 32, "pve1", "10.0.0.3",
                "uuid:u4", true, 6, null);
        Map<Integer, Owned> written = Map.of(1, new Owned(7, null), 3, new Owned(6, null), 10,
                new Owned(5, "customer"));

        assertThat(Comparison.judge(List.of(new ClusterTruth("lab", List.of(NEW, PAUSED), history, Set.of())),
                plus(replace(right(), ownedRetired), appLive), written, Map.of(10, lateRow()), GRACE).mismatches())
                .containsExactly("lab vmid 103: row 10 [app-103 paused 2 2048 32 pve1 10.0.0.3 uuid:u4]: a second row"
                                + " for the same guest as row 3 [app-103 missing 2 2048 32 pve1 10.0.0.3 uuid:u4 retired]",
                        "lab vmid 103: row 3 [app-103 missing 2 2048 32 pve1 10.0.0.3 uuid:u4 retired]: retired, but"
                                + " no other guest took the VMID after it");
    }

    @Test
    void applicationRowOnANodeSeveralClustersHaveIsLeftAlone() {
        TableRow asWritten = new TableRow(11, 103, null, "app-103", "stopped", null, null, null, "pve1", null, null,
                false, 5, null);
        Inserted ambiguous = new Inserted(asWritten, Kind.LATE, JUST_NOW, null, "lab", "uuid:u4", 3);

        assertThat(judgeApplication(plus(right(), asWritten), ambiguous)).isEmpty();
        // filled with lab's 103: it may as well have been lab2's
        TableRow filled = new TableRow(11, 103, "lab", "app-103", "paused", 2, 2048, 32, "pve1", "10.0.0.3", "uuid:u4",
                false, 5, null);
        TableRow daemonsRetired = new TableRow(3, 103, "lab", "app-103", "missing", 2, 2048, 32, "pve1", "10.0.0.3",
                "uuid:u4", true, null, null);
        assertThat(judgeApplication(plus(replace(right(), daemonsRetired), filled), ambiguous)).containsExactly(
                "lab vmid 103: the application's row on node pve1, which no single configured cluster has, must be left"
                        + " alone: it was row 11 [app-103 stopped null null null pve1 null null], now row 11 [app-103"
                        + " paused 2 2048 32 pve1 10.0.0.3 uuid:u4] (cluster lab)");
    }

    @Test
    void rowOfAVmThatNeverCameIsMissingOncePastTheGrace() {
        TableRow asWritten = new TableRow(12, 900, null, "ordered-900", "stopped", null, null, null, "pve4", null,
                null, false, 5, "ordered");
        Inserted old = new Inserted(asWritten, Kind.NEVER_CREATED, AN_HOUR_AGO, "lab", null, null, null);
        Inserted young = new Inserted(asWritten, Kind.NEVER_CREATED, JUST_NOW, "lab", null, null, null);
        TableRow missing = new TableRow(12, 900, "lab", "ordered-900", "missing", null, null, null, "pve4", null, null,
                false, 5, "ordered");

        assertThat(judgeApplication(plus(right(), missing), old)).isEmpty();
        assertThat(judgeApplication(plus(right(), asWritten), young)).isEmpty();
        assertThat(judgeApplication(plus(right(), asWritten), old)).containsExactly("lab vmid 900: the application's"
                + " row 12 [ordered-900 stopped null null null pve4 null null] (cluster none) for a VM that does not"
                + " exist, older than the grace period, on a node of lab only: expected missing and lab's");
        assertThat(judgeApplication(plus(right(), missing), young)).containsExactly("lab vmid 900: the application's"
                + " row for a VM that does not exist, younger than the grace period, must be left alone: it was row 12"
                + " [ordered-900 stopped null null null pve4 null null], now row 12 [ordered-900 missing null null null"
                + " pve4 null null] (cluster lab)");
    }

    @Test
    void rowOfOneClusterNeverShowsAnotherClustersGuest() {
        // lab2 has a VMID 103 too; its row must not show lab's app-103 (uuid:u4)
        SimVm theirs = vm(103, "mail-103", "running", 1, "u77", "10.1.0.3");
        TruthLog lab2 = new TruthLog();
        lab2.record(List.of(theirs));
        TableRow crossed = new TableRow(20, 103, "lab2", "app-103", "paused", 2, 2048, 32, "pve1", "10.0.0.3",
                "uuid:u4", false, null, null);

        assertThat(Comparison.judge(List.of(new ClusterTruth("lab", List.of(NEW, PAUSED), history, Set.of()),
                        new ClusterTruth("lab2", List.of(theirs), lab2, Set.of())), plus(right(), crossed),
                Map.of(1, new Owned(7, null)), Map.of(), GRACE).mismatches()).containsExactly(
                "lab2 vmid 103: row 20 [app-103 paused 2 2048 32 pve1 10.0.0.3 uuid:u4], expected [mail-103 running 1"
                        + " 2048 32 pve1 10.1.0.3 uuid:u77]",
                "lab2 vmid 103: row 20 [app-103 paused 2 2048 32 pve1 10.0.0.3 uuid:u4]: no guest with this marker"
                        + " ever held this VMID in lab2");
    }
}
