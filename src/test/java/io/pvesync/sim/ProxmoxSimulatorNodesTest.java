package io.pvesync.sim;

import io.pvesync.testing.MutableClock;
import static io.pvesync.sim.SimHarness.entry;
import static io.pvesync.sim.SimHarness.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.pvesync.proxmox.ApiCall;
import io.pvesync.proxmox.NodeUnreachableException;
import io.pvesync.proxmox.ProxmoxClient;
import io.pvesync.sim.SimVm.Kind;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Offline nodes, proxying, stale-then-unknown entries, cluster status (PROXMOX-API.md §2.1, §3.1, §5.1). */
class ProxmoxSimulatorNodesTest {

    private static final Duration STALE_FOR = Duration.ofMinutes(5);

    private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T10:00:00Z"));
    private ProxmoxSimulator sim;
    private SimVm onPve2;

    @BeforeEach
    void start() {
        sim = SimHarness.plain().nodes(3).vms(12).containers(3).templates(0).seed(8).endpoints(2).clock(clock)
                .staleFor(STALE_FOR).start();
        onPve2 = sim.vms().stream().filter(v -> v.node().equals("pve2") && v.kind() == Kind.QEMU).findFirst()
                .orElseThrow();
        sim.start(onPve2.vmid());
        sim.lock(onPve2.vmid(), null);
        onPve2 = sim.vm(onPve2.vmid()).orElseThrow();
    }

    @AfterEach
    void stop() {
        sim.close();
    }

    @Test
    void aNodesQemuListShowsItsVmsAndAnOfflineNodeAnswers595() {
        List<Integer> onPve1 = sim.vms().stream().filter(v -> v.node().equals("pve1") && v.kind() == Kind.QEMU)
                .map(SimVm::vmid).toList();

        JsonNode list = get(sim, "/nodes/pve1/qemu").data();

        List<Integer> listed = new ArrayList<>();
        list.forEach(item -> listed.add(item.get("vmid").asInt()));
        assertThat(listed).containsExactlyElementsOf(onPve1);
        assertThat(list.get(0).get("status").asText()).isIn("running", "stopped");
        sim.nodeOffline("pve1", true);
        assertThat(get(sim, "/nodes/pve1/qemu").status()).isEqualTo(595);
    }

    @Test
    void aNodeCutOffFromTheOthersAnswersWithoutQuorumAndTheMajorityKeepsIt() {
        sim.isolate("pve1", true);
        Map<String, String> auth = Map.of("Authorization", SimHarness.AUTHORIZATION);

        // endpoint 0 is pve1's: it sees only itself, has no quorum, and cannot reach pve2's guests
        JsonNode lonely = get(sim, 0, "/cluster/status", auth).data();
        assertThat(entry(lonely, "cluster").get("quorate").asInt()).isZero();
        assertThat(entry(lonely, "node/pve1").get("online").asInt()).isEqualTo(1);
        assertThat(entry(lonely, "node/pve2").get("online").asInt()).isZero();
        JsonNode itsListing = get(sim, 0, "/cluster/resources", auth).data();
        assertThat(entry(itsListing, "node/pve2").get("status").asText()).isEqualTo("offline");
        assertThat(entry(itsListing, "qemu/" + onPve2.vmid()).get("status").asText()).isEqualTo("running");
        assertThat(get(sim, 0, "/nodes/pve2/qemu/" + onPve2.vmid() + "/config", auth).status()).isEqualTo(595);

        // endpoint 1 is pve2's: two of three, quorate, pve1 offline
        JsonNode majority = get(sim, 1, "/cluster/status", auth).data();
        assertThat(entry(majority, "cluster").get("quorate").asInt()).isEqualTo(1);
        assertThat(entry(majority, "node/pve1").get("online").asInt()).isZero();
        assertThat(entry(get(sim, 1, "/cluster/resources", auth).data(), "node/pve1").get("status").asText())
                .isEqualTo("offline");

        sim.isolate("pve1", false);
        assertThat(entry(get(sim, 0, "/cluster/status", auth).data(), "cluster").get("quorate").asInt()).isEqualTo(1);
    }

    @Test
    void anOfflineNodeIsOfflineAtOnceWhileItsGuestsKeepTheirLastValues() {
        JsonNode before = entry(get(sim, "/cluster/resources").data(), "qemu/" + onPve2.vmid());
        sim.nodeOffline("pve2", true);
        clock.advance(STALE_FOR.minusSeconds(1));

        JsonNode list = get(sim, "/cluster/resources").data();

        assertThat(entry(list, "node/pve2").get("status").asText()).isEqualTo("offline");
        assertThat(names(entry(list, "node/pve2"))).containsExactly("id", "level", "maxcpu", "maxdisk", "maxmem",
                "node", "status", "type");
        JsonNode stale = entry(list, "qemu/" + onPve2.vmid());
        assertThat(stale.get("status").asText()).isEqualTo("running");
        assertThat(names(stale)).isEqualTo(names(before));
        assertThat(stale.get("maxmem")).isEqualTo(before.get("maxmem"));
        assertThat(stale.get("uptime")).isEqualTo(before.get("uptime"));
    }

    @Test
    void afterStaleForTheEntriesDegradeToStatusUnknown() {
        sim.nodeOffline("pve2", true);
        clock.advance(STALE_FOR);

        JsonNode list = get(sim, "/cluster/resources").data();

        JsonNode degraded = entry(list, "qemu/" + onPve2.vmid());
        assertThat(names(degraded)).containsExactly("id", "node", "status", "type", "vmid");
        assertThat(degraded.get("status").asText()).isEqualTo("unknown");
        assertThat(names(entry(list, "node/pve2"))).containsExactly("id", "node", "status", "type");
        assertThat(entry(list, "storage/pve2/local").get("status").asText()).isEqualTo("unknown");
        assertThat(entry(list, "node/pve1").get("status").asText()).isEqualTo("online");

        sim.nodeOffline("pve2", false);
        JsonNode back = entry(get(sim, "/cluster/resources").data(), "qemu/" + onPve2.vmid());
        assertThat(back.get("status").asText()).isEqualTo("running");
        assertThat(back.get("name").asText()).isEqualTo(onPve2.name());
    }

    @Test
    void callsProxiedToAnOfflineNodeAre595WithAnEmptyBody() throws Exception {
        sim.nodeOffline("pve2", true);
        String path = "/nodes/pve2/qemu/" + onPve2.vmid() + "/config";

        SimHarness.Answer answer = get(sim, path);

        assertThat(answer.status()).isEqualTo(595);
        assertThat(answer.reason()).isEqualTo("No route to host");
        assertThat(answer.body()).isEmpty();
        try (ProxmoxClient client = SimHarness.client(sim)) {
            assertThatThrownBy(() -> client.get(ApiCall.qemuConfig("pve2", onPve2.vmid())))
                    .isInstanceOfSatisfying(NodeUnreachableException.class, e -> {
                        assertThat(e.status()).isEqualTo(595);
                        assertThat(e.reason()).isEqualTo("No route to host");
                    });
        }
        // cluster-wide reads still work
        assertThat(get(sim, "/cluster/resources").status()).isEqualTo(200);
    }

    @Test
    void anUnknownNodeNameIsAFailedHostnameLookup() {
        SimHarness.Answer answer = get(sim, "/nodes/pve9/qemu/" + onPve2.vmid() + "/config");

        assertThat(answer.status()).isEqualTo(500);
        assertThat(answer.reason()).isEqualTo("hostname lookup 'pve9' failed - failed to get address info for: pve9:"
                + " Name or service not known");
    }

    @Test
    void askingTheWrongNodeIsAMissingConfigFile() {
        SimVm ct = sim.vms().stream().filter(v -> v.kind() == Kind.LXC).findFirst().orElseThrow();
        String other = ct.node().equals("pve1") ? "pve3" : "pve1";

        assertThat(get(sim, "/nodes/pve1/qemu/" + onPve2.vmid() + "/config").reason())
                .isEqualTo("Configuration file 'nodes/pve1/qemu-server/" + onPve2.vmid() + ".conf' does not exist");
        assertThat(get(sim, "/nodes/" + other + "/lxc/" + ct.vmid() + "/config").reason())
                .isEqualTo("Configuration file 'nodes/" + other + "/lxc/" + ct.vmid() + ".conf' does not exist");
        assertThat(get(sim, "/nodes/" + ct.node() + "/qemu/" + ct.vmid() + "/config").status()).isEqualTo(500);
        assertThat(get(sim, "/nodes/pve2/qemu/" + onPve2.vmid() + "/config").status()).isEqualTo(200);
    }

    @Test
    void clusterStatusNamesTheAskedNodeLocalAndCountsQuorum() {
        JsonNode fromSecond = get(sim, 1, "/cluster/status", Map.of("Authorization", SimHarness.AUTHORIZATION)).data();
        assertThat(fromSecond.get(0).toString()).isEqualTo(
                "{\"type\":\"cluster\",\"id\":\"cluster\",\"name\":\"pvesim\",\"nodes\":3,\"quorate\":1,\"version\":4}");
        assertThat(fromSecond.get(2).toString()).isEqualTo("{\"type\":\"node\",\"id\":\"node/pve2\",\"name\":\"pve2\","
                + "\"nodeid\":2,\"ip\":\"10.10.0.3\",\"local\":1,\"online\":1,\"level\":\"\"}");
        assertThat(fromSecond.get(1).get("local").asInt()).isZero();

        sim.nodeOffline("pve2", true);
        sim.nodeOffline("pve3", true);
        JsonNode minority = get(sim, "/cluster/status").data();
        assertThat(minority.get(0).get("quorate").asInt()).isZero();
        assertThat(minority.get(3).get("online").asInt()).isZero();
    }

    @Test
    void theTypeParameterFiltersTheListing() {
        assertThat(get(sim, "/cluster/resources?type=vm").data().findValuesAsText("type")).containsOnly("qemu", "lxc")
                .hasSize(15);
        assertThat(get(sim, "/cluster/resources?type=node").data().findValuesAsText("type")).containsOnly("node")
                .hasSize(3);
        SimHarness.Answer bad = get(sim, "/cluster/resources?type=vms");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().get("errors").get("type").asText())
                .isEqualTo("value 'vms' does not have a value in the enumeration 'vm, storage, node, sdn'");
    }

    @Test
    void uptimeFollowsTheClock() {
        long before = entry(get(sim, "/cluster/resources").data(), "qemu/" + onPve2.vmid()).get("uptime").asLong();
        clock.advance(Duration.ofSeconds(90));
        long after = entry(get(sim, "/cluster/resources").data(), "qemu/" + onPve2.vmid()).get("uptime").asLong();
        assertThat(after - before).isEqualTo(90);
    }

    private static List<String> names(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        names.sort(null);
        return names;
    }
}
