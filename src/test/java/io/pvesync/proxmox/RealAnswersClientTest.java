package io.pvesync.proxmox;

import static io.pvesync.proxmox.TestClusters.cluster;
import static io.pvesync.proxmox.TestClusters.endpoint;
import static io.pvesync.proxmox.TestClusters.fixture;
import static io.pvesync.proxmox.TestClusters.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.pvesync.inventory.NodeState;
import io.pvesync.inventory.ObservedVm;
import io.pvesync.inventory.ResourceMapper;
import io.pvesync.inventory.Snapshot;
import io.pvesync.inventory.VmKind;
import io.pvesync.inventory.VmStatus;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Answers real servers gave ({@code proxmox/real/README.md}) served over HTTP to the real
 * {@link ProxmoxClient}, and the listings on through {@link ResourceMapper}.
 */
class RealAnswersClientTest {

    private static final Instant AT = Instant.parse("2026-12-01T10:00:00Z");
    private static final String NOT_RUNNING = "QEMU guest agent is not running";

    private final MockWebServer server = new MockWebServer();
    private ProxmoxClient client;

    @BeforeEach
    void start() throws Exception {
        server.start();
        client = new ProxmoxClient(cluster(endpoint(server)));
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
    }

    /** The PVE 9 curl transcript's body, byte for byte as the server sent it (Content-Length 6257). */
    @Test
    void pve9TypeVmBodyStreamsThroughClientAndMapperHoldingEveryGuest() throws Exception {
        server.enqueue(ok("real/cluster-resources-pve9.0-curl-typevm.json"));
        ResourceMapper mapper = new ResourceMapper("lab", false);

        Snapshot snapshot = client.read(ApiCall.clusterResources(), data -> mapper.mapStreamed(data, AT));

        RecordedRequest request = server.takeRequest(5, TimeUnit.SECONDS);
        assertThat(request.getTarget()).isEqualTo("/api2/json/cluster/resources");
        assertThat(snapshot.vms()).isEmpty();
        assertThat(snapshot.held()).isEqualTo(Map.of(100, "server5", 102, "server5", 103, "server2", 105, "server3",
                108, "server5", 110, "server5", 112, "server5", 113, "server4", 114, "server5"));
        assertThat(snapshot.skipped()).isEqualTo(10);
    }

    @Test
    void pve7ListingThroughClientAndMapperGivesItsThreeVms() throws Exception {
        server.enqueue(ok("real/cluster-resources-pve7.4-go-proxmox.json"));
        ResourceMapper mapper = new ResourceMapper("lab", false);

        Snapshot snapshot = client.read(ApiCall.clusterResources(), data -> mapper.mapStreamed(data, AT));

        assertThat(snapshot.vms()).containsExactly(
                new ObservedVm(100, VmKind.QEMU, "node2", "server1", VmStatus.RUNNING, 1, 1024, 32, null, null),
                new ObservedVm(102, VmKind.QEMU, "node1", "machine-test", VmStatus.STOPPED, 4, 8000, 50, null, null),
                new ObservedVm(200, VmKind.QEMU, "node1", "VM 200", VmStatus.STOPPED, 4, 8000, 50, null, null));
        assertThat(snapshot.nodes()).containsOnlyKeys("node1", "node2", "node3", "node4")
                .allSatisfy((node, state) -> assertThat(state).isEqualTo(NodeState.ONLINE));
        assertThat(snapshot.skipped()).isEqualTo(1);
    }

    @Test
    void pve8ListingReadWholeMapsLikeStreamed() throws Exception {
        // this source published only the data value; the HTTP body around it is the test's
        String body = "{\"data\":" + fixture("real/cluster-resources-pve8-proxmoxve-ha.json") + "}";
        server.enqueue(new MockResponse.Builder().body(body).build());
        server.enqueue(new MockResponse.Builder().body(body).build());

        Snapshot whole = new ResourceMapper("lab", true).map(client.get(ApiCall.clusterResources()), AT);
        ResourceMapper mapper = new ResourceMapper("lab", true);
        Snapshot streamed = client.read(ApiCall.clusterResources(), data -> mapper.mapStreamed(data, AT));

        assertThat(whole).isEqualTo(streamed);
        assertThat(whole.vms()).containsExactly(
                new ObservedVm(100, VmKind.LXC, "pve", "lxc-test-100", VmStatus.RUNNING, 2, 1024, 2, null, null),
                new ObservedVm(101, VmKind.QEMU, "pve", "vm-test-101", VmStatus.RUNNING, 4, 8192, 0, null, null));
    }

    /** bpg/terraform-provider-proxmox#2084 logged this reason phrase with the 59-byte body. */
    @ParameterizedTest
    @ValueSource(strings = {"agent-error-not-running-pve9.0-telmate.json", "agent-error-not-running-bpg.json"})
    void agentNotRunningIsA500WhoseReasonNamesIt(String file) {
        server.enqueue(new MockResponse.Builder().status("HTTP/1.1 500 " + NOT_RUNNING)
                .addHeader("Content-Type", "application/json;charset=UTF-8").body(fixture("real/" + file)).build());

        ProxmoxHttpException error = catchThrowableOfType(ProxmoxHttpException.class,
                () -> client.get(ApiCall.qemuAgentInterfaces("cx39", 198)));

        assertThat(error.status()).isEqualTo(500);
        assertThat(error.reason()).isEqualTo(NOT_RUNNING);
        assertThat(error.getMessage()).endsWith(
                "answered GET /nodes/cx39/qemu/198/agent/network-get-interfaces with HTTP 500: " + NOT_RUNNING);
    }

    @ParameterizedTest
    @ValueSource(strings = {"agent-error-not-running-pve9.0-telmate.json", "agent-error-not-running-bpg.json"})
    void agentNotRunningWithoutReasonPhraseIsNamedByTheBodysMessage(String file) {
        server.enqueue(new MockResponse.Builder().status("HTTP/1.1 500 ")
                .addHeader("Content-Type", "application/json;charset=UTF-8").body(fixture("real/" + file)).build());

        ProxmoxHttpException error = catchThrowableOfType(ProxmoxHttpException.class,
                () -> client.get(ApiCall.qemuAgentInterfaces("cx39", 198)));

        assertThat(error.status()).isEqualTo(500);
        assertThat(error.reason()).isEqualTo(NOT_RUNNING);
    }

    @ParameterizedTest
    @CsvSource({
            "version-pve7.4-go-proxmox.json, 7.4-16, 7.4",
            "version-pve9.0-bpg.json,        9.0.4,  9.0",
            "version-pve9.2-pvecli.json,     9.2.2,  9.2"})
    void versionAnswersGiveVersionAndRelease(String file, String version, String release) throws Exception {
        server.enqueue(ok("real/" + file));

        var data = client.get(ApiCall.version());

        assertThat(data.path("version").textValue()).isEqualTo(version);
        assertThat(data.path("release").textValue()).isEqualTo(release);
    }
}
