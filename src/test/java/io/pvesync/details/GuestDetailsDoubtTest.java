package io.pvesync.details;

import io.pvesync.inventory.Doubt;
import io.pvesync.inventory.Fixtures;
import io.pvesync.inventory.KnownVm;
import io.pvesync.inventory.NodeState;
import io.pvesync.inventory.ObservedVm;
import io.pvesync.inventory.Snapshot;
import io.pvesync.inventory.TaskWindow;
import io.pvesync.inventory.VmKind;
import io.pvesync.inventory.VmStatus;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.pvesync.testing.LogCapture;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * When a guest is in doubt (DESIGN.md 3.1): which requests that costs, and what is held. The task
 * list decides first; the name and status are the fallback where it cannot vouch.
 */
class GuestDetailsDoubtTest extends GuestDetailsHarness {
    private static final Instant FIRST = Instant.ofEpochSecond(1_780_000_000L);
    private static final Instant SECOND = FIRST.plusSeconds(30);
    private static final String UUID = "uuid:7d1c0a3e-5b2f-4c11-9e3a-0123456789ab";

    private static Snapshot listing(Instant at, ObservedVm... vms) {
        return new Snapshot("lab", at, List.of(vms), Map.of("pve1", NodeState.ONLINE), Map.of(), 0);
    }

    private static String task(String type, String id, long start, Long end) {
        return "{\"upid\": \"UPID:pve1:" + type + ":" + id + ":" + start + "\", \"node\": \"pve1\", \"type\": \""
                + type + "\", \"id\": \"" + id + "\", \"starttime\": " + start
                + (end == null ? "" : ", \"endtime\": " + end + ", \"status\": \"OK\"") + ", \"user\": \"root@pam\"}";
    }

    /** pve1's list: two tasks before the first pass, plus {@code more}. */
    private static TaskWindow tasks(String... more) {
        StringBuilder all = new StringBuilder("[" + task("vzdump", "", FIRST.getEpochSecond() - 600,
                FIRST.getEpochSecond() - 500) + "," + task("qmstart", "300", FIRST.getEpochSecond() - 60,
                FIRST.getEpochSecond() - 59));
        for (String t : more) {
            all.append(',').append(t);
        }
        return TaskWindow.of(Fixtures.parse(all.append(']').toString()));
    }

    /** A QEMU guest named as its config fixture names it (the listing and the config agree). */
    private static ObservedVm named(int vmid, String name, VmStatus status) {
        return new ObservedVm(vmid, VmKind.QEMU, "pve1", name, status, 2, 2048, 32, null, null);
    }

    private static KnownVm row(ObservedVm vm, VmStatus status, String marker) {
        return new KnownVm(vm.vmid(), vm.name(), status, vm.node(), null, marker);
    }

    /** The first pass: a new guest, its config read, the pass committed. */
    private GuestDetails settledOnce(ObservedVm vm) {
        GuestDetails details = details(1);
        TaskWindow tasks = tasks();
        Enrichment first = details.enrich(listing(FIRST, vm), Map.of(), false, tasks);
        details.settled(first.snapshot(), Set.of(), tasks.mark());
        pve.takeAsked();
        return details;
    }

    @Test
    void aStatusChangeTheTaskListVouchesForCostsNoRequest() {
        ObservedVm stopped = qemu(104, "pve1", VmStatus.STOPPED);
        pve.ok(config(stopped), "qemu/config-agent-on.json");
        try (GuestDetails details = settledOnce(stopped)) {
            ObservedVm paused = qemu(104, "pve1", VmStatus.PAUSED);

            Enrichment second = details.enrich(listing(SECOND, paused),
                    Map.of(104, row(stopped, VmStatus.STOPPED, UUID)), false, tasks());

            assertThat(pve.takeAsked()).isEmpty();
            assertThat(vm(second, 104).doubt()).isEqualTo(Doubt.NONE);
            assertThat(vm(second, 104).incarnation()).isNull();
        }
    }

    @Test
    void aDestroyOfTheVmidSinceThePreviousPassHasTheMarkerReadEvenWithNothingElseChanged() {
        // case 2 of issue 8: deleted and created again between two polls under the same name and status
        ObservedVm vm = named(104, "web01", VmStatus.STOPPED);
        pve.ok(config(vm), "qemu/config-agent-on.json");
        try (GuestDetails details = settledOnce(vm)) {
            TaskWindow reused = tasks(task("qmdestroy", "104", SECOND.getEpochSecond() - 20, SECOND.getEpochSecond() - 19),
                    task("qmcreate", "104", SECOND.getEpochSecond() - 10, SECOND.getEpochSecond() - 9));

            Enrichment second = details.enrich(listing(SECOND, vm), Map.of(104, row(vm, VmStatus.STOPPED,
                    "uuid:00000000-0000-4000-8000-000000000001")), false, reused);

            assertThat(pve.takeAsked()).containsExactly(config(vm));
            assertThat(vm(second, 104).doubt()).isEqualTo(Doubt.LIFECYCLE);
            assertThat(vm(second, 104).incarnation()).isEqualTo(UUID);
        }
    }

    @Test
    void aNewVmidIsWrittenFromTheListingBeforeItsConfigUnlessTheTaskListShowsADestroyOfIt() {
        ObservedVm fresh = named(104, "web01", VmStatus.STOPPED);
        ObservedVm reused = named(105, "web02", VmStatus.STOPPED);
        pve.ok(config(fresh), "qemu/config-agent-on.json").ok(config(reused), "qemu/config-agent-on.json");
        try (GuestDetails details = details(1)) {
            TaskWindow tasks = tasks(task("qmdestroy", "105", FIRST.getEpochSecond() - 20, FIRST.getEpochSecond() - 19),
                    task("qmcreate", "105", FIRST.getEpochSecond() - 10, FIRST.getEpochSecond() - 9));

            Enrichment early = details.begin(listing(FIRST, fresh, reused), Map.of(), false, tasks).listing();

            assertThat(pve.takeAsked()).isEmpty();
            assertThat(early.snapshot().vms()).extracting(ObservedVm::vmid).containsExactly(104);
            assertThat(vm(early, 104).incarnation()).isNull();
            assertThat(early.snapshot().held().keySet()).containsExactly(105);
        }
    }

    @Test
    void aRowWithoutItsMarkerCountsAnyTaskOfItsVmidSinceItsInsertAsAnotherVm() {
        ObservedVm vm = named(104, "web01", VmStatus.STOPPED);
        pve.ok(config(vm), "qemu/config-agent-on.json");
        try (GuestDetails details = details(1)) {
            // inserted at first sight, its config not read before the pass ended
            TaskWindow first = tasks();
            Enrichment inserted = details.begin(listing(FIRST, vm), Map.of(), false, first).listing();
            details.settled(inserted.snapshot(), Set.of(), first.mark());
            TaskWindow created = tasks(task("qmcreate", "104", SECOND.getEpochSecond() - 10,
                    SECOND.getEpochSecond() - 9));

            Enrichment second = details.enrich(listing(SECOND, vm), Map.of(104, row(vm, VmStatus.STOPPED, null)),
                    false, created);

            assertThat(vm(second, 104).doubt()).as("a create after its insert: not its own").isEqualTo(Doubt.LIFECYCLE);
        }
    }

    @Test
    void aStatusChangeWhereANodesListIsCutShortHasTheMarkerRead() {
        ObservedVm vm = qemu(104, "pve1", VmStatus.STOPPED);
        pve.ok(config(vm), "qemu/config-agent-on.json");
        try (GuestDetails details = settledOnce(vm)) {
            TaskWindow cut = TaskWindow.of(Fixtures.parse("[" + task("qmstart", "777", SECOND.getEpochSecond() - 5,
                    SECOND.getEpochSecond() - 4) + "," + task("qmstop", "778", SECOND.getEpochSecond() - 3,
                    SECOND.getEpochSecond() - 2) + "]"));
            ObservedVm paused = qemu(104, "pve1", VmStatus.PAUSED);

            Enrichment second = details.enrich(listing(SECOND, paused), Map.of(104, row(vm, VmStatus.STOPPED, UUID)),
                    false, cut);

            assertThat(pve.takeAsked()).containsExactly(config(vm));
            assertThat(vm(second, 104).doubt()).isEqualTo(Doubt.CHANGED);
        }
    }

    @Test
    void aConfigWithoutMarkerWhileTheRowHasOneHoldsTheGuest() {
        // a clone's temporary config ("lock: clone" only) or a VMA restore's ("memory: 128"), read here
        // by a full pass that reads every config
        ObservedVm vm = qemu(104, "pve1", VmStatus.STOPPED);
        pve.ok(config(vm), "qemu/config-bare.json");
        try (GuestDetails details = details(1); LogCapture log = new LogCapture(GuestDetails.class)) {
            Enrichment pass = details.enrich(listing(SECOND, vm), Map.of(104, row(vm, VmStatus.STOPPED, UUID)), true,
                    tasks());

            assertThat(pass.snapshot().vms()).isEmpty();
            assertThat(pass.snapshot().held()).isEqualTo(Map.of(104, "pve1"));
            assertThat(log.messages(Level.WARN)).containsExactly("cluster=lab vmid=104 - its config has no incarnation"
                    + " marker while its row has " + UUID + " (a clone or restore still writing it?); the row is kept"
                    + " as it was until the config shows one");
        }
    }

    @Test
    void aRowWhoseVmidIsBeingRestoredIsHeldUntilTheTaskEnds() {
        ObservedVm vm = qemu(104, "pve1", VmStatus.STOPPED);
        pve.ok(config(vm), "qemu/config-agent-on.json");
        try (GuestDetails details = details(1); LogCapture log = new LogCapture(GuestDetails.class)) {
            TaskWindow restoring = tasks(task("qmrestore", "104", SECOND.getEpochSecond() - 5, null));

            Enrichment pass = details.enrich(listing(SECOND, vm), Map.of(104, row(vm, VmStatus.STOPPED, UUID)), false,
                    restoring);

            assertThat(pass.snapshot().held()).isEqualTo(Map.of(104, "pve1"));
            assertThat(log.messages(Level.WARN)).containsExactly("cluster=lab vmid=104 - task qmrestore of VMID 104 on"
                    + " node pve1 still running; the row is kept as it was until the task ends");
        }
    }

    @Test
    void aGuestWithoutRowWhoseCreateOrRestoreStillRunsIsNotInsertedYet() {
        ObservedVm vm = qemu(105, "pve1", VmStatus.STOPPED);
        pve.ok(config(vm), "qemu/config-bare.json");
        try (GuestDetails details = details(1); LogCapture log = new LogCapture(GuestDetails.class)) {
            Enrichment pass = details.enrich(listing(SECOND, vm), Map.of(), false,
                    tasks(task("qmrestore", "105", SECOND.getEpochSecond() - 5, null)));

            assertThat(pass.snapshot().held()).isEqualTo(Map.of(105, "pve1"));
            assertThat(log.messages(Level.INFO)).containsExactly("cluster=lab vmid=105 - not inserted yet: task"
                    + " qmrestore of VMID 105 on node pve1 still running; it gets its row once the task ends");
        }
    }

    @Test
    void aRowThatSaysMissingIsInDoubtWhenItsVmidIsListedAgain() {
        ObservedVm back = named(106, "cloudy", VmStatus.RUNNING);
        pve.ok(config(back), "qemu/config-agent-off.json").ok(agent(back), "agent/interfaces-docker-first.json");
        try (GuestDetails details = details(1)) {
            Enrichment pass = details.enrich(listing(SECOND, back), Map.of(106, row(back, VmStatus.MISSING, UUID)), false,
                    tasks());

            assertThat(vm(pass, 106).doubt()).isEqualTo(Doubt.LIFECYCLE);
            assertThat(vm(pass, 106).incarnation()).isEqualTo("uuid:0f0e0d0c-0b0a-0908-0706-050403020100");
        }
    }

    @Test
    void aRowInTheOlderFormGetsTheOlderMarkerAsSameAsWhenNotInDoubt() {
        ObservedVm vm = qemu(107, "pve1", VmStatus.STOPPED);
        pve.ok(config(vm), "qemu/config-agent-on.json");
        try (GuestDetails details = details(1)) {
            Enrichment reconcile = details.enrich(listing(SECOND, vm),
                    Map.of(107, row(vm, VmStatus.STOPPED, "ctime:1712345678")), true, tasks());

            assertThat(vm(reconcile, 107).incarnation()).isEqualTo(UUID);
            assertThat(vm(reconcile, 107).sameAs()).isEqualTo("ctime:1712345678");
            assertThat(vm(reconcile, 107).doubt()).isEqualTo(Doubt.NONE);
        }
    }

    @Test
    void afterAStartARowInTheOlderFormIsNotInDoubtForItsOwnCreateTaskButIsForALaterDestroy() {
        // config-agent-on.json: meta ctime 1712345678; its create task started a moment before
        ObservedVm vm = named(108, "web01", VmStatus.STOPPED);
        pve.ok(config(vm), "qemu/config-agent-on.json");
        KnownVm legacy = row(vm, VmStatus.STOPPED, "ctime:1712345678");
        String ownCreate = task("qmcreate", "108", 1712345670L, 1712345690L);
        try (GuestDetails details = details(1)) {
            Enrichment carried = details.enrich(listing(SECOND, vm), Map.of(108, legacy), true, tasks(ownCreate));
            Enrichment reused = details.enrich(listing(SECOND, vm), Map.of(108, legacy), true,
                    tasks(ownCreate, task("qmdestroy", "108", 1712349000L, 1712349001L)));

            assertThat(vm(carried, 108).doubt()).isEqualTo(Doubt.NONE);
            assertThat(vm(carried, 108).sameAs()).isEqualTo("ctime:1712345678");
            assertThat(vm(reused, 108).doubt()).isEqualTo(Doubt.LIFECYCLE);
            assertThat(vm(reused, 108).sameAs()).isNull();
        }
    }

    @Test
    void aNewVmWhoseListingStillShowsThePreviousVmsNameIsHeldUntilItCatchesUp() {
        // right after a destroy and a clone, pvestatd's data may still be the old VM's for up to 10 s
        ObservedVm stale = new ObservedVm(109, VmKind.QEMU, "pve1", "alice-payroll", VmStatus.STOPPED, 2, 2048, 32,
                null, null);
        pve.ok(config(stale), "qemu/config-agent-on.json"); // its config says "web01"
        try (GuestDetails details = details(1)) {
            TaskWindow reused = tasks(task("qmdestroy", "109", SECOND.getEpochSecond() - 8, SECOND.getEpochSecond() - 7));

            Enrichment pass = details.enrich(listing(SECOND, stale),
                    Map.of(109, new KnownVm(109, "alice-payroll", VmStatus.STOPPED, "pve1", null, "uuid:alice")), false,
                    reused);

            assertThat(pass.snapshot().held()).isEqualTo(Map.of(109, "pve1"));
        }
    }

    @Test
    void aGuestHeldForItsIdentityStaysInDoubtAfterItsTaskLeftTheList() {
        ObservedVm vm = named(110, "cloudy", VmStatus.STOPPED);
        pve.error(config(vm), 500, "got timeout");
        try (GuestDetails details = details(1)) {
            TaskWindow withDestroy = tasks(task("qmdestroy", "110", SECOND.getEpochSecond() - 8,
                    SECOND.getEpochSecond() - 7));
            Map<Integer, KnownVm> stored = Map.of(110, row(vm, VmStatus.STOPPED, UUID));
            Enrichment held = details.enrich(listing(SECOND, vm), stored, false, withDestroy);
            assertThat(held.snapshot().held()).containsKey(110);
            details.settled(held.snapshot(), Set.of(), withDestroy.mark());

            // the destroy has left the node's short list; the config still cannot be read
            Enrichment later = details.enrich(listing(SECOND.plusSeconds(30), vm), stored, false, tasks());

            assertThat(later.snapshot().held()).containsKey(110);
            pve.ok(config(vm), "qemu/config-agent-off.json");
            Enrichment read = details.enrich(listing(SECOND.plusSeconds(60), vm), stored, false, tasks());
            assertThat(vm(read, 110).doubt()).isEqualTo(Doubt.LIFECYCLE);
            assertThat(vm(read, 110).incarnation()).isEqualTo("uuid:0f0e0d0c-0b0a-0908-0706-050403020100");
        }
    }

    @Test
    void aRowWhoseMarkerWasNeverReadIsNotRetiredForItsOwnCreateButIsAfterADestroy() {
        // found by the soak: inserted while its config could not be read, in a pass without a task list
        ObservedVm vm = named(111, "web01", VmStatus.RUNNING);
        pve.ok(config(vm), "qemu/config-agent-on.json").ok(agent(vm), "agent/interfaces-docker-first.json");
        KnownVm unmarked = row(vm, VmStatus.RUNNING, null);
        String create = task("qmcreate", "111", SECOND.getEpochSecond() - 20, SECOND.getEpochSecond() - 19);
        try (GuestDetails details = details(1)) {
            Enrichment own = details.enrich(listing(SECOND, vm), Map.of(111, unmarked), false, tasks(create));
            Enrichment reused = details.enrich(listing(SECOND, vm), Map.of(111, unmarked), false, tasks(create,
                    task("qmdestroy", "111", SECOND.getEpochSecond() - 30, SECOND.getEpochSecond() - 29)));

            assertThat(vm(own, 111).doubt()).isEqualTo(Doubt.CHANGED);
            assertThat(vm(own, 111).incarnation()).isEqualTo(UUID);
            assertThat(vm(reused, 111).doubt()).isEqualTo(Doubt.LIFECYCLE);
        }
    }

    @Test
    void aDestroyAfterAHoldMakesTheRememberedDoubtStronger() {
        ObservedVm renamed = named(112, "web01", VmStatus.STOPPED);
        pve.error(config(renamed), 500, "got timeout");
        try (GuestDetails details = details(1)) {
            Map<Integer, KnownVm> stored = Map.of(112, new KnownVm(112, "old-name", VmStatus.STOPPED, "pve1", null, UUID));
            Enrichment held = details.enrich(listing(SECOND, renamed), stored, false, tasks());
            assertThat(held.snapshot().held()).containsKey(112);
            pve.ok(config(renamed), "qemu/config-agent-on.json");

            Enrichment after = details.enrich(listing(SECOND, renamed), stored, false,
                    tasks(task("qmdestroy", "112", SECOND.getEpochSecond() - 3, SECOND.getEpochSecond() - 2)));

            assertThat(vm(after, 112).doubt()).isEqualTo(Doubt.LIFECYCLE);
        }
    }
}
