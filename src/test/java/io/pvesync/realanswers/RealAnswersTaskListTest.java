package io.pvesync.realanswers;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Task lists real servers gave ({@code proxmox/real/README.md}): what each entry says about the
 * fields a task-list reader relies on. No published {@code /cluster/tasks} answer of a real server
 * was found; these are {@code /nodes/{node}/tasks} lists, whose entries carry the per-task fields
 * PROXMOX-API.md section 11 lists for {@code /cluster/tasks} (upid, node, pid, pstart, starttime,
 * endtime when finished, type, id, user, status).
 */
class RealAnswersTaskListTest {

    /** The fields relied on; {@code endtime} is null when the entry has none (task still running). */
    record Task(String node, String type, String id, long starttime, Long endtime, String status) {
    }

    private static List<Task> tasks(String file) {
        JsonNode data = RealAnswerFiles.data(file);
        assertThat(data.isArray()).as(file + " is a list").isTrue();
        List<Task> tasks = new ArrayList<>();
        for (JsonNode entry : data) {
            // each is an object whose upid names its node and type, as Proxmox builds it
            String upid = entry.get("upid").textValue();
            assertThat(upid).startsWith("UPID:" + entry.get("node").textValue() + ":")
                    .contains(":" + entry.get("type").textValue() + ":");
            JsonNode end = entry.get("endtime");
            tasks.add(new Task(entry.get("node").textValue(), entry.get("type").textValue(), entry.get("id").textValue(),
                    entry.get("starttime").longValue(), end == null ? null : end.longValue(),
                    entry.get("status").textValue()));
        }
        return tasks;
    }

    @Test
    void pve9NodeTaskListHasTenFinishedTasksOneFailed() {
        assertThat(tasks("node-tasks-pve9.2-pvecli.json")).containsExactly(
                new Task("pve", "vncshell", "", 1785507216L, 1785507342L, "OK"),
                new Task("pve", "startall", "", 1785507060L, 1785507060L, "OK"),
                new Task("pve", "stopall", "", 1784498215L, 1784498215L, "OK"),
                new Task("pve", "vncshell", "", 1784485897L, 1784485900L, "OK"),
                new Task("pve", "vncshell", "", 1784484304L, 1784485896L, "OK"),
                new Task("pve", "vncshell", "", 1784483799L, 1784484295L, "OK"),
                new Task("pve", "vncshell", "", 1784483670L, 1784483790L, "OK"),
                new Task("pve", "vncshell", "", 1784483167L, 1784483619L, "OK"),
                new Task("pve", "startall", "", 1784482460L, 1784482460L, "OK"),
                new Task("pve", "aptupdate", "", 1784482457L, 1784482458L,
                        "command 'apt-get update' failed: exit code 100"));
    }

    @Test
    void pve64NodeTaskListHasThreeReloadsNewestFirst() {
        assertThat(tasks("node-tasks-pve6.4-community-proxmox.json")).containsExactly(
                new Task("iaclab-01-01", "srvreload", "networking", 1629092709L, 1629092710L, "OK"),
                new Task("iaclab-01-01", "srvreload", "networking", 1627975784L, 1627975785L,
                        "command 'ifreload -a' failed: exit code 1"),
                new Task("iaclab-01-01", "srvreload", "networking", 1627975503L, 1627975503L, "OK"));
    }

    @Test
    void pve7NodeTaskListShowsARunningBackupWithoutEndtime() {
        assertThat(tasks("node-tasks-pve7-proxmoxer-docs.json")).containsExactly(
                new Task("mini-pve-0", "vzdump", "103", 1637122234L, null, "RUNNING"),
                new Task("mini-pve-0", "aptupdate", "", 1637122156L, 1637122161L, "OK"),
                new Task("mini-pve-0", "vncshell", "", 1637121762L, 1637121960L, "OK"));
        // the guest's VMID is a string; "saved" is a string too
        JsonNode running = RealAnswerFiles.data("node-tasks-pve7-proxmoxer-docs.json").get(0);
        assertThat(running.get("id").isTextual()).isTrue();
        assertThat(running.get("saved").textValue()).isEqualTo("0");
    }

    @Test
    void starttimeIsTheHexStartTimeInTheUpid() {
        for (String file : List.of("node-tasks-pve9.2-pvecli.json", "node-tasks-pve6.4-community-proxmox.json",
                "node-tasks-pve7-proxmoxer-docs.json")) {
            for (JsonNode entry : RealAnswerFiles.data(file)) {
                String[] upid = entry.get("upid").textValue().split(":");
                assertThat(Long.parseLong(upid[4], 16)).as(file + " " + upid[4])
                        .isEqualTo(entry.get("starttime").longValue());
            }
        }
    }
}
