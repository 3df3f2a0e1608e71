package io.pvesync.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.pvesync.config.ClusterConfig;
import io.pvesync.config.MissingPolicy;
import io.pvesync.config.Secret;
import io.pvesync.config.TlsConfig;
import io.pvesync.proxmox.ApiCall;
import io.pvesync.proxmox.ProxmoxAuthException;
import io.pvesync.proxmox.ProxmoxClient;
import io.pvesync.proxmox.ProxmoxException;
import io.pvesync.proxmox.ProxmoxHttpException;
import io.pvesync.proxmox.ProxmoxUnavailableException;
import io.pvesync.testing.LogCapture;
import io.pvesync.testing.ThrowableTexts;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A proxy or a misconfigured server that echoes the {@code Authorization} header back, in the
 * reason phrase, in the JSON {@code message} or in a body that is not JSON at all: the token secret
 * must not reach an exception (message, cause, suppressed, endpoint failures) or a log line.
 */
class EchoedSecretTest {
    static final String SECRET = "SECRET-0c1d2e3f-4a5b-4c6d-8e7f-901234567890";
    private static final String TOKEN_ID = "pvesync@pve!inventory";
    private static final String ECHO = "PVEAPIToken=" + TOKEN_ID + "=" + SECRET;
    private static final String MASKED = "PVEAPIToken=" + TOKEN_ID + "=<masked>";

    private final MockWebServer server = new MockWebServer();
    private ProxmoxClient client;
    private LogCapture logs;
    private String endpoint;

    @BeforeEach
    void start() throws Exception {
        server.start();
        endpoint = "http://localhost:" + server.getPort();
        client = new ProxmoxClient(new ClusterConfig("lab", List.of(URI.create(endpoint)), TOKEN_ID, Secret.of(SECRET),
                TlsConfig.systemDefault(), false, Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofSeconds(2), 2,
                Duration.ofMinutes(15), MissingPolicy.DEFAULT));
        logs = new LogCapture();
    }

    @AfterEach
    void stop() {
        logs.close();
        client.close();
        server.close();
        assertThat(logs.lines()).noneMatch(line -> line.contains("SECRET"));
    }

    private <T extends ProxmoxException> T failure(ApiCall call, Class<T> type) {
        T error = catchThrowableOfType(type, () -> client.get(call));
        assertThat(error).as("thrown %s", type.getSimpleName()).isNotNull();
        assertThat(ThrowableTexts.of(error)).doesNotContain("SECRET");
        return error;
    }

    @Test
    void reasonPhraseEchoingTheHeaderIsMasked() {
        server.enqueue(new MockResponse.Builder().status("HTTP/1.1 502 Bad Gateway: upstream refused Authorization: " + ECHO)
                .build());

        ProxmoxUnavailableException error = failure(ApiCall.clusterResources(), ProxmoxUnavailableException.class);

        assertThat(error).hasMessage("cluster lab: its only endpoint failed for GET /cluster/resources: " + endpoint
                + " (HTTP 502: Bad Gateway: upstream refused Authorization: " + MASKED + ")");
    }

    @Test
    void jsonMessageEchoingTheHeaderIsMasked() {
        server.enqueue(new MockResponse.Builder().status("HTTP/1.1 401 authentication failure")
                .body("{\"data\":null,\"message\":\"authentication failure - bad header '" + ECHO + "'\\n\"}").build());

        ProxmoxAuthException error = failure(ApiCall.clusterResources(), ProxmoxAuthException.class);

        assertThat(error.reason()).isEqualTo("authentication failure - bad header '" + MASKED + "'");
    }

    /** A guest call's reason becomes the address note that /status shows. */
    @Test
    void guestCallReasonEchoingTheHeaderIsMasked() {
        server.enqueue(new MockResponse.Builder().status("HTTP/1.1 500 proxy: " + ECHO + " not allowed").build());

        ProxmoxHttpException error = failure(ApiCall.qemuAgentInterfaces("pve1", 100), ProxmoxHttpException.class);

        assertThat(error.reason()).isEqualTo("proxy: " + MASKED + " not allowed");
    }

    @Test
    void bodyThatIsNotJsonEchoingTheHeaderIsMasked() {
        server.enqueue(new MockResponse.Builder().body("Authorization: " + ECHO + "\nUser-Agent: pvesync\n").build());

        ProxmoxUnavailableException error = failure(ApiCall.clusterResources(), ProxmoxUnavailableException.class);

        assertThat(error.getMessage()).startsWith("cluster lab: its only endpoint failed for GET /cluster/resources: "
                + endpoint + " (answer is malformed JSON: ");
    }

    /** OkHttp quotes a status line it cannot parse in its exception, which is kept as the cause. */
    @Test
    void malformedStatusLineEchoingTheHeaderIsMasked() {
        server.enqueue(new MockResponse.Builder().status("HTTP/1.1 5xx " + ECHO).build());

        ProxmoxUnavailableException error = failure(ApiCall.clusterResources(), ProxmoxUnavailableException.class);

        assertThat(error).hasMessage("cluster lab: its only endpoint failed for GET /cluster/resources: " + endpoint
                + " (Unexpected status line: HTTP/1.1 5xx " + MASKED + ")");
        assertThat(ThrowableTexts.of(error)).contains("java.net.ProtocolException: Unexpected status line: HTTP/1.1 5xx "
                + MASKED);
    }

    /** The secret in another case (a proxy that upper-cases what it echoes) is the secret still. */
    @Test
    void upperCasedEchoIsMaskedToo() {
        server.enqueue(new MockResponse.Builder().status("HTTP/1.1 500 AUTHORIZATION: " + ECHO.toUpperCase(Locale.ROOT))
                .build());

        ProxmoxUnavailableException error = failure(ApiCall.clusterResources(), ProxmoxUnavailableException.class);

        assertThat(error.getMessage()).endsWith("(HTTP 500: AUTHORIZATION: PVEAPITOKEN=PVESYNC@PVE!INVENTORY=<masked>)");
    }
}
