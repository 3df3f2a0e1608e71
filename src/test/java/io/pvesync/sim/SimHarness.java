package io.pvesync.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pvesync.config.ClusterConfig;
import io.pvesync.config.MissingPolicy;
import io.pvesync.config.Secret;
import io.pvesync.config.TlsConfig;
import io.pvesync.proxmox.ApiCall;
import io.pvesync.proxmox.ProxmoxClient;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import okhttp3.ConnectionPool;
import okhttp3.Headers;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.tls.HandshakeCertificates;

/** Starting simulators and talking to them, for the simulator's tests. */
final class SimHarness {

    static final String TOKEN_ID = "pvesync@pve!inventory";
    static final String SECRET = SimulatorBuilder.DEFAULT_TOKEN_SECRET;
    static final String AUTHORIZATION = "PVEAPIToken=" + TOKEN_ID + "=" + SECRET;
    static final Duration AUTH_DELAY = Duration.ofMillis(50);
    static final ObjectMapper JSON = new ObjectMapper();

    private SimHarness() {
    }

    /** Plain HTTP, a short 401 delay, no numbers-as-strings: what most tests want. */
    static SimulatorBuilder plain() {
        return ProxmoxSimulator.builder().tls(false).authFailureDelay(AUTH_DELAY).stringNumberShare(0);
    }

    /** A pvesync client for the simulator, trusting its CA when it speaks TLS (the CA PEM is written to {@code caFile}). */
    static ProxmoxClient client(ProxmoxSimulator sim, java.nio.file.Path caFile, Duration readTimeout) {
        TlsConfig tls = TlsConfig.systemDefault();
        if (sim.endpoints().get(0).getScheme().equals("https")) {
            try {
                java.nio.file.Files.writeString(caFile, sim.caCertificatePem());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            tls = new TlsConfig(Optional.of(caFile), List.of(), false);
        }
        return new ProxmoxClient(config(sim.endpoints(), tls, readTimeout));
    }

    /** A pvesync client for a plain-HTTP simulator. */
    static ProxmoxClient client(ProxmoxSimulator sim) {
        return client(sim, null, Duration.ofSeconds(5));
    }

    static ClusterConfig config(List<URI> endpoints, TlsConfig tls, Duration readTimeout) {
        return new ClusterConfig("lab", endpoints, TOKEN_ID, Secret.of(SECRET), tls, false, Duration.ofSeconds(2),
                readTimeout, readTimeout, 2, Duration.ofMinutes(15), MissingPolicy.DEFAULT);
    }

    static ApiCall clusterCall(String name, String path) {
        return new ApiCall(name, path, ApiCall.Scope.CLUSTER);
    }

    /** What came back, byte for byte where it matters. */
    record Answer(int status, String reason, String body, Headers headers) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException("not JSON: " + body, e);
            }
        }

        JsonNode data() {
            return json().get("data");
        }
    }

    /** An authorized GET of {@code /api2/json + path} at the first endpoint. */
    static Answer get(ProxmoxSimulator sim, String path) {
        return get(sim, 0, path, Map.of("Authorization", AUTHORIZATION));
    }

    static Answer get(ProxmoxSimulator sim, int endpoint, String path, Map<String, String> headers) {
        Request.Builder request = new Request.Builder().url(sim.endpoints().get(endpoint) + "/api2/json" + path);
        headers.forEach(request::header);
        try (Response response = http(sim).newCall(request.build()).execute()) {
            return new Answer(response.code(), response.message(), response.body().string(), response.headers());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** OkHttp without a pool (each test sees fresh connections), trusting the simulator's CA. */
    static OkHttpClient http(ProxmoxSimulator sim) {
        OkHttpClient.Builder builder = new OkHttpClient.Builder()
                .protocols(List.of(Protocol.HTTP_1_1))
                .connectionPool(new ConnectionPool(0, 1, TimeUnit.SECONDS))
                .readTimeout(Duration.ofSeconds(10));
        if (sim.endpoints().get(0).getScheme().equals("https")) {
            HandshakeCertificates trust = new HandshakeCertificates.Builder()
                    .addTrustedCertificate(certificate(sim.caCertificatePem())).build();
            builder.sslSocketFactory(trust.sslSocketFactory(), trust.trustManager());
        }
        return builder.build();
    }

    static X509Certificate certificate(String pem) {
        try (InputStream in = new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII))) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        } catch (IOException | CertificateException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The recorded answer {@code src/test/resources/proxmox/<name>}, parsed. */
    static JsonNode fixture(String name) {
        try (InputStream in = SimHarness.class.getResourceAsStream("/proxmox/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture proxmox/" + name);
            }
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The entry of a recorded or served {@code /cluster/resources} list with that id. */
    static JsonNode entry(JsonNode list, String id) {
        for (JsonNode entry : list) {
            if (id.equals(entry.path("id").asText())) {
                return entry;
            }
        }
        throw new AssertionError("no entry " + id + " in " + list);
    }
}
