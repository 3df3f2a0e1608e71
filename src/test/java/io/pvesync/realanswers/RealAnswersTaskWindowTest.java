package io.pvesync.realanswers;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.pvesync.inventory.NodeState;
import io.pvesync.inventory.TaskMark;
import io.pvesync.inventory.TaskWindow;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Task lists real servers gave, replayed through pvesync's {@link TaskWindow}: how far each reaches
 * back, and that everyday tasks (a running backup included) put no VMID in doubt.
 */
class RealAnswersTaskWindowTest {

    /** The list as an earlier pass saw it: without its newest entry. */
    private static JsonNode earlier(JsonNode list) {
        ArrayNode copy = ((ArrayNode) list).deepCopy();
        copy.remove(0);
        return copy;
    }

    @Test
    void aPve9ListMarksItsNewestTaskAndVouchesForThePassBeforeIt() {
        JsonNode list = RealAnswerFiles.data("node-tasks-pve9.2-pvecli.json");
        TaskWindow now = TaskWindow.of(list);
        TaskMark before = TaskWindow.of(earlier(list)).mark();

        assertThat(now.mark().nodes()).containsOnlyKeys("pve");
        assertThat(now.mark().nodes().get("pve").newest()).isEqualTo(1785507216L);
        assertThat(now.gap(before, Map.of("pve", NodeState.ONLINE))).isEmpty();
        assertThat(now.lifecycle(100, TaskMark.NONE)).isEmpty();
    }

    @Test
    void aPve7ListWithARunningBackupPutsItsGuestInNoDoubt() {
        // vzdump of 103 still running: a backup is no lifecycle event of the VMID
        TaskWindow now = TaskWindow.of(RealAnswerFiles.data("node-tasks-pve7-proxmoxer-docs.json"));

        assertThat(now.lifecycle(103, TaskMark.NONE)).isEmpty();
        assertThat(now.stillRunning(103, Map.of("mini-pve-0", NodeState.ONLINE))).isEmpty();
        assertThat(now.mark().nodes().get("mini-pve-0").upids()).hasSize(3);
    }

    @Test
    void aListFromANodeTheListingDoesNotNameLeavesThatNodeUnvouched() {
        JsonNode list = RealAnswerFiles.data("node-tasks-pve6.4-community-proxmox.json");
        TaskWindow now = TaskWindow.of(list);
        TaskMark before = TaskWindow.of(earlier(list)).mark();

        assertThat(now.gap(before, Map.of("iaclab-01-01", NodeState.ONLINE))).isEmpty();
        assertThat(now.gap(before, Map.of("iaclab-01-01", NodeState.ONLINE, "iaclab-01-02", NodeState.ONLINE)))
                .hasValue("no earlier task list of node iaclab-01-02 to compare with");
        assertThat(before.nodes().keySet()).isEqualTo(Set.of("iaclab-01-01"));
    }
}
