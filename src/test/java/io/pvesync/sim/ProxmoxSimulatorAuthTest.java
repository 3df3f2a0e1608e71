package io.pvesync.sim;

import static io.pvesync.sim.SimHarness.AUTHORIZATION;
import static io.pvesync.sim.SimHarness.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.pvesync.config.Secret;
import io.pvesync.config.TlsConfig;
import io.pvesync.proxmox.ApiCall;
import io.pvesync.proxmox.ProxmoxAuthException;
import io.pvesync.proxmox.ProxmoxClient;
import io.pvesync.sim.SimVm.Kind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Tokens, 401s and their delay, privileges, 403s and silent omission (PROXMOX-API.md §1). */
class ProxmoxSimulatorAuthTest {

    private static final Duration DELAY = Duration.ofMillis(300);

    private final List<ProxmoxSimulator> started = new ArrayList<>();

    @AfterEach
    void stop() {
        started.forEach(ProxmoxSimulator::close);
    }

    private ProxmoxSimulator start(SimulatorBuilder builder) {
        ProxmoxSimulator sim = builder.nodes(2).vms(8).containers(2).templates(0).seed(4).start();
        started.add(sim);
        return sim;
    }

    private ProxmoxSimulator sim() {
        return start(SimHarness.plain().authFailureDelay(DELAY));
    }

    @Test
    void theRightTokenIsServed() throws Exception {
        try (ProxmoxClient client = SimHarness.client(sim())) {
            assertThat(client.get(ApiCall.version()).get("release").asText()).isEqualTo("9.1");
        }
    }

    @Test
    void aSpaceInsteadOfEqualsAfterTheSchemeIsAccepted() {
        SimHarness.Answer answer = get(sim(), 0, "/version",
                Map.of("Authorization", "PVEAPIToken " + SimHarness.TOKEN_ID + "=" + SimHarness.SECRET));
        assertThat(answer.status()).isEqualTo(200);
    }

    @Test
    void aWrongSecretIs401InvalidTokenValueAfterTheDelayWithoutBody() {
        ProxmoxSimulator sim = sim();
        long started = System.nanoTime();

        SimHarness.Answer answer = get(sim, 0, "/cluster/resources",
                Map.of("Authorization", "PVEAPIToken=" + SimHarness.TOKEN_ID + "=not-the-secret"));

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(DELAY);
        assertThat(answer.status()).isEqualTo(401);
        assertThat(answer.reason()).isEqualTo("invalid token value!");
        assertThat(answer.body()).isEmpty();
    }

    @Test
    void anotherTokenIdIsRefusedTheSameWay() {
        SimHarness.Answer answer = get(sim(), 0, "/version",
                Map.of("Authorization", "PVEAPIToken=root@pam!other=" + SimHarness.SECRET));
        assertThat(answer.status()).isEqualTo(401);
        assertThat(answer.reason()).isEqualTo("invalid token value!");
    }

    @Test
    void pve915NoLongerSaysWhy() {
        ProxmoxSimulator sim = start(SimHarness.plain().version("9.1.5"));
        SimHarness.Answer answer = get(sim, 0, "/version", Map.of("Authorization", "PVEAPIToken=x@pve!y=z"));
        assertThat(answer.reason()).isEqualTo("Authentication failed!");
    }

    @Test
    void noCredentialsIs401NoTicket() {
        SimHarness.Answer answer = get(sim(), 0, "/version", Map.of());
        assertThat(answer.status()).isEqualTo(401);
        assertThat(answer.reason()).isEqualTo("No ticket");
        assertThat(answer.body()).isEmpty();
    }

    @Test
    void aTicketCookieWinsOverAValidToken() {
        SimHarness.Answer answer = get(sim(), 0, "/version",
                Map.of("Authorization", AUTHORIZATION, "Cookie", "PVEAuthCookie=PVE:root@pam:4EEC61E2::sig"));
        assertThat(answer.status()).isEqualTo(401);
        assertThat(answer.reason()).isEqualTo("permission denied - invalid PVE ticket");
    }

    @Test
    void pvesyncSeesTheRejectedTokenAsAnAuthError() {
        ProxmoxSimulator sim = start(SimHarness.plain().tokenSecret("another-secret"));
        try (ProxmoxClient client = new ProxmoxClient(SimHarness.config(sim.endpoints(), TlsConfig.systemDefault(),
                Duration.ofSeconds(5)))) {
            assertThatThrownBy(() -> client.get(ApiCall.clusterResources()))
                    .isInstanceOfSatisfying(ProxmoxAuthException.class, e -> {
                        assertThat(e.status()).isEqualTo(401);
                        assertThat(e.reason()).isEqualTo("invalid token value!");
                        assertThat(e.getMessage()).doesNotContain(Secret.of(SimHarness.SECRET).reveal());
                    });
        }
    }

    @Test
    void withoutVmAuditGuestsAreLeftOutSilentlyAndTheirCallsAre403() {
        ProxmoxSimulator sim = start(SimHarness.plain().privileges("Sys.Audit", "Datastore.Audit"));
        SimVm vm = sim.vms().get(0);

        SimHarness.Answer list = get(sim, "/cluster/resources");
        SimHarness.Answer config = get(sim, "/nodes/" + vm.node() + "/" + vm.kind().wire() + "/" + vm.vmid() + "/config");

        assertThat(list.status()).isEqualTo(200);
        assertThat(types(list.data())).containsExactly("node", "sdn", "storage");
        assertThat(config.status()).isEqualTo(403);
        assertThat(config.reason()).isEqualTo("Permission check failed (/vms/" + vm.vmid() + ", VM.Audit)");
        assertThat(config.json().get("message").asText())
                .isEqualTo("Permission check failed (/vms/" + vm.vmid() + ", VM.Audit)\n");
    }

    @Test
    void revokedGuestsVanishFromTheListingAndComeBack() {
        ProxmoxSimulator sim = sim();
        sim.revokeAudit(v -> v.vmid() % 2 == 0);
        List<Integer> visible = sim.vms().stream().map(SimVm::vmid).filter(id -> id % 2 == 1).toList();
        SimVm hidden = sim.vms().stream().filter(v -> v.vmid() % 2 == 0).findFirst().orElseThrow();

        assertThat(vmids(get(sim, "/cluster/resources").data())).containsExactlyElementsOf(visible);
        assertThat(get(sim, "/nodes/" + hidden.node() + "/" + hidden.kind().wire() + "/" + hidden.vmid() + "/config")
                .reason()).isEqualTo("Permission check failed (/vms/" + hidden.vmid() + ", VM.Audit)");
        assertThat(get(sim, "/access/permissions?path=/vms/" + hidden.vmid()).data()
                .get("/vms/" + hidden.vmid()).size()).isZero();

        sim.restoreAudit();
        assertThat(vmids(get(sim, "/cluster/resources").data())).hasSize(sim.vms().size());
    }

    @Test
    void theAgentNeedsGuestAgentAuditOnPve9AndVmMonitorOnPve8() {
        ProxmoxSimulator pve9 = start(SimHarness.plain().privileges("VM.Audit", "Sys.Audit"));
        ProxmoxSimulator pve8 = start(SimHarness.plain().version("8.4.1"));
        ProxmoxSimulator pve8Monitor = start(SimHarness.plain().version("8.4.1")
                .privileges("VM.Audit", "VM.Monitor", "Sys.Audit"));
        SimVm vm = pve9.vms().stream().filter(v -> v.kind() == Kind.QEMU).findFirst().orElseThrow();
        String path = "/nodes/" + vm.node() + "/qemu/" + vm.vmid() + "/agent/network-get-interfaces";

        assertThat(get(pve9, path).reason()).isEqualTo("Permission check failed (/vms/" + vm.vmid()
                + ", VM.GuestAgent.Audit|VM.GuestAgent.Unrestricted)");
        assertThat(get(pve8, path).reason()).isEqualTo("Permission check failed (/vms/" + vm.vmid() + ", VM.Monitor)");
        ProxmoxSimulator pve9Auditor = start(SimHarness.plain());
        for (ProxmoxSimulator allowed : List.of(pve8Monitor, pve9Auditor)) {
            allowed.start(vm.vmid());
            allowed.setAgent(vm.vmid(), AgentState.RUNNING);
            assertThat(get(allowed, path).status()).isEqualTo(200);
        }
    }

    @Test
    void withoutSysAuditNodesLoseTheirStatsAndClusterStatusIs403() {
        ProxmoxSimulator sim = start(SimHarness.plain().privileges("VM.Audit"));

        JsonNode node = SimHarness.entry(get(sim, "/cluster/resources?type=node").data(), "node/pve1");

        assertThat(fieldNames(node)).containsExactly("id", "level", "node", "status", "type");
        assertThat(get(sim, "/cluster/status").reason()).isEqualTo("Permission check failed (/, Sys.Audit)");
        assertThat(fieldNames(SimHarness.entry(get(sim, "/nodes").data(), "node/pve1")))
                .containsExactly("id", "level", "node", "ssl_fingerprint", "status", "type");
    }

    @Test
    void permissionsListTheTokensPrivilegesPerVersion() {
        assertThat(fieldNames(get(sim(), "/access/permissions?path=/").data().get("/"))).containsExactly(
                "Datastore.Audit", "Mapping.Audit", "Pool.Audit", "SDN.Audit", "Sys.Audit", "VM.Audit",
                "VM.GuestAgent.Audit");
        JsonNode pve8 = get(start(SimHarness.plain().version("8.4.1")), "/access/permissions").data().get("/");
        assertThat(fieldNames(pve8)).doesNotContain("VM.GuestAgent.Audit").contains("VM.Audit");
        assertThat(pve8.get("VM.Audit").asInt()).isEqualTo(1);

        ProxmoxSimulator changed = sim();
        changed.privileges(Set.of("VM.Audit"));
        assertThat(fieldNames(get(changed, "/access/permissions?path=/").data().get("/"))).containsExactly("VM.Audit");
    }

    private static List<String> types(JsonNode list) {
        return new ArrayList<>(new TreeSet<>(list.findValuesAsText("type")));
    }

    private static List<Integer> vmids(JsonNode list) {
        List<Integer> ids = new ArrayList<>();
        list.forEach(e -> {
            if (e.has("vmid")) {
                ids.add(e.get("vmid").asInt());
            }
        });
        return ids;
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        names.sort(null);
        return names;
    }
}
