package io.pvesync.proxmox;

import io.pvesync.config.ClusterConfig;
import io.pvesync.config.MissingPolicy;
import io.pvesync.config.Secret;
import io.pvesync.config.TlsConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;

/** Cluster configs, endpoints and fixture answers for the client tests. */
final class TestClusters {

    static final String TOKEN_ID = "pvesync@pve!inventory";
    /** Contains "SECRET" so a leak into a message or log line is easy to find. */
    static final String SECRET = "SECRET-5f0c2a1e-7b9d-4c3e-9a8f-0123456789ab";
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    static final Duration READ_TIMEOUT = Duration.ofSeconds(2);

    private TestClusters() {
    }

    /** Cluster "lab" with default TLS and timeouts. */
    static ClusterConfig cluster(URI... endpoints) {
        return cluster(TlsConfig.systemDefault(), READ_TIMEOUT, READ_TIMEOUT, endpoints);
    }

    static ClusterConfig cluster(TlsConfig tls, URI... endpoints) {
        return cluster(tls, READ_TIMEOUT, READ_TIMEOUT, endpoints);
    }

    static ClusterConfig cluster(TlsConfig tls, Duration readTimeout, Duration addressTimeout, URI... endpoints) {
        return new ClusterConfig("lab", List.of(endpoints), TOKEN_ID, Secret.of(SECRET), tls, false,
                CONNECT_TIMEOUT, readTimeout, addressTimeout, 2, Duration.ofMinutes(15), MissingPolicy.DEFAULT);
    }

    /** {@code config} with another connect timeout. */
    static ClusterConfig withConnectTimeout(ClusterConfig config, Duration connectTimeout) {
        return new ClusterConfig(config.name(), config.endpoints(), config.tokenId(), config.tokenSecret(), config.tls(),
                config.includeContainers(), connectTimeout, config.readTimeout(), config.addressTimeout(),
                config.addressConcurrency(), config.addressRefresh(), config.missing());
    }

    /** {@code config} with another token secret. */
    static ClusterConfig withSecret(ClusterConfig config, String secret) {
        return new ClusterConfig(config.name(), config.endpoints(), config.tokenId(), Secret.of(secret), config.tls(),
                config.includeContainers(), config.connectTimeout(), config.readTimeout(), config.addressTimeout(),
                config.addressConcurrency(), config.addressRefresh(), config.missing());
    }

    /** The plain-HTTP base URL of {@code server}, as an endpoint would be configured. */
    static URI endpoint(MockWebServer server) {
        return URI.create("http://localhost:" + server.getPort());
    }

    static String display(MockWebServer server) {
        return endpoint(server).toString();
    }

    /** A port nothing listens on: a server started and closed again. */
    static URI deadEndpoint() throws IOException {
        MockWebServer server = new MockWebServer();
        server.start();
        URI uri = endpoint(server);
        server.close();
        return uri;
    }

    /** A 200 answer with the fixture {@code src/test/resources/proxmox/<name>} as body. */
    static MockResponse ok(String fixture) {
        return new MockResponse.Builder().addHeader("Content-Type", "application/json;charset=UTF-8")
                .body(fixture(fixture)).build();
    }

    /** An error answer the way pveproxy sends it: the text in the reason phrase, maybe a JSON body. */
    static MockResponse error(int status, String reason, String fixtureOrNull) {
        MockResponse.Builder builder = new MockResponse.Builder().status("HTTP/1.1 " + status + " " + reason);
        if (fixtureOrNull != null) {
            builder.addHeader("Content-Type", "application/json;charset=UTF-8").body(fixture(fixtureOrNull));
        }
        return builder.build();
    }

    static String fixture(String name) {
        try (InputStream in = TestClusters.class.getResourceAsStream("/proxmox/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture proxmox/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
