package io.pvesync.sim;

import static io.pvesync.sim.SimHarness.get;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.pvesync.sim.SimVm.Kind;
import io.pvesync.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code GET /cluster/tasks}: what each node broadcasts and who may see it (pve-common, pve-cluster, pve-manager). */
class ProxmoxSimulatorTasksTest {

    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

    private final MutableClock clock = new MutableClock(T0);
    private final List<ProxmoxSimulator> started = new ArrayList<>();

    @AfterEach
    void stop() {
        started.forEach(ProxmoxSimulator::close);
    }

    private ProxmoxSimulator sim(SimulatorBuilder builder) {
        ProxmoxSimulator sim = builder.nodes(3).vms(6).containers(2).templates(1).seed(5).clock(clock).start();
        started.add(sim);
        return sim;
    }

    private ProxmoxSimulator sim() {
        return sim(SimHarness.plain());
    }

    @Test
    void aFreshClusterHasNoTasksAndTheCallIsCounted() {
        ProxmoxSimulator sim = sim();

        assertThat(get(sim, "/cluster/tasks").data()).isEmpty();
        assertThat(sim.requests("/cluster/tasks")).isEqualTo(1);
    }

    @Test
    void createRunsQmcreateThenQmstartAndDeleteStopsThenDestroys() {
        ProxmoxSimulator sim = sim();
        int vmid = sim.create(Kind.QEMU, "pve2");
        clock.advance(Duration.ofSeconds(30));
        sim.delete(vmid);

        List<JsonNode> pve2 = node(sim, "pve2");
        assertThat(pve2).extracting(t -> t.get("type").asText())
                .containsExactly("qmdestroy", "qmstop", "qmstart", "qmcreate");
        assertThat(pve2).allSatisfy(t -> {
            assertThat(t.get("id").asText()).isEqualTo(Integer.toString(vmid));
            assertThat(t.get("status").asText()).isEqualTo("OK");
            assertThat(t.get("saved").asText()).isEqualTo("1");
            assertThat(t.get("user").asText()).isEqualTo("root@pam");
            assertThat(t.has("pid")).isFalse();
            assertThat(t.has("pstart")).isFalse();
        });
        assertThat(pve2.get(0).get("starttime").asLong()).isEqualTo(T0.getEpochSecond() + 30);
        assertThat(pve2.get(3).get("endtime").asLong()).isEqualTo(T0.getEpochSecond());
        int ct = sim.create(Kind.LXC, "pve1");
        assertThat(node(sim, "pve1")).extracting(t -> t.get("type").asText()).containsExactly("vzstart", "vzcreate");
        assertThat(node(sim, "pve1").get(0).get("id").asText()).isEqualTo(Integer.toString(ct));
    }

    @Test
    void reusingAVmidDestroysAndCreatesUnderTheSameId() {
        ProxmoxSimulator sim = sim();
        SimVm vm = sim.vms().stream().filter(v -> !v.template() && v.kind() == Kind.QEMU).findFirst().orElseThrow();

        sim.reuseVmid(vm.vmid());

        List<JsonNode> tasks = node(sim, vm.node());
        List<String> types = tasks.stream().map(t -> t.get("type").asText()).toList();
        assertThat(types).contains("qmdestroy", "qmcreate");
        assertThat(types.indexOf("qmcreate")).isLessThan(types.indexOf("qmdestroy")); // newer first
        assertThat(tasks).allSatisfy(t -> assertThat(t.get("id").asText()).isEqualTo(Integer.toString(vm.vmid())));
        assertThat(sim.vm(vm.vmid()).orElseThrow().marker()).isNotEqualTo(vm.marker());
    }

    @Test
    void reuseUnderTheSameNameAndStatusChangesOnlyTheMarkers() {
        ProxmoxSimulator sim = sim();
        SimVm vm = sim.vms().stream().filter(v -> !v.template() && v.kind() == Kind.QEMU).findFirst().orElseThrow();

        sim.reuseVmidKeepingNameAndStatus(vm.vmid());

        SimVm after = sim.vm(vm.vmid()).orElseThrow();
        assertThat(after.name()).isEqualTo(vm.name());
        assertThat(after.status()).isEqualTo(vm.status());
        assertThat(after.uuid()).isNotEqualTo(vm.uuid());
        assertThat(after.mac()).isNotEqualTo(vm.mac());
        assertThat(after.ctime()).isGreaterThan(vm.ctime());
        assertThat(node(sim, vm.node())).extracting(t -> t.get("type").asText()).contains("qmdestroy", "qmcreate");
    }

    @Test
    void eachNodesListIsRunningTasksInStartOrderThenFinishedNewestFirst() {
        ProxmoxSimulator sim = sim();
        SimVm template = sim.vms().stream().filter(SimVm::template).findFirst().orElseThrow();
        String node = template.node();
        sim.cloneStart(template.vmid(), 500, null);
        clock.advance(Duration.ofSeconds(5));
        sim.noiseTasks(node, 2);
        clock.advance(Duration.ofSeconds(5));
        sim.cloneStart(template.vmid(), 501, null);
        clock.advance(Duration.ofSeconds(5));
        sim.noiseTasks(node, 1);

        List<JsonNode> tasks = node(sim, node);

        assertThat(tasks).extracting(t -> t.get("type").asText())
                .containsExactly("qmclone", "qmclone", "aptupdate", "vncshell", "aptupdate");
        assertThat(tasks).extracting(t -> t.get("starttime").asLong() - T0.getEpochSecond())
                .containsExactly(0L, 10L, 15L, 5L, 5L);
        assertThat(tasks.get(0).has("endtime")).isFalse();
        assertThat(tasks.get(0).get("saved").asText()).isEqualTo("0");
    }

    @Test
    void aNodeKeepsTwentyFiveTasksAndPushesTheOldestOut() {
        ProxmoxSimulator sim = sim();
        int vmid = sim.create(Kind.QEMU, "pve1");
        clock.advance(Duration.ofSeconds(1));

        sim.noiseTasks("pve1", 24);
        assertThat(node(sim, "pve1")).hasSize(25).last()
                .satisfies(t -> assertThat(t.get("type").asText()).isEqualTo("qmstart"));

        sim.noiseTasks("pve1", 1);
        List<JsonNode> pve1 = node(sim, "pve1");
        assertThat(pve1).hasSize(25).noneMatch(t -> t.get("id").asText().equals(Integer.toString(vmid)));
        assertThat(node(sim, "pve2")).isEmpty();
    }

    @Test
    void manyRunningTasksAreCutAt32KibDroppingTheLastEntries() throws JsonProcessingException {
        ProxmoxSimulator sim = sim();
        sim.noiseTasks("pve3", 5);
        sim.noiseTasks("pve3", 300, true);

        List<JsonNode> pve3 = node(sim, "pve3");

        int size = encoded(pve3);
        assertThat(size).isLessThan(32 * 1024).isGreaterThan(32 * 1024 - 200);
        assertThat(pve3).hasSizeLessThan(300).allSatisfy(t -> assertThat(t.has("endtime")).isFalse());
        // running tasks come first, oldest first: the cut drops the newest consoles
        List<Long> pids = pve3.stream().map(t -> t.get("pid").asLong()).toList();
        assertThat(pids).isSorted();
        assertThat(pids.get(0)).isEqualTo(Long.parseLong(pve3.get(0).get("upid").asText().split(":")[2], 16));
    }

    @Test
    void aTokenWithoutSysAuditSeesNoTaskNotEvenItsOwn() {
        ProxmoxSimulator sim = sim(SimHarness.plain().privileges("VM.Audit", "Datastore.Audit"));
        sim.taskUser(SimHarness.TOKEN_ID);
        sim.create(Kind.QEMU, "pve1");
        sim.taskUser("pvesync@pve");
        sim.create(Kind.QEMU, "pve2");

        assertThat(get(sim, "/cluster/tasks").data()).isEmpty();

        sim.privileges(java.util.Set.of("VM.Audit", "Sys.Audit"));
        ArrayNode all = (ArrayNode) get(sim, "/cluster/tasks").data();
        assertThat(all).hasSize(4);
        JsonNode byToken = node(sim, "pve1").get(0);
        assertThat(byToken.get("user").asText()).isEqualTo("pvesync@pve");
        assertThat(byToken.get("tokenid").asText()).isEqualTo("inventory");
        assertThat(byToken.get("upid").asText()).endsWith(":pvesync@pve!inventory:");
        assertThat(node(sim, "pve2").get(0).has("tokenid")).isFalse();
    }

    @Test
    void anOfflineNodesListStaysAsLastBroadcastUntilItIsBack() {
        ProxmoxSimulator sim = sim();
        SimVm template = sim.vms().stream().filter(SimVm::template).findFirst().orElseThrow();
        String node = template.node();
        sim.cloneStart(template.vmid(), 600, null);
        List<JsonNode> before = node(sim, node);

        sim.nodeOffline(node, true);
        clock.advance(Duration.ofMinutes(10));
        sim.cloneFinish(600);
        sim.start(600);

        assertThat(node(sim, node)).isEqualTo(before);
        assertThat(node(sim, node).get(0).has("endtime")).isFalse();

        sim.nodeOffline(node, false);
        assertThat(node(sim, node)).extracting(t -> t.get("type").asText()).containsExactly("qmstart", "qmclone");
        assertThat(node(sim, node).get(1).get("status").asText()).isEqualTo("OK");
    }

    @Test
    void theMarkerIsWhatTheServedConfigCarries() {
        ProxmoxSimulator sim = sim();
        for (SimVm vm : sim.vms()) {
            JsonNode config = get(sim, "/nodes/" + vm.node() + "/" + vm.kind().wire() + "/" + vm.vmid() + "/config")
                    .data();
            String expected = vm.kind() == Kind.QEMU
                    ? "uuid:" + config.get("smbios1").asText().substring("uuid=".length())
                    : "hwaddr:" + config.get("net0").asText().replaceAll("^.*hwaddr=([0-9A-Fa-f:]{17}).*$", "$1")
                            .toLowerCase(Locale.ROOT);
            assertThat(vm.marker()).as("vmid %d", vm.vmid()).isEqualTo(expected);
        }
    }

    private static List<JsonNode> node(ProxmoxSimulator sim, String node) {
        List<JsonNode> result = new ArrayList<>();
        get(sim, "/cluster/tasks").data().forEach(t -> {
            if (t.get("node").asText().equals(node)) {
                result.add(t);
            }
        });
        return result;
    }

    /** The encoded size of a node's entries as pvestatd measured them: compact JSON. */
    private static int encoded(List<JsonNode> entries) throws JsonProcessingException {
        ArrayNode array = SimHarness.JSON.createArrayNode();
        entries.forEach(array::add);
        return SimHarness.JSON.writeValueAsBytes(array).length;
    }
}
