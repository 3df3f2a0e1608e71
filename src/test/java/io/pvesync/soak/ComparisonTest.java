package io.pvesync.soak;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvesync.sim.AgentState;
import io.pvesync.sim.SimVm;
import io.pvesync.soak.Application.Owned;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The soak's judge on doctored tables: a right table passes, and each kind of wrong one is named. */
class ComparisonTest {

    // VMID 101 was web-101 (ctime 1000), stopped with its DHCP address kept; then deleted and taken by db-101
    private static final SimVm OLD = vm(101, "web-101", "running", 2, 1000, "10.0.0.1");
    private static final SimVm OLD_STOPPED = vm(101, "web-101", "stopped", 2, 1000, null);
    private static final SimVm NEW = vm(101, "db-101", "running", 4, 2000, "10.0.0.2");
    private static final SimVm GONE = vm(102, "ci-102", "stopped", 1, 3000, null);
    private static final SimVm PAUSED = vm(103, "app-103", "paused", 2, 4000, null);
    private static final SimVm PAUSED_RUNNING = vm(103, "app-103", "running", 2, 4000, "10.0.0.3");

    private final TruthLog history = new TruthLog();

    ComparisonTest() {
        history.record(List.of(OLD, GONE, PAUSED_RUNNING));
        history.record(List.of(OLD_STOPPED, GONE, PAUSED));
        history.record(List.of(NEW, PAUSED));
    }

    private static SimVm vm(int vmid, String name, String status, int cores, long ctime, String ip) {
        return new SimVm(vmid, SimVm.Kind.QEMU, name, "pve1", status, null, cores, 2048, 32, ip, false, ctime,
                "BC:24:11:00:00:0" + vmid % 10, "00000000-0000-4000-8000-00000000" + ctime, AgentState.RUNNING);
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
        return Comparison.judge("lab", List.of(NEW, PAUSED), rows, history, Map.of(1, new Owned(7, null))).mismatches();
    }

    private static List<TableRow> replace(List<TableRow> rows, TableRow changed) {
        return rows.stream().map(r -> r.id() == changed.id() ? changed : r).toList();
    }

    @Test
    void rightTableHasNoMismatch() {
        assertThat(judge(right())).isEmpty();
    }

    @Test
    void wrongValueOfALiveRowIsShownAgainstTheTruth() {
        List<TableRow> rows = replace(right(), row(4, NEW, "stopped", "10.0.0.2", false, null));

        assertThat(judge(rows)).containsExactly("vmid 101: row 4 [db-101 stopped 4 2048 32 pve1 10.0.0.2 ctime:2000]"
                + ", expected [db-101 running 4 2048 32 pve1 10.0.0.2 ctime:2000]");
    }

    @Test
    void guestWithoutItsLiveRowIsReported() {
        List<TableRow> rows = right().stream().filter(r -> r.id() != 4).toList();

        assertThat(judge(rows)).containsExactly(
                "vmid 101: 0 live rows for [db-101 running 4 2048 32 pve1 10.0.0.2 ctime:2000]: none");
    }

    @Test
    void vanishedGuestThatIsNotMissingIsReported() {
        List<TableRow> rows = replace(right(), row(2, GONE, "stopped", null, false, null));

        assertThat(judge(rows)).containsExactly("vmid 102: row 2 [ci-102 stopped 1 2048 32 pve1 null ctime:3000]:"
                + " the guest is gone, expected status missing");
    }

    @Test
    void ownerOrNotesOtherThanTheApplicationLeftAreReported() {
        List<TableRow> rows = replace(replace(right(), row(1, OLD, "missing", "10.0.0.1", true, 8)),
                row(4, NEW, "running", "10.0.0.2", false, 7));

        assertThat(judge(rows)).containsExactly(
                "vmid 101: row 1 [web-101 missing 2 2048 32 pve1 10.0.0.1 ctime:1000 retired] owner/notes"
                        + " Owned[ownerId=8, notes=null], the application left Owned[ownerId=7, notes=null]",
                "vmid 101: row 4 [db-101 running 4 2048 32 pve1 10.0.0.2 ctime:2000] owner/notes"
                        + " Owned[ownerId=7, notes=null], the application left Owned[ownerId=null, notes=null]");
    }

    @Test
    void retiredRowOfAVmidNobodyReusedIsReported() {
        List<TableRow> rows = replace(right(), row(2, GONE, "missing", null, true, null));

        assertThat(judge(rows)).containsExactly("vmid 102: 1 retired rows, but only 1 guest(s) held this VMID:"
                + " row 2 [ci-102 missing 1 2048 32 pve1 null ctime:3000 retired]");
    }

    @Test
    void keptAddressMustBeTheSameGuests() {
        // 103 is paused: it may keep the address it had while running, never the old 101's
        List<TableRow> rows = replace(right(), row(3, PAUSED, "paused", "10.0.0.1", false, null));

        assertThat(judge(rows)).containsExactly("vmid 103: row 3 [app-103 paused 2 2048 32 pve1 10.0.0.1 ctime:4000]"
                + ", expected [app-103 paused 2 2048 32 pve1 null ctime:4000] (or an address this guest had)");
        assertThat(judge(replace(right(), row(3, PAUSED, "paused", null, false, null)))).isEmpty();
    }

    @Test
    void retiredRowShowingTheNextGuestIsReported() {
        // the old owner's row was written over with db-101's values although the name told of the reuse
        TableRow overwritten = new TableRow(1, 101, "lab", "db-101", "missing", 4, 2048, 32, "pve1", "10.0.0.2",
                "ctime:1000", true, 7, null);

        assertThat(judge(replace(right(), overwritten))).containsExactly(
                "vmid 101: row 1 [db-101 missing 4 2048 32 pve1 10.0.0.2 ctime:1000 retired]: values its guest never"
                        + " had (another guest's?)");
    }

    @Test
    void secondRowOfOneGuestIsReported() {
        List<TableRow> rows = replace(right(), row(1, NEW, "missing", "10.0.0.2", true, 7));

        assertThat(judge(rows)).containsExactly(
                "vmid 101: row 4 [db-101 running 4 2048 32 pve1 10.0.0.2 ctime:2000]: a second row for the same guest");
    }

    @Test
    void sameNamedNewcomerBetweenTwoPollsIsALateReuseNotAMismatch() {
        // VMID 104 "web-104" deleted and taken by another "web-104" before the next poll: only the
        // hourly (here: the final) full pass reads the marker that tells them apart
        SimVm first = vm(104, "web-104", "running", 2, 5000, "10.0.0.4");
        SimVm second = vm(104, "web-104", "running", 8, 6000, "10.0.0.5");
        TruthLog reused = new TruthLog();
        reused.record(List.of(first));
        reused.record(List.of(second));
        // the newcomer's sizes; the address kept from the first, as the newcomer's lookup was not due
        TableRow old = new TableRow(1, 104, "lab", "web-104", "missing", 8, 2048, 32, "pve1", "10.0.0.4",
                "ctime:5000", true, null, null);
        List<TableRow> rows = List.of(old, row(2, second, "running", "10.0.0.5", false, null));

        Comparison.Verdict verdict = Comparison.judge("lab", List.of(second), rows, reused, Map.of());

        assertThat(verdict.mismatches()).isEmpty();
        assertThat(verdict.lateReuses()).containsExactly("vmid 104: row 1 [web-104 missing 8 2048 32 pve1 10.0.0.4"
                + " ctime:5000 retired] shows ctime:6000, which took the VMID under the same name, until a full"
                + " pass read the marker");
        // an address neither of them had is a mismatch again
        TableRow otherAddress = new TableRow(1, 104, "lab", "web-104", "missing", 8, 2048, 32, "pve1", "10.0.0.9",
                "ctime:5000", true, null, null);
        assertThat(Comparison.judge("lab", List.of(second), List.of(otherAddress, rows.get(1)), reused, Map.of())
                .mismatches()).containsExactly("vmid 104: row 1 [web-104 missing 8 2048 32 pve1 10.0.0.9 ctime:5000"
                        + " retired]: an address its guest never had");
    }
}
