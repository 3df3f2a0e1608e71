package io.pvesync.sim;

import static io.pvesync.sim.SimHarness.get;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.pvesync.sim.SimVm.Kind;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The agent's checks in Proxmox's order, and what configs say about the guest (PROXMOX-API.md §3.5, §4). */
class ProxmoxSimulatorGuestCallsTest {

    private ProxmoxSimulator sim;
    private SimVm vm;
    private String agentPath;

    @BeforeEach
    void start() {
        sim = SimHarness.plain().nodes(2).vms(6).containers(2).templates(0).seed(2).start();
        vm = sim.vms().stream().filter(v -> v.kind() == Kind.QEMU).findFirst().orElseThrow();
        agentPath = "/nodes/" + vm.node() + "/qemu/" + vm.vmid() + "/agent/network-get-interfaces";
    }

    @AfterEach
    void stop() {
        sim.close();
    }

    @Test
    void noAgentKeyComesBeforeTheRunState() {
        sim.setAgent(vm.vmid(), AgentState.OFF);
        sim.stop(vm.vmid());

        SimHarness.Answer answer = get(sim, agentPath);

        assertThat(answer.status()).isEqualTo(500);
        assertThat(answer.reason()).isEqualTo("No QEMU guest agent configured");
        assertThat(get(sim, "/nodes/" + vm.node() + "/qemu/" + vm.vmid() + "/config").data().has("agent")).isFalse();
    }

    @Test
    void aStoppedVmIsNotRunning() {
        sim.setAgent(vm.vmid(), AgentState.RUNNING);
        sim.stop(vm.vmid());

        assertThat(get(sim, agentPath).reason()).isEqualTo("VM " + vm.vmid() + " is not running");
    }

    @Test
    void aPausedVmOrADisabledAgentDoesNotAnswer() {
        sim.start(vm.vmid());
        sim.setAgent(vm.vmid(), AgentState.DISABLED);
        assertThat(get(sim, agentPath).reason()).isEqualTo("QEMU guest agent is not running");
        assertThat(get(sim, "/nodes/" + vm.node() + "/qemu/" + vm.vmid() + "/config").data().get("agent").asText())
                .isIn("0", "enabled=0", "0,fstrim_cloned_disks=1");

        sim.setAgent(vm.vmid(), AgentState.RUNNING);
        sim.pause(vm.vmid());
        assertThat(get(sim, agentPath).reason()).isEqualTo("QEMU guest agent is not running");
    }

    @Test
    void aRunningAgentReportsTheNicOfNet0() {
        sim.start(vm.vmid());
        sim.setAgent(vm.vmid(), AgentState.RUNNING);
        SimVm now = sim.vm(vm.vmid()).orElseThrow();

        JsonNode result = get(sim, agentPath).data().get("result");

        JsonNode nic = null;
        for (JsonNode candidate : result) {
            if (candidate.path("hardware-address").asText().equalsIgnoreCase(now.mac())) {
                nic = candidate;
            }
        }
        assertThat(nic).isNotNull();
        assertThat(nic.get("ip-addresses").get(0).toString())
                .isEqualTo("{\"ip-address\":\"" + now.ipAddress() + "\",\"ip-address-type\":\"ipv4\",\"prefix\":24}");
        assertThat(nic.get("ip-addresses").findValuesAsText("ip-address"))
                .contains(GuestWriter.linkLocal(now.mac().toLowerCase(java.util.Locale.ROOT)));
    }

    @Test
    void linkLocalAddressesAreTheEui64OfTheMac() {
        // the pair of interfaces-docker-first.json
        assertThat(GuestWriter.linkLocal("bc:24:11:2e:c5:4a")).isEqualTo("fe80::be24:11ff:fe2e:c54a");
    }

    @Test
    void configsAreReadWhereverTheGuestRunsAndShowItsSizes() {
        sim.resize(vm.vmid(), 3, 3072, 40);

        JsonNode config = get(sim, "/nodes/" + vm.node() + "/qemu/" + vm.vmid() + "/config").data();

        assertThat(config.get("cores").asInt()).isEqualTo(3);
        assertThat(config.get("sockets").asInt()).isEqualTo(1);
        assertThat(config.get("memory").asText()).isEqualTo("3072");
        assertThat(config.get("scsi0").asText()).endsWith(",size=40G");
        assertThat(config.get("smbios1").asText()).matches("uuid=[0-9a-f-]{36}");
        assertThat(config.get("digest").asText()).matches("[0-9a-f]{40}");
    }

    @Test
    void aContainerConfigCarriesItsAddress() {
        SimVm ct = sim.vms().stream().filter(v -> v.kind() == Kind.LXC).findFirst().orElseThrow();
        sim.stop(ct.vmid());
        SimVm stopped = sim.vm(ct.vmid()).orElseThrow();

        JsonNode config = get(sim, "/nodes/" + ct.node() + "/lxc/" + ct.vmid() + "/config").data();

        String net0 = config.get("net0").asText();
        assertThat(net0).contains("hwaddr=" + ct.mac());
        if (stopped.ipAddress() == null) {
            assertThat(net0).contains("ip=dhcp");
        } else {
            assertThat(net0).contains("ip=" + stopped.ipAddress() + "/24");
        }
        assertThat(config.get("memory").isInt()).isTrue();
    }
}
