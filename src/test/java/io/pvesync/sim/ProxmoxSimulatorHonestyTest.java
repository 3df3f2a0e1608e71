package io.pvesync.sim;

import static io.pvesync.sim.SimHarness.entry;
import static io.pvesync.sim.SimHarness.fixture;
import static io.pvesync.sim.SimHarness.get;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.pvesync.sim.SimVm.Kind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The simulator against recorded Proxmox answers ({@code src/test/resources/proxmox/}, the
 * verbatim examples of PROXMOX-API.md §9): the same field names, the same JSON types, the same
 * optional fields, for a comparable guest.
 */
class ProxmoxSimulatorHonestyTest {

    private final List<ProxmoxSimulator> started = new ArrayList<>();

    @AfterEach
    void stop() {
        started.forEach(ProxmoxSimulator::close);
    }

    private ProxmoxSimulator sim(String version) {
        ProxmoxSimulator sim = SimHarness.plain().version(version).nodes(3).vms(80).containers(12).templates(2)
                .seed(11).start();
        started.add(sim);
        return sim;
    }

    private static JsonNode resources(ProxmoxSimulator sim) {
        return get(sim, "/cluster/resources").data();
    }

    private static JsonNode first(JsonNode list, Predicate<JsonNode> which) {
        for (JsonNode entry : list) {
            if (which.test(entry)) {
                return entry;
            }
        }
        throw new AssertionError("no such entry in " + list);
    }

    private static Predicate<JsonNode> guest(String type, String status, boolean template) {
        return e -> type.equals(e.path("type").asText()) && status.equals(e.path("status").asText())
                && e.path("template").asInt(-1) == (template ? 1 : 0) && !e.has("lock") && !e.has("tags");
    }

    @Test
    void runningQemuEntryHasTheShapeOfARealPve8Entry() {
        JsonNode recorded = entry(fixture("cluster-resources/mixed.json").get("data"), "qemu/100");
        JsonNode served = first(resources(sim("8.4.1")), guest("qemu", "running", false));

        assertThat(Shape.of(recorded).differencesFrom(served)).isEmpty();
    }

    @Test
    void pve9QemuEntriesAddMemhost() {
        JsonNode recorded = entry(fixture("cluster-resources/mixed.json").get("data"), "qemu/100");
        JsonNode served = first(resources(sim("9.1.1")), guest("qemu", "running", false));

        assertThat(Shape.of(recorded).mayAdd("memhost").differencesFrom(served)).isEmpty();
        assertThat(served.get("memhost").isIntegralNumber()).isTrue();
    }

    @Test
    void stoppedTemplateEntryHasTheRecordedShapeAndZeroUsage() {
        JsonNode recorded = entry(fixture("cluster-resources/mixed.json").get("data"), "qemu/101");
        JsonNode served = first(resources(sim("8.4.1")), guest("qemu", "stopped", true));

        assertThat(Shape.of(recorded).differencesFrom(served)).isEmpty();
        for (String zero : List.of("uptime", "mem", "cpu", "disk", "netin", "netout", "diskread", "diskwrite")) {
            assertThat(served.get(zero).isIntegralNumber()).as(zero).isTrue();
            assertThat(served.get(zero).asLong()).as(zero).isZero();
        }
    }

    @Test
    void containerEntryHasTheRecordedFieldsPlusTheUsageEveryGuestEntryCarries() {
        JsonNode recorded = entry(fixture("cluster-resources.json").get("data"), "lxc/200");
        JsonNode served = first(resources(sim("9.1.1")), guest("lxc", "running", false));

        assertThat(Shape.of(recorded).mayAdd("cpu", "mem", "disk", "uptime", "netin", "netout", "diskread", "diskwrite")
                .differencesFrom(served)).isEmpty();
        assertThat(served.get("disk").asLong()).isPositive().isLessThan(served.get("maxdisk").asLong());
    }

    @Test
    void lockAndTagsAppearOnlyWhenSetAndNamesDefaultAsProxmoxShowsThem() {
        ProxmoxSimulator sim = sim("9.1.1");
        SimVm hibernated = sim.vms().stream().filter(v -> v.kind() == Kind.QEMU && !v.template()).findFirst().orElseThrow();
        sim.hibernate(hibernated.vmid());
        SimVm unnamedCt = sim.vms().stream().filter(v -> v.kind() == Kind.LXC).findFirst().orElseThrow();
        sim.rename(unnamedCt.vmid(), null);
        JsonNode list = resources(sim);

        int tagged = 0;
        for (SimVm vm : sim.vms()) {
            JsonNode served = entry(list, vm.kind().wire() + "/" + vm.vmid());
            assertThat(served.has("lock")).as("lock of %s", vm.vmid()).isEqualTo(vm.lock() != null);
            assertThat(served.has("template")).isTrue();
            assertThat(served.get("name").asText()).isEqualTo(vm.name());
            if (served.has("tags")) {
                tagged++;
                assertThat(served.get("tags").asText()).matches("[a-z0-9-]+(;[a-z0-9-]+)*");
            }
        }
        assertThat(tagged).isPositive();
        assertThat(entry(list, "qemu/" + hibernated.vmid()).get("lock").asText()).isEqualTo("suspended");
        assertThat(entry(list, "qemu/" + hibernated.vmid()).get("status").asText()).isEqualTo("stopped");
        assertThat(entry(list, "lxc/" + unnamedCt.vmid()).get("name").asText()).isEqualTo("CT" + unnamedCt.vmid());
    }

    @Test
    void nodeEntriesHaveTheRecordedShapeAndNodesAddTheFingerprint() {
        ProxmoxSimulator sim = sim("9.1.1");
        JsonNode recorded = entry(fixture("cluster-resources.json").get("data"), "node/pve1");
        assertThat(Shape.of(recorded).mayAdd("disk", "maxdisk").differencesFrom(entry(resources(sim), "node/pve1")))
                .isEmpty();

        JsonNode recordedNodes = entry(fixture("cluster-resources/mixed.json").get("data"), "node/node1");
        JsonNode servedNode = entry(get(sim, "/nodes").data(), "node/pve1");
        assertThat(Shape.of(recordedNodes).differencesFrom(servedNode)).isEmpty();
        assertThat(servedNode.get("ssl_fingerprint").asText()).isEqualTo(sim.fingerprint());
    }

    @Test
    void expiredEntriesOfAnOfflineNodeAreExactlyTheCapturedDegradedShape() {
        ProxmoxSimulator sim = SimHarness.plain().nodes(2).vms(6).containers(0).templates(0).seed(5)
                .staleFor(Duration.ZERO).start();
        started.add(sim);
        SimVm onPve2 = sim.vms().stream().filter(v -> v.node().equals("pve2")).findFirst().orElseThrow();
        sim.lock(onPve2.vmid(), null);
        sim.nodeOffline("pve2", true);
        JsonNode recorded = fixture("cluster-resources/offline-node.json").get("data");
        JsonNode list = resources(sim);

        assertThat(Shape.of(entry(recorded, "qemu/1002")).differencesFrom(entry(list, "qemu/" + onPve2.vmid())))
                .isEmpty();
        assertThat(Shape.of(entry(recorded, "node/pve2")).differencesFrom(entry(list, "node/pve2"))).isEmpty();
    }

    @Test
    void sharedStorageSizeComesInExponentForm() {
        String body = get(sim("9.1.1"), "/cluster/resources?type=storage").body();

        assertThat(body).contains("\"id\":\"storage/pve1/backup\"")
                .contains("\"maxdisk\":3.47726673451418e+15,\"disk\":1.18329468928e+15");
    }

    @Test
    void agentInterfacesHaveTheCapturedShapeWithTheOptionalParts() {
        ProxmoxSimulator sim = sim("9.1.1");
        JsonNode telmate = fixture("agent/interfaces-telmate.json").get("data").get("result");
        JsonNode bare = fixture("agent/interfaces-without-addresses.json").get("data").get("result").get(1);
        Shape item = Shape.of(telmate.get(1)).mayAdd("statistics");
        int withoutAddresses = 0;
        int dockerFirst = 0;
        int withStatistics = 0;
        for (SimVm vm : sim.vms()) {
            if (vm.kind() != Kind.QEMU || !vm.status().equals("running") || vm.agent() != AgentState.RUNNING) {
                continue;
            }
            JsonNode result = get(sim, "/nodes/" + vm.node() + "/qemu/" + vm.vmid() + "/agent/network-get-interfaces")
                    .data().get("result");
            dockerFirst += result.get(0).get("name").asText().equals("docker0") ? 1 : 0;
            for (JsonNode nic : result) {
                if (nic.has("ip-addresses")) {
                    assertThat(item.differencesFrom(nic)).isEmpty();
                    withStatistics += nic.has("statistics") ? 1 : 0;
                } else {
                    withoutAddresses++;
                    assertThat(Shape.of(bare).differencesFrom(nic)).isEmpty();
                }
            }
            JsonNode nic = first(result, n -> n.path("hardware-address").asText().equalsIgnoreCase(vm.mac()));
            assertThat(nic.get("ip-addresses").get(0).get("ip-address").asText()).isEqualTo(vm.ipAddress());
        }
        assertThat(withoutAddresses).isPositive();
        assertThat(dockerFirst).isPositive();
        assertThat(withStatistics).isPositive();
        JsonNode statistics = fixture("agent/interfaces-docker-first.json").get("data").get("result").get(0).get("statistics");
        JsonNode lo = get(sim, "/nodes/" + runningWithAgent(sim).node() + "/qemu/" + runningWithAgent(sim).vmid()
                + "/agent/network-get-interfaces").data().get("result");
        assertThat(Shape.of(telmate.get(0)).mayAdd("statistics").differencesFrom(entryNamed(lo, "lo"))).isEmpty();
        if (entryNamed(lo, "lo").has("statistics")) {
            assertThat(Shape.of(statistics).differencesFrom(entryNamed(lo, "lo").get("statistics"))).isEmpty();
        }
    }

    @Test
    void agentErrorsHaveTheRecordedBodies() {
        ProxmoxSimulator sim = sim("9.1.1");
        SimVm vm = runningWithAgent(sim);
        String path = "/nodes/" + vm.node() + "/qemu/" + vm.vmid() + "/agent/network-get-interfaces";

        sim.setAgent(vm.vmid(), AgentState.QGA_ERROR);
        SimHarness.Answer qgaError = get(sim, path);
        sim.setAgent(vm.vmid(), AgentState.NOT_RUNNING);
        SimHarness.Answer notRunning = get(sim, path);

        assertThat(qgaError.status()).isEqualTo(200);
        assertThat(qgaError.json()).isEqualTo(fixture("agent/agent-error.json"));
        assertThat(notRunning.status()).isEqualTo(500);
        assertThat(notRunning.reason()).isEqualTo("QEMU guest agent is not running");
        assertThat(notRunning.json()).isEqualTo(fixture("agent/agent-not-running.json"));
    }

    @Test
    void anAgentErrorCarriesTheTextTheGuestChose() {
        ProxmoxSimulator sim = sim("9.1.1");
        SimVm vm = runningWithAgent(sim);
        String path = "/nodes/" + vm.node() + "/qemu/" + vm.vmid() + "/agent/network-get-interfaces";
        String desc = "<img src=x onerror=alert(1)> \"&'";

        sim.agentError(vm.vmid(), desc);
        SimHarness.Answer answer = get(sim, path);

        assertThat(answer.status()).isEqualTo(200);
        assertThat(Shape.of(fixture("agent/agent-error.json")).differencesFrom(answer.json())).isEmpty();
        assertThat(answer.data().at("/result/error/desc").asText()).isEqualTo(desc);
    }

    @Test
    void qemuConfigHasTheKeysAndTypesOfARealConfig() {
        ProxmoxSimulator sim = sim("9.1.1");
        JsonNode agentOn = fixture("qemu/config-agent-on.json").get("data");
        JsonNode cloudInit = fixture("qemu/config-agent-off.json").get("data");
        int plain = 0;
        int withCloudInit = 0;
        for (SimVm vm : sim.vms()) {
            if (vm.kind() != Kind.QEMU || vm.template() || vm.lock() != null) {
                continue;
            }
            JsonNode config = get(sim, "/nodes/" + vm.node() + "/qemu/" + vm.vmid() + "/config").data();
            if (config.has("tags") || !config.has("name") || !config.has("agent")) {
                continue;
            }
            if (config.has("ipconfig0")) {
                withCloudInit++;
                assertThat(Shape.of(cloudInit).mayAdd("boot", "cpu", "numa", "ostype", "scsi0", "scsihw", "sockets",
                        "vmgenid").differencesFrom(config)).isEmpty();
            } else {
                plain++;
                assertThat(Shape.of(agentOn).differencesFrom(config)).isEmpty();
            }
            assertThat(config.get("meta").asText()).endsWith(",ctime=" + vm.ctime());
            assertThat(config.get("net0").asText()).startsWith("virtio=" + vm.mac() + ",");
        }
        assertThat(plain).isPositive();
        assertThat(withCloudInit).isPositive();
    }

    @Test
    void beforePve81MemoryIsANumberInTheConfig() {
        ProxmoxSimulator sim = sim("8.0.4");
        SimVm vm = sim.vms().stream().filter(v -> v.kind() == Kind.QEMU).findFirst().orElseThrow();

        JsonNode config = get(sim, "/nodes/" + vm.node() + "/qemu/" + vm.vmid() + "/config").data();

        assertThat(Shape.type(config.get("memory"))).isEqualTo(Shape.type(fixture("qemu/config-uuid-only.json")
                .get("data").get("memory"))).isEqualTo("number");
        assertThat(config.get("memory").asInt()).isEqualTo(vm.memoryMb());
    }

    @Test
    void containerConfigHasTheRecordedKeysAndTypes() {
        ProxmoxSimulator sim = sim("9.1.1");
        JsonNode recorded = fixture("lxc/config.json").get("data");
        int compared = 0;
        for (SimVm vm : sim.vms()) {
            if (vm.kind() != Kind.LXC || vm.lock() != null) {
                continue;
            }
            JsonNode config = get(sim, "/nodes/" + vm.node() + "/lxc/" + vm.vmid() + "/config").data();
            if (config.has("cores") && config.has("hostname") && !config.has("tags")) {
                compared++;
                assertThat(Shape.of(recorded).mayAdd("unprivileged").differencesFrom(config)).isEmpty();
                assertThat(config.get("net0").asText()).contains("hwaddr=" + vm.mac() + ",");
            }
        }
        assertThat(compared).isPositive();
    }

    @Test
    void containerInterfacesHaveTheNewShapeOnPve9AndTheOldOneBefore84() {
        JsonNode recordedNew = fixture("lxc/interfaces-new.json").get("data");
        JsonNode recordedOld = fixture("lxc/interfaces-old.json").get("data");
        for (String version : List.of("9.1.1", "8.3.2")) {
            ProxmoxSimulator sim = sim(version);
            SimVm ct = sim.vms().stream().filter(v -> v.kind() == Kind.LXC && v.status().equals("running"))
                    .findFirst().orElseThrow();
            JsonNode served = get(sim, "/nodes/" + ct.node() + "/lxc/" + ct.vmid() + "/interfaces").data();

            assertThat(Shape.of(version.startsWith("9") ? recordedNew : recordedOld).differencesFrom(served))
                    .as(version).isEmpty();
            assertThat(entryNamed(served, "eth0").get("hwaddr").asText()).isEqualToIgnoringCase(ct.mac());
            assertThat(entryNamed(served, "eth0").get("inet").asText()).isEqualTo(ct.ipAddress() + "/24");
        }
    }

    @Test
    void stoppedContainerInterfacesAreDataNull() {
        ProxmoxSimulator sim = sim("9.1.1");
        SimVm ct = sim.vms().stream().filter(v -> v.kind() == Kind.LXC).findFirst().orElseThrow();
        sim.stop(ct.vmid());

        SimHarness.Answer answer = get(sim, "/nodes/" + ct.node() + "/lxc/" + ct.vmid() + "/interfaces");

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.json()).isEqualTo(fixture("lxc/interfaces-stopped.json"));
    }

    @Test
    void versionAndErrorBodiesMatchTheRecordedOnes() {
        ProxmoxSimulator sim = sim("9.1.1");
        assertThat(Shape.of(fixture("version.json")).differencesFrom(get(sim, "/version").json())).isEmpty();

        // the recorded errors name VM 100 (a QEMU VM with this seed), asked on pve3 where it is not
        assertThat(sim.vm(100).orElseThrow().kind()).isEqualTo(Kind.QEMU);
        if (sim.vm(100).orElseThrow().node().equals("pve3")) {
            sim.migrate(100, "pve1");
        }
        assertThat(get(sim, "/nodes/pve3/qemu/100/config").json()).isEqualTo(fixture("error-config-missing.json"));

        sim.revokeAudit(v -> v.vmid() == 100);
        assertThat(get(sim, "/nodes/pve1/qemu/100/config").json()).isEqualTo(fixture("error-permission-check.json"));
    }

    @Test
    void statusCurrentHasTheFieldsOfTheRecordedExcerpt() throws Exception {
        // PROXMOX-API.md §9, go-proxmox tests/mocks/pve9x/virtual_machines.go
        JsonNode excerpt = SimHarness.JSON.readTree("{\"agent\": 1, \"ha\": {\"managed\": 0}, \"qmpstatus\": \"running\","
                + " \"status\": \"running\", \"cpus\": 8, \"maxmem\": 2097152000, \"maxdisk\": 18467520512, \"disk\": 0,"
                + " \"running-machine\": \"pc-i440fx-8.0+pve0\", \"running-qemu\": \"8.0.2\", \"vmid\": 101,"
                + " \"name\": \"matt\"}");
        ProxmoxSimulator sim = sim("9.1.1");
        SimVm vm = runningWithAgent(sim);
        sim.pause(vm.vmid());

        JsonNode served = get(sim, "/nodes/" + vm.node() + "/qemu/" + vm.vmid() + "/status/current").data();

        assertThat(Shape.of(excerpt).mayAdd("mem", "uptime", "cpu", "pid", "proxmox-support", "tags")
                .differencesFrom(served)).isEmpty();
        assertThat(served.get("status").asText()).isEqualTo("running");
        assertThat(served.get("qmpstatus").asText()).isEqualTo("paused");
    }

    private static SimVm runningWithAgent(ProxmoxSimulator sim) {
        return sim.vms().stream().filter(v -> v.kind() == Kind.QEMU && v.status().equals("running")
                && v.agent() == AgentState.RUNNING && v.lock() == null).findFirst().orElseThrow();
    }

    private static JsonNode entryNamed(JsonNode list, String name) {
        return first(list, n -> name.equals(n.path("name").asText()));
    }
}
