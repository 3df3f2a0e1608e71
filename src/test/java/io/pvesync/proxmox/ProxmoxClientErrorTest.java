package io.pvesync.proxmox;

import static io.pvesync.proxmox.TestClusters.cluster;
import static io.pvesync.proxmox.TestClusters.display;
import static io.pvesync.proxmox.TestClusters.endpoint;
import static io.pvesync.proxmox.TestClusters.error;
import static io.pvesync.proxmox.TestClusters.ok;
import static org.assertj.core.api.Assertions.assertThat;

import io.pvesync.config.TlsConfig;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.SocketEffect;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The typed error, and its text, for each way an answer can go wrong. */
class ProxmoxClientErrorTest {

    private static final ApiCall AGENT = ApiCall.qemuAgentInterfaces("pve3", 100);
    private static final ApiCall CONFIG = ApiCall.qemuConfig("pve3", 100);
    private static final String AGENT_PATH = "GET /nodes/pve3/qemu/100/agent/network-get-interfaces";

    @RegisterExtension
    final SecretLeakCheck leaks = new SecretLeakCheck();

    private final MockWebServer server = new MockWebServer();
    private ProxmoxClient client;
    private String at;

    @BeforeEach
    void start() throws Exception {
        server.start();
        client = new ProxmoxClient(cluster(endpoint(server)));
        at = "cluster lab: " + display(server);
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
    }

    @Test
    void rejectedTokenNamesTheTokenAndTheReasonPhrase() {
        server.enqueue(error(401, "invalid token value!", null));

        ProxmoxAuthException error = leaks.thrownBy(() -> client.get(ApiCall.clusterResources()), ProxmoxAuthException.class);

        assertThat(error.status()).isEqualTo(401);
        assertThat(error.reason()).isEqualTo("invalid token value!");
        assertThat(error.endpoint()).isEqualTo(display(server));
        assertThat(error.call()).isEqualTo("cluster/resources");
        assertThat(error).hasMessage(at + " rejected token pvesync@pve!inventory for GET /cluster/resources"
                + " (HTTP 401: invalid token value!): check token-id and token-secret (or token-secret-file),"
                + " and that the token has not expired or been deleted");
    }

    @Test
    void missingPrivilegeSaysHowToGrantIt() {
        server.enqueue(error(403, "Permission check failed (/vms/100, VM.Audit)", "error-permission-check.json"));

        ProxmoxAuthException error = leaks.thrownBy(() -> client.get(CONFIG), ProxmoxAuthException.class);

        assertThat(error.reason()).isEqualTo("Permission check failed (/vms/100, VM.Audit)");
        assertThat(error).hasMessage(at + " denied GET /nodes/pve3/qemu/100/config to token pvesync@pve!inventory"
                + " (HTTP 403: Permission check failed (/vms/100, VM.Audit)): grant the token read access:"
                + " pveum acl modify / -token 'pvesync@pve!inventory' -role PVEAuditor (a privilege-separated"
                + " token needs the ACL itself, and its user needs the same rights)");
    }

    @Test
    void missingAgentPrivilegeMentionsVmMonitorForPve8() {
        server.enqueue(error(403, "Permission check failed (/vms/100, VM.Monitor)", null));

        ProxmoxAuthException error = leaks.thrownBy(() -> client.get(AGENT), ProxmoxAuthException.class);

        assertThat(error.getMessage()).contains("-role PVEAuditor")
                .endsWith("; on PVE 8 the guest agent also needs VM.Monitor, which PVEAuditor lacks:"
                        + " pveum role add PvesyncRO --privs \"VM.Audit VM.Monitor Sys.Audit Pool.Audit\""
                        + " and grant that role instead (on PVE 9 PVEAuditor's VM.GuestAgent.Audit suffices)");
    }

    @Test
    void unreachableNodeIsNodeUnreachable() {
        server.enqueue(error(595, "No route to host", null));

        NodeUnreachableException error = leaks.thrownBy(() -> client.get(AGENT), NodeUnreachableException.class);

        assertThat(error.status()).isEqualTo(595);
        assertThat(error.reason()).isEqualTo("No route to host");
        assertThat(error).hasMessage(at + " could not reach the node for " + AGENT_PATH
                + " (HTTP 595: No route to host): the node is down or cut off from " + display(server));
    }

    @Test
    void agentNotRunningIsAnHttpErrorWithTheReason() {
        server.enqueue(error(500, "QEMU guest agent is not running", "error-agent-not-running.json"));

        ProxmoxHttpException error = leaks.thrownBy(() -> client.get(AGENT), ProxmoxHttpException.class);

        assertThat(error.getClass()).isEqualTo(ProxmoxHttpException.class);
        assertThat(error.status()).isEqualTo(500);
        assertThat(error.reason()).isEqualTo("QEMU guest agent is not running");
        assertThat(error).hasMessage(at + " answered " + AGENT_PATH + " with HTTP 500: QEMU guest agent is not running");
    }

    @Test
    void bodyMessageIsAddedWhenItSaysMoreThanTheReasonPhrase() {
        server.enqueue(error(500, "Internal Server Error", "error-config-missing.json"));

        ProxmoxHttpException error = leaks.thrownBy(() -> client.get(CONFIG), ProxmoxHttpException.class);

        assertThat(error.reason())
                .isEqualTo("Internal Server Error - Configuration file 'nodes/pve3/qemu-server/100.conf' does not exist");
    }

    @Test
    void reasonPhraseAloneIsEnoughForOlderServers() {
        // before pve-http-server 5.2.0 the body is {"data":null} and the text only in the reason phrase
        server.enqueue(error(500, "Configuration file 'nodes/pve3/qemu-server/100.conf' does not exist", "data-null.json"));

        ProxmoxHttpException error = leaks.thrownBy(() -> client.get(CONFIG), ProxmoxHttpException.class);

        assertThat(error.reason()).isEqualTo("Configuration file 'nodes/pve3/qemu-server/100.conf' does not exist");
    }

    @Test
    void malformedJsonIsADataError() {
        server.enqueue(ok("malformed.json"));

        ProxmoxDataException error = leaks.thrownBy(() -> client.get(CONFIG), ProxmoxDataException.class);

        assertThat(error.endpoint()).isEqualTo(display(server));
        assertThat(error.call()).isEqualTo("qemu/config");
        assertThat(error.getMessage())
                .startsWith(at + " answered GET /nodes/pve3/qemu/100/config with malformed JSON: Unexpected character")
                .endsWith("was expecting comma to separate Object entries at line 1, column 68");
    }

    @Test
    void truncatedJsonIsADataError() {
        server.enqueue(ok("truncated.json"));

        ProxmoxDataException error = leaks.thrownBy(() -> client.get(CONFIG), ProxmoxDataException.class);

        assertThat(error.getMessage())
                .startsWith(at + " answered GET /nodes/pve3/qemu/100/config with malformed JSON: Unexpected end-of-input");
    }

    @Test
    void answerWithoutDataIsADataError() {
        server.enqueue(ok("no-data.json"));

        ProxmoxDataException error = leaks.thrownBy(() -> client.get(CONFIG), ProxmoxDataException.class);

        assertThat(error).hasMessage(at + " answered GET /nodes/pve3/qemu/100/config with a JSON object without a \"data\" member");
    }

    @Test
    void htmlPageIsADataErrorOfTheOnlyEndpointForAClusterCall() {
        server.enqueue(ok("html-page.html"));

        ProxmoxUnavailableException error =
                leaks.thrownBy(() -> client.get(ApiCall.clusterResources()), ProxmoxUnavailableException.class);

        assertThat(error.failures()).singleElement().isInstanceOf(ProxmoxDataException.class);
        assertThat(error.getMessage()).startsWith("cluster lab: its only endpoint failed for GET /cluster/resources: "
                + display(server) + " (answer is malformed JSON: Unexpected character ('<' (code 60))");
    }

    @Test
    void emptyBodyIsADataError() {
        server.enqueue(new MockResponse.Builder().body("").build());

        ProxmoxDataException error = leaks.thrownBy(() -> client.get(CONFIG), ProxmoxDataException.class);

        assertThat(error).hasMessage(at + " answered GET /nodes/pve3/qemu/100/config with an empty body instead of JSON");
    }

    @Test
    void connectionCutInTheMiddleOfTheBodyIsATransportFailure() {
        // unlike truncated.json, which arrives whole: here the HTTP body itself ends early
        server.enqueue(new MockResponse.Builder(ok("cluster-resources.json"))
                .setHeader("Content-Length", 4096)
                .onResponseEnd(new SocketEffect.CloseSocket())
                .build());

        // sent and proxied to the node: not a failure of the endpoint, and not asked elsewhere
        ProxmoxTransportException error = leaks.thrownBy(() -> client.get(CONFIG), ProxmoxTransportException.class);

        assertThat(error.getClass()).isEqualTo(ProxmoxTransportException.class);
        assertThat(error).hasMessage(at + " did not answer GET /nodes/pve3/qemu/100/config: unexpected end of stream");
    }

    @Test
    void slowClusterAnswerTimesOutAfterTheReadTimeout() {
        try (ProxmoxClient fast = new ProxmoxClient(cluster(TlsConfig.systemDefault(),
                Duration.ofMillis(300), Duration.ofSeconds(10), endpoint(server)))) {
            server.enqueue(new MockResponse.Builder(ok("cluster-resources.json")).headersDelay(1, TimeUnit.SECONDS).build());

            ProxmoxUnavailableException error =
                    leaks.thrownBy(() -> fast.get(ApiCall.clusterResources()), ProxmoxUnavailableException.class);

            assertThat(error).hasMessage("cluster lab: its only endpoint failed for GET /cluster/resources: "
                    + display(server) + " (read timed out after 300ms)");
        }
    }

    @Test
    void slowGuestAnswerTimesOutAfterTheAddressTimeout() {
        try (ProxmoxClient fast = new ProxmoxClient(cluster(TlsConfig.systemDefault(),
                Duration.ofSeconds(10), Duration.ofMillis(300), endpoint(server)))) {
            server.enqueue(new MockResponse.Builder(ok("data-null.json")).bodyDelay(1, TimeUnit.SECONDS).build());

            NodeNotAnsweringException error = leaks.thrownBy(() -> fast.get(AGENT), NodeNotAnsweringException.class);

            assertThat(error).hasMessage(at + " did not answer " + AGENT_PATH + ": read timed out after 300ms");
            assertThat(error.detail()).isEqualTo("read timed out after 300ms");
        }
    }

    @Test
    void interruptedCallIsNotFailedOverAndKeepsTheInterrupt() {
        server.enqueue(ok("version.json"));
        Thread.currentThread().interrupt();
        try {
            ProxmoxTransportException error =
                    leaks.thrownBy(() -> client.get(ApiCall.version()), ProxmoxTransportException.class);

            assertThat(error).hasMessage("cluster lab: GET /version at " + display(server) + " was interrupted");
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
    }
}
