package io.pvesync.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What {@code /cluster/tasks} can vouch for, and which VMIDs it puts in doubt (DESIGN.md 3.1). */
class TaskWindowTest {
    private static final Instant PREVIOUS_POLL = Instant.ofEpochSecond(1_780_000_000L);
    private static final Map<String, NodeState> TWO_NODES = Map.of("pve1", NodeState.ONLINE, "pve2", NodeState.ONLINE);

    private static String task(String node, String type, String id, long start, Long end) {
        return "{\"upid\": \"UPID:" + node + ":0000A1B2:0012F3C4:" + Long.toHexString(start).toUpperCase() + ":" + type
                + ":" + id + ":root@pam:\", \"node\": \"" + node + "\", \"pid\": 41394, \"pstart\": 1242052,"
                + " \"starttime\": " + start + (end == null ? "" : ", \"endtime\": " + end + ", \"status\": \"OK\"")
                + ", \"type\": \"" + type + "\", \"id\": \"" + id + "\", \"user\": \"root@pam\", \"saved\": \"1\"}";
    }

    private static TaskWindow window(String... tasks) {
        return TaskWindow.of(Fixtures.parse("[" + String.join(",", tasks) + "]"));
    }

    private static long at(long secondsAfterPoll) {
        return PREVIOUS_POLL.getEpochSecond() + secondsAfterPoll;
    }

    @Test
    void aDestroyOfTheVmidSinceThePreviousPollPutsItInDoubt() {
        TaskWindow tasks = window(task("pve1", "qmdestroy", "900", at(30), at(31)),
                task("pve1", "vzdump", "", at(-3600), at(-3500)), task("pve2", "qmstart", "901", at(-7200), at(-7199)));

        assertThat(tasks.lifecycle(900, PREVIOUS_POLL)).hasValue("task qmdestroy of VMID 900 on node pve1 at "
                + Instant.ofEpochSecond(at(30)));
        assertThat(tasks.lifecycle(901, PREVIOUS_POLL)).isEmpty();
        assertThat(tasks.gap(PREVIOUS_POLL, TWO_NODES)).isEmpty();
    }

    @Test
    void aCloneTaskNamesItsSourceSoOnlyTheDestroyOfTheTargetCounts() {
        // qemu-server clone_vm: fork_worker('qmclone', $vmid, ...) with the SOURCE vmid
        TaskWindow tasks = window(task("pve1", "qmclone", "9000", at(10), at(60)),
                task("pve1", "qmdestroy", "905", at(5), at(6)), task("pve2", "vzdump", "", at(-900), at(-800)),
                task("pve1", "vzdump", "", at(-900), at(-800)));

        assertThat(tasks.lifecycle(9000, PREVIOUS_POLL)).isEmpty();
        assertThat(tasks.lifecycle(905, PREVIOUS_POLL)).isPresent();
    }

    @Test
    void createAndRestoreOfBothGuestTypesCountAndARunningTaskCountsWhenEverItStarted() {
        TaskWindow tasks = window(task("pve1", "qmcreate", "910", at(1), at(2)),
                task("pve1", "vzrestore", "911", at(3), at(400)), task("pve2", "qmrestore", "912", at(-5000), null),
                task("pve2", "vzcreate", "913", at(-5000), at(-4000)));

        assertThat(tasks.lifecycle(910, PREVIOUS_POLL)).isPresent();
        assertThat(tasks.lifecycle(911, PREVIOUS_POLL)).isPresent();
        assertThat(tasks.lifecycle(912, PREVIOUS_POLL)).hasValue("task qmrestore of VMID 912 on node pve2 still running");
        assertThat(tasks.lifecycle(913, PREVIOUS_POLL)).isEmpty();
    }

    @Test
    void aTaskJustBeforeThePreviousPollStillCountsForTheNodesClocks() {
        TaskWindow tasks = window(task("pve1", "qmdestroy", "920", at(-50), at(-45)));

        assertThat(tasks.lifecycle(920, PREVIOUS_POLL)).isPresent();
        assertThat(tasks.lifecycle(920, PREVIOUS_POLL.plusSeconds(120))).isEmpty();
    }

    @Test
    void aNodeWhoseListDoesNotReachBackCannotVouch() {
        // each node keeps its newest tasks only (25 finished ones, 32 KB): a busy node's list is short
        TaskWindow tasks = window(task("pve1", "vzdump", "", at(-600), at(-500)), task("pve2", "qmstart", "930", at(20), at(21)));

        assertThat(tasks.gap(PREVIOUS_POLL, TWO_NODES)).hasValue("node pve2's task list reaches back only to "
                + Instant.ofEpochSecond(at(20)));
    }

    @Test
    void aNodeThatShowsNoTaskCannotVouch() {
        // a token without Sys.Audit on / sees no task at all (pve-manager API2/Cluster.pm tasks)
        TaskWindow tasks = window(task("pve1", "vzdump", "", at(-600), at(-500)));

        assertThat(tasks.gap(PREVIOUS_POLL, TWO_NODES)).hasValue("the task list shows nothing from node pve2");
        assertThat(window().gap(PREVIOUS_POLL, TWO_NODES)).hasValue("the task list shows nothing from node pve1");
    }

    @Test
    void anOfflineNodeCannotVouchItsListIsItsLastBroadcast() {
        TaskWindow tasks = window(task("pve1", "vzdump", "", at(-600), at(-500)), task("pve2", "vzdump", "", at(-600), at(-500)));

        assertThat(tasks.gap(PREVIOUS_POLL, Map.of("pve1", NodeState.ONLINE, "pve2", NodeState.OFFLINE)))
                .hasValue("node pve2 is not online");
    }

    @Test
    void anUnreadableListOrNoEarlierPassVouchesForNothing() {
        assertThat(TaskWindow.unreadable("HTTP 403 Permission check failed").gap(PREVIOUS_POLL, TWO_NODES))
                .hasValue("the task list could not be read (HTTP 403 Permission check failed)");
        assertThat(window(task("pve1", "vzdump", "", at(-600), at(-500))).gap(null, Map.of("pve1", NodeState.ONLINE)))
                .hasValue("no earlier pass to compare with");
        assertThat(TaskWindow.of(Fixtures.parse("{\"not\": \"a list\"}")).readable()).isFalse();
    }

    @Test
    void unreadableEntriesAreLeftOutAndANumericIdIsRead() {
        TaskWindow tasks = window("{\"node\": \"pve1\", \"type\": \"qmdestroy\", \"id\": 940, \"starttime\": " + at(5) + "}",
                "{\"node\": \"pve1\", \"type\": \"qmdestroy\", \"id\": \"941\"}", "\"junk\"",
                "{\"node\": \"pve1\", \"type\": \"qmdestroy\", \"id\": \"942\", \"starttime\": \"soon\"}");

        assertThat(tasks.lifecycle(940, PREVIOUS_POLL)).isPresent();
        assertThat(tasks.lifecycle(941, PREVIOUS_POLL)).isEmpty();
        assertThat(tasks.lifecycle(942, PREVIOUS_POLL)).isEmpty();
    }
}
