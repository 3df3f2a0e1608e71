package io.pvesync.proxmox;

import static io.pvesync.proxmox.TestClusters.SECRET;
import static io.pvesync.proxmox.TestClusters.cluster;
import static io.pvesync.proxmox.TestClusters.endpoint;
import static io.pvesync.proxmox.TestClusters.ok;
import static io.pvesync.proxmox.TestClusters.withSecret;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import io.pvesync.config.ClusterConfig;
import java.net.URI;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What the client sends, and what it makes of a good answer. */
class ProxmoxClientRequestTest {

    @RegisterExtension
    final SecretLeakCheck leaks = new SecretLeakCheck();

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

    @Test
    void tokenHeaderIsSentExactly() throws Exception {
        server.enqueue(ok("version.json"));

        client.get(ApiCall.version());

        RecordedRequest request = server.takeRequest(5, TimeUnit.SECONDS);
        assertThat(request.getMethod()).isEqualTo("GET");
        assertThat(request.getTarget()).isEqualTo("/api2/json/version");
        assertThat(request.getHeaders().get("Authorization")).isEqualTo("PVEAPIToken=pvesync@pve!inventory=" + SECRET);
        assertThat(request.getHeaders().get("Accept")).isEqualTo("application/json");
        assertThat(request.getHeaders().get("User-Agent")).isEqualTo("pvesync");
    }

    @Test
    void cookieSetByTheServerIsNeverSentBack() throws Exception {
        // a PVEAuthCookie would take precedence over the token on the server
        server.enqueue(new MockResponse.Builder(ok("version.json"))
                .addHeader("Set-Cookie", "PVEAuthCookie=PVE:root@pam:66F1A2B3::c2lnbmF0dXJl; path=/; secure")
                .build());
        server.enqueue(ok("version.json"));

        client.get(ApiCall.version());
        client.get(ApiCall.version());

        RecordedRequest first = server.takeRequest(5, TimeUnit.SECONDS);
        RecordedRequest second = server.takeRequest(5, TimeUnit.SECONDS);
        assertThat(first.getHeaders().get("Cookie")).isNull();
        assertThat(second.getHeaders().get("Cookie")).isNull();
        assertThat(second.getHeaders().get("Authorization")).startsWith("PVEAPIToken=");
    }

    @Test
    void endpointWithTrailingSlashGivesTheSameApiPath() throws Exception {
        server.enqueue(ok("cluster-resources.json"));
        try (ProxmoxClient slashed = new ProxmoxClient(cluster(URI.create(endpoint(server) + "/")))) {
            slashed.get(ApiCall.clusterResources());
        }

        assertThat(server.takeRequest(5, TimeUnit.SECONDS).getTarget()).isEqualTo("/api2/json/cluster/resources");
    }

    @Test
    void dataMemberIsReturned() throws Exception {
        server.enqueue(ok("cluster-resources.json"));

        JsonNode data = client.get(ApiCall.clusterResources());

        assertThat(data.isArray()).isTrue();
        assertThat(data).hasSize(3);
        assertThat(data.get(1).get("name").asText()).isEqualTo("web-01");
        assertThat(data.get(0).get("maxmem").asLong()).isEqualTo(66624765952L);
    }

    @Test
    void nullDataIsANullNode() throws Exception {
        server.enqueue(ok("data-null.json"));

        JsonNode data = client.get(ApiCall.lxcInterfaces("pve1", 200));

        assertThat(data).isSameAs(NullNode.getInstance());
        assertThat(server.takeRequest(5, TimeUnit.SECONDS).getTarget())
                .isEqualTo("/api2/json/nodes/pve1/lxc/200/interfaces");
    }

    @Test
    void clusterNameIsTheConfiguredOne() {
        assertThat(client.cluster()).isEqualTo("lab");
    }

    @Test
    void toStringShowsTheTokenIdButNotItsSecret() {
        assertThat(client.toString())
                .isEqualTo("ProxmoxClient[cluster=lab, endpoints=[" + endpoint(server) + "], token=pvesync@pve!inventory]");
    }

    @Test
    void secretWithATrailingNewlineIsRefusedWithoutEchoingIt() {
        ClusterConfig badSecret = withSecret(cluster(endpoint(server)), SECRET + "\n");

        assertThatThrownBy(() -> new ProxmoxClient(badSecret))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("cluster lab: token-secret is empty or contains a space or control character"
                        + " (a trailing newline from token-secret-file?)");
    }

    @Test
    void endpointThatIsNotAnHttpUrlIsRefused() {
        assertThatThrownBy(() -> new ProxmoxClient(cluster(URI.create("pve1:8006"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("endpoint pve1:8006: not an http(s) URL such as https://pve1:8006");
    }
}
