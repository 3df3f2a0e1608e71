package io.pvesync.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What {@code /cluster/tasks} can vouch for, and which VMIDs it puts in doubt (DESIGN.md 3.1). Each
 * node's times are compared only with that node's: the tests give the two nodes clocks hours apart.
 */
class TaskWindowTest {
    private static final long PVE1 = 1_780_000_000L;
    private static final long PVE2 = PVE1 - 7 * 3600; // a node whose clock is seven hours behind
    private static final Map<String, NodeState> TWO_NODES = Map.of("pve1", NodeState.ONLINE, "pve2", NodeState.ONLINE);

    /** A task entry; its UPID follows from what it is, so the same task in two lists is one task. */
    private static String task(String node, String type, String id, long start, Long end) {
        int pid = Math.floorMod((node + type + id + start).hashCode(), 0x100000);
        String upid = "UPID:" + node + ":" + String.format("%08X", pid) + ":0012F3C4:"
                + Long.toHexString(start).toUpperCase() + ":" + type + ":" + id + ":root@pam:";
        return "{\"upid\": \"" + upid + "\", \"node\": \"" + node + "\", \"starttime\": " + start
                + (end == null ? ", \"pid\": 41394" : ", \"endtime\": " + end + ", \"status\": \"OK\"")
                + ", \"type\": \"" + type + "\", \"id\": \"" + id + "\", \"user\": \"root@pam\", \"saved\": \"1\"}";
    }

    private static TaskWindow window(List<String> tasks) {
        return TaskWindow.of(Fixtures.parse("[" + String.join(",", tasks) + "]"));
    }

    /** A quiet history on both nodes, finished before the previous pass. */
    private static List<String> history() {
        List<String> tasks = new ArrayList<>();
        tasks.add(task("pve1", "vzdump", "", PVE1 - 3600, PVE1 - 3500));
        tasks.add(task("pve1", "qmstart", "901", PVE1 - 60, PVE1 - 59));
        tasks.add(task("pve2", "vzdump", "", PVE2 - 3600, PVE2 - 3500));
        tasks.add(task("pve2", "qmstart", "902", PVE2 - 30, PVE2 - 29));
        return tasks;
    }

    private static List<String> plus(List<String> tasks, String... more) {
        List<String> all = new ArrayList<>(tasks);
        all.addAll(List.of(more));
        return all;
    }

    @Test
    void aDestroyOfTheVmidSinceThePreviousPassPutsItInDoubt() {
        List<String> before = history();
        TaskMark previous = window(before).mark();

        TaskWindow now = window(plus(before, task("pve2", "qmdestroy", "900", PVE2 + 5, PVE2 + 6)));

        assertThat(now.lifecycle(900, previous)).hasValueSatisfying(t -> assertThat(t)
                .startsWith("task qmdestroy of VMID 900 on node pve2 (UPID:pve2:"));
        assertThat(now.lifecycle(901, previous)).isEmpty();
        assertThat(now.gap(previous, TWO_NODES)).isEmpty();
        // the same task, seen by the pass that follows, is old news
        assertThat(now.lifecycle(900, now.mark())).isEmpty();
    }

    @Test
    void aTaskInTheSameSecondAsThePreviousPassesNewestIsNewOnlyWhenThatPassDidNotSeeIt() {
        List<String> before = history();
        TaskMark previous = window(before).mark();

        TaskWindow now = window(plus(before, task("pve1", "qmcreate", "905", PVE1 - 60, PVE1 - 58)));

        assertThat(now.lifecycle(905, previous)).isPresent();
        assertThat(now.lifecycle(905, now.mark())).isEmpty();
    }

    @Test
    void aCloneTaskNamesItsSourceSoOnlyTheDestroyOfTheTargetCounts() {
        // qemu-server clone_vm: fork_worker('qmclone', $vmid, ...) with the SOURCE vmid
        List<String> before = history();
        TaskMark previous = window(before).mark();

        TaskWindow now = window(plus(before, task("pve1", "qmclone", "9000", PVE1 + 10, PVE1 + 60),
                task("pve1", "qmdestroy", "905", PVE1 + 5, PVE1 + 6)));

        assertThat(now.lifecycle(9000, previous)).isEmpty();
        assertThat(now.lifecycle(905, previous)).isPresent();
    }

    @Test
    void createAndRestoreOfBothGuestTypesCountAndARunningTaskCountsWheneverItStarted() {
        List<String> before = plus(history(), task("pve2", "qmrestore", "912", PVE2 - 5000, null),
                task("pve2", "vzcreate", "913", PVE2 - 5000, PVE2 - 4000));
        TaskMark previous = window(before).mark();

        TaskWindow now = window(plus(before, task("pve1", "qmcreate", "910", PVE1 + 1, PVE1 + 2),
                task("pve1", "vzrestore", "911", PVE1 + 3, PVE1 + 400)));

        assertThat(now.lifecycle(910, previous)).isPresent();
        assertThat(now.lifecycle(911, previous)).isPresent();
        assertThat(now.lifecycle(912, previous)).hasValue("task qmrestore of VMID 912 on node pve2 still running");
        assertThat(now.stillRunning(912, TWO_NODES)).hasValue("task qmrestore of VMID 912 on node pve2 still running");
        assertThat(now.lifecycle(913, previous)).isEmpty();
        assertThat(now.stillRunning(913, TWO_NODES)).isEmpty();
    }

    @Test
    void withoutAnEarlierMarkEveryLifecycleTaskInTheListCountsAndNothingIsVouched() {
        TaskWindow now = window(plus(history(), task("pve1", "qmdestroy", "920", PVE1 - 3000, PVE1 - 2999)));

        assertThat(now.lifecycle(920, TaskMark.NONE)).isPresent();
        assertThat(now.gap(TaskMark.NONE, TWO_NODES)).hasValue("no earlier task list of node pve1 to compare with");
    }

    @Test
    void aNodeWhoseListNoLongerReachesBackCannotVouch() {
        // each node keeps only its 25 newest finished tasks: a busy node's list is short
        TaskMark previous = window(history()).mark();
        List<String> busy = new ArrayList<>(List.of(task("pve1", "vzdump", "", PVE1 - 3600, PVE1 - 3500),
                task("pve1", "qmstart", "901", PVE1 - 60, PVE1 - 59)));
        for (int i = 0; i < 25; i++) {
            busy.add(task("pve2", "qmstart", "930", PVE2 + i, PVE2 + i));
        }

        assertThat(window(busy).gap(previous, TWO_NODES))
                .hasValue("node pve2's task list no longer reaches back to the previous pass");
    }

    @Test
    void aLongRunningTaskDoesNotMakeAShortListReachBack() {
        // active_workers lists every running task first; the finished ones decide how far back it goes
        String backup = task("pve2", "vzdump", "", PVE2 - 9000, null);
        TaskMark previous = window(plus(history(), backup)).mark();
        List<String> now = new ArrayList<>(List.of(task("pve1", "vzdump", "", PVE1 - 3600, PVE1 - 3500),
                task("pve1", "qmstart", "901", PVE1 - 60, PVE1 - 59), backup,
                task("pve2", "qmstop", "931", PVE2 + 10, PVE2 + 11)));

        assertThat(window(now).gap(previous, TWO_NODES))
                .hasValue("node pve2's task list no longer reaches back to the previous pass");
    }

    @Test
    void aNodeThatShowsNoTaskCannotVouch() {
        // a token without Sys.Audit on / sees no task at all (pve-manager API2/Cluster.pm tasks)
        TaskMark previous = window(history()).mark();

        assertThat(window(List.of(task("pve1", "vzdump", "", PVE1 - 3600, PVE1 - 3500),
                task("pve1", "qmstart", "901", PVE1 - 60, PVE1 - 59))).gap(previous, TWO_NODES))
                .hasValue("the task list shows nothing from node pve2");
        assertThat(window(List.of()).gap(previous, TWO_NODES)).hasValue("the task list shows nothing from node pve1");
        assertThat(window(List.of(task("pve1", "vzdump", "", PVE1 - 3600, null))).gap(previous, TWO_NODES))
                .hasValue("the task list shows no finished task from node pve1");
    }

    @Test
    void anOfflineNodeCannotVouchItsListIsItsLastBroadcast() {
        TaskMark previous = window(history()).mark();

        assertThat(window(history()).gap(previous, Map.of("pve1", NodeState.ONLINE, "pve2", NodeState.OFFLINE)))
                .hasValue("node pve2 is not online");
    }

    @Test
    void anUnreadableListVouchesForNothing() {
        assertThat(TaskWindow.unreadable("HTTP 403 Permission check failed").gap(TaskMark.NONE, TWO_NODES))
                .hasValue("the task list could not be read (HTTP 403 Permission check failed)");
        assertThat(TaskWindow.of(Fixtures.parse("{\"not\": \"a list\"}")).readable()).isFalse();
    }

    @Test
    void unreadableEntriesAreLeftOutAndANumericIdIsRead() {
        TaskWindow tasks = window(List.of("{\"node\": \"pve1\", \"type\": \"qmdestroy\", \"id\": 940, \"starttime\": 5,"
                        + " \"endtime\": 6}",
                "{\"node\": \"pve1\", \"type\": \"qmdestroy\", \"id\": \"941\"}", "\"junk\"",
                "{\"node\": \"pve1\", \"type\": \"qmdestroy\", \"id\": \"942\", \"starttime\": \"soon\"}"));

        assertThat(tasks.lifecycle(940, TaskMark.NONE)).isPresent();
        assertThat(tasks.lifecycle(941, TaskMark.NONE)).isEmpty();
        assertThat(tasks.lifecycle(942, TaskMark.NONE)).isEmpty();
    }

    @Test
    void aNodeWhoseClockWentBackCannotVouchAndItsNewTasksStillCount() {
        // NTP steps pve1's clock back an hour: new tasks start "before" what the previous pass saw
        List<String> before = history();
        TaskMark previous = window(before).mark();

        TaskWindow now = window(plus(before, task("pve1", "qmdestroy", "990", PVE1 - 3000, PVE1 - 2999),
                task("pve1", "qmcreate", "990", PVE1 - 2990, PVE1 - 2989)));

        assertThat(now.lifecycle(990, previous)).isPresent();
        assertThat(now.gap(previous, TWO_NODES)).hasValue("node pve1 shows a new task that started before the"
                + " previous pass's newest (its clock went back?)");
    }

    @Test
    void aTaskRunningOnAnOfflineNodeHoldsNothingItsListIsItsLastBroadcast() {
        TaskWindow now = window(plus(history(), task("pve2", "qmrestore", "995", PVE2 - 100, null)));

        assertThat(now.stillRunning(995, Map.of("pve1", NodeState.ONLINE, "pve2", NodeState.OFFLINE))).isEmpty();
        assertThat(now.stillRunning(995, TWO_NODES)).isPresent();
    }
}
