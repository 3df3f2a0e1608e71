package io.pvesync.proxmox;

import static io.pvesync.proxmox.TestClusters.cluster;
import static io.pvesync.proxmox.TestClusters.deadEndpoint;
import static io.pvesync.proxmox.TestClusters.display;
import static io.pvesync.proxmox.TestClusters.endpoint;
import static io.pvesync.proxmox.TestClusters.error;
import static io.pvesync.proxmox.TestClusters.ok;
import static io.pvesync.proxmox.TestClusters.withConnectTimeout;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import io.pvesync.config.TlsConfig;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Which endpoint is asked, and what happens when one fails. */
class ProxmoxClientFailoverTest {

    private static final ApiCall AGENT = ApiCall.qemuAgentInterfaces("pve3", 100);

    @RegisterExtension
    final SecretLeakCheck leaks = new SecretLeakCheck();

    private final MockWebServer primary = new MockWebServer();
    private final MockWebServer secondary = new MockWebServer();
    private final RecordingListener listener = new RecordingListener();

    @BeforeEach
    void start() throws Exception {
        primary.start();
        secondary.start();
    }

    @AfterEach
    void stop() {
        primary.close();
        secondary.close();
    }

    @Test
    void refusedConnectionFailsOverToTheNextEndpoint() throws Exception {
        URI dead = deadEndpoint();
        secondary.enqueue(ok("cluster-resources.json"));

        try (ProxmoxClient client = new ProxmoxClient(cluster(dead, endpoint(secondary)), listener)) {
            JsonNode data = client.get(ApiCall.clusterResources());

            assertThat(data).hasSize(3);
        }
        assertThat(secondary.getRequestCount()).isEqualTo(1);
        assertThat(listener.events()).containsExactly(
                "requested cluster/resources",
                "failed cluster/resources ProxmoxTransportException",
                "requested cluster/resources");
        assertThat(leaks.lines(Level.WARN)).containsExactly("WARN cluster=lab endpoint=" + dead
                + " - GET /cluster/resources failed (Connection refused); trying " + display(secondary));
    }

    @Test
    void connectTimeoutFailsOverToTheNextEndpoint() throws Exception {
        secondary.enqueue(ok("cluster-resources.json"));

        try (UnansweredPort down = new UnansweredPort();
             ProxmoxClient client = new ProxmoxClient(withConnectTimeout(
                     cluster(down.endpoint(), endpoint(secondary)), Duration.ofMillis(300)))) {
            assertThat(client.get(ApiCall.clusterResources())).hasSize(3);

            assertThat(leaks.lines(Level.WARN)).containsExactly("WARN cluster=lab endpoint=" + down.endpoint()
                    + " - GET /cluster/resources failed (connect timed out after 300ms); trying " + display(secondary));
        }
        assertThat(secondary.getRequestCount()).isEqualTo(1);
    }

    @Test
    void serverErrorOnAClusterCallFailsOver() throws Exception {
        primary.enqueue(error(503, "Service Unavailable", null));
        secondary.enqueue(ok("cluster-resources.json"));

        try (ProxmoxClient client = new ProxmoxClient(cluster(endpoint(primary), endpoint(secondary)), listener)) {
            assertThat(client.get(ApiCall.clusterResources())).hasSize(3);
        }
        assertThat(primary.getRequestCount()).isEqualTo(1);
        assertThat(secondary.getRequestCount()).isEqualTo(1);
        assertThat(listener.events()).containsExactly(
                "requested cluster/resources",
                "failed cluster/resources ProxmoxHttpException",
                "requested cluster/resources");
    }

    @Test
    void malformedAnswerToAClusterCallFailsOver() throws Exception {
        primary.enqueue(ok("truncated.json"));
        secondary.enqueue(ok("cluster-resources.json"));

        try (ProxmoxClient client = new ProxmoxClient(cluster(endpoint(primary), endpoint(secondary)))) {
            assertThat(client.get(ApiCall.clusterResources())).hasSize(3);
        }
        assertThat(secondary.getRequestCount()).isEqualTo(1);
    }

    @Test
    void rejectedTokenIsNotTriedAtTheNextEndpoint() throws Exception {
        primary.enqueue(error(401, "invalid token value!", null));
        secondary.enqueue(ok("cluster-resources.json"));

        try (ProxmoxClient client = new ProxmoxClient(cluster(endpoint(primary), endpoint(secondary)), listener)) {
            leaks.thrownBy(() -> client.get(ApiCall.clusterResources()), ProxmoxAuthException.class);
        }
        assertThat(primary.getRequestCount()).isEqualTo(1);
        assertThat(secondary.getRequestCount()).isZero();
        assertThat(listener.events()).containsExactly(
                "requested cluster/resources", "failed cluster/resources ProxmoxAuthException");
    }

    @Test
    void serverErrorOnAGuestCallIsTheNodesAnswerAndNotFailedOver() throws Exception {
        primary.enqueue(error(500, "QEMU guest agent is not running", "error-agent-not-running.json"));
        secondary.enqueue(ok("data-null.json"));

        try (ProxmoxClient client = new ProxmoxClient(cluster(endpoint(primary), endpoint(secondary)))) {
            ProxmoxHttpException error = leaks.thrownBy(() -> client.get(AGENT), ProxmoxHttpException.class);

            assertThat(error.getClass()).isEqualTo(ProxmoxHttpException.class);
            assertThat(error.status()).isEqualTo(500);
        }
        assertThat(secondary.getRequestCount()).isZero();
    }

    @Test
    void sentGuestCallThatTimesOutIsNotAskedAtAnotherEndpoint() throws Exception {
        URI dead = deadEndpoint();
        // the endpoint takes the request and proxies it to a node that answers too late
        primary.enqueue(new MockResponse.Builder(ok("data-null.json")).headersDelay(2, TimeUnit.SECONDS).build());
        secondary.enqueue(ok("data-null.json"));

        try (ProxmoxClient client = new ProxmoxClient(cluster(TlsConfig.systemDefault(), Duration.ofSeconds(2),
                Duration.ofMillis(300), dead, endpoint(primary), endpoint(secondary)), listener)) {
            NodeNotAnsweringException error = leaks.thrownBy(() -> client.get(AGENT), NodeNotAnsweringException.class);

            assertThat(error.detail()).isEqualTo("read timed out after 300ms");
            assertThat(error.endpoint()).isEqualTo(display(primary));
            // the dead endpoint could not take the request: moving on from it was right
            assertThat(error.getSuppressed()).singleElement().isInstanceOf(ProxmoxTransportException.class);
        }
        assertThat(primary.getRequestCount()).isEqualTo(1);
        assertThat(secondary.getRequestCount()).isZero();
        assertThat(listener.events()).containsExactly(
                "requested qemu/agent/network-get-interfaces",
                "failed qemu/agent/network-get-interfaces ProxmoxTransportException",
                "requested qemu/agent/network-get-interfaces",
                "failed qemu/agent/network-get-interfaces NodeNotAnsweringException");
    }

    @Test
    void clusterCallStartsAtTheFirstEndpointAgainOnceItRecovers() throws Exception {
        primary.enqueue(error(503, "Service Unavailable", null));
        secondary.enqueue(ok("cluster-resources.json"));
        primary.enqueue(ok("cluster-resources.json"));

        try (ProxmoxClient client = new ProxmoxClient(cluster(endpoint(primary), endpoint(secondary)))) {
            client.get(ApiCall.clusterResources());
            client.get(ApiCall.clusterResources());
        }
        assertThat(primary.getRequestCount()).isEqualTo(2);
        assertThat(secondary.getRequestCount()).isEqualTo(1);
    }

    @Test
    void guestCallStartsAtTheEndpointThatLastAnswered() throws Exception {
        primary.enqueue(error(503, "Service Unavailable", null));
        secondary.enqueue(ok("cluster-resources.json"));
        secondary.enqueue(ok("data-null.json"));

        try (ProxmoxClient client = new ProxmoxClient(cluster(endpoint(primary), endpoint(secondary)))) {
            client.get(ApiCall.clusterResources());
            client.get(ApiCall.lxcInterfaces("pve1", 200));
        }
        assertThat(primary.getRequestCount()).isEqualTo(1);
        assertThat(secondary.getRequestCount()).isEqualTo(2);
    }

    @Test
    void guestCallWrapsAroundToEarlierEndpointsWhenItsStartFails() throws Exception {
        primary.enqueue(error(503, "Service Unavailable", null));
        secondary.enqueue(ok("cluster-resources.json"));
        primary.enqueue(ok("data-null.json"));

        try (ProxmoxClient client = new ProxmoxClient(cluster(endpoint(primary), endpoint(secondary)))) {
            client.get(ApiCall.clusterResources());
            secondary.close(); // the endpoint GUEST calls now start at goes away
            assertThat(client.get(ApiCall.lxcInterfaces("pve1", 200)).isNull()).isTrue();
        }
        assertThat(primary.getRequestCount()).isEqualTo(2);
    }

    @Test
    void allEndpointsDownListsEachEndpointsFailure() throws Exception {
        URI dead = deadEndpoint();
        secondary.enqueue(error(503, "Service Unavailable", null));

        try (ProxmoxClient client = new ProxmoxClient(cluster(dead, endpoint(secondary)), listener)) {
            ProxmoxUnavailableException error =
                    leaks.thrownBy(() -> client.get(ApiCall.clusterResources()), ProxmoxUnavailableException.class);

            assertThat(error).hasMessage("cluster lab: all 2 endpoints failed for GET /cluster/resources: "
                    + dead + " (Connection refused), " + display(secondary) + " (HTTP 503: Service Unavailable)");
            assertThat(error.cluster()).isEqualTo("lab");
            assertThat(error.call()).isEqualTo("cluster/resources");
            assertThat(error.failures()).hasSize(2);
            assertThat(error.failures().get(0)).isInstanceOf(ProxmoxTransportException.class)
                    .hasMessage("cluster lab: " + dead + " did not answer GET /cluster/resources: Connection refused");
            assertThat(((ProxmoxTransportException) error.failures().get(0)).endpoint()).isEqualTo(dead.toString());
            assertThat(error.failures().get(1)).isInstanceOf(ProxmoxHttpException.class);
        }
        assertThat(listener.events()).containsExactly(
                "requested cluster/resources", "failed cluster/resources ProxmoxTransportException",
                "requested cluster/resources", "failed cluster/resources ProxmoxHttpException");
    }

    @Test
    void singleEndpointFailureIsReportedAsUnavailableToo() throws Exception {
        URI dead = deadEndpoint();

        try (ProxmoxClient client = new ProxmoxClient(cluster(dead))) {
            ProxmoxUnavailableException error =
                    leaks.thrownBy(() -> client.get(AGENT), ProxmoxUnavailableException.class);

            assertThat(error).hasMessage("cluster lab: its only endpoint failed for GET "
                    + "/nodes/pve3/qemu/100/agent/network-get-interfaces: " + dead + " (Connection refused)");
            assertThat(error.failures()).singleElement().isInstanceOf(ProxmoxTransportException.class);
        }
        assertThat(leaks.lines(Level.WARN)).isEmpty();
    }

    @Test
    void rejectedTokenAfterAFailoverKeepsTheEarlierFailureAsSuppressed() throws Exception {
        URI dead = deadEndpoint();
        secondary.enqueue(error(401, "invalid token value!", null));

        try (ProxmoxClient client = new ProxmoxClient(cluster(dead, endpoint(secondary)))) {
            ProxmoxAuthException error =
                    leaks.thrownBy(() -> client.get(ApiCall.clusterResources()), ProxmoxAuthException.class);

            assertThat(error.endpoint()).isEqualTo(display(secondary));
            assertThat(error.getSuppressed()).singleElement().isInstanceOf(ProxmoxTransportException.class);
        }
    }
}
