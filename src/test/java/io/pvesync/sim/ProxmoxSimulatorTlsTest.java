package io.pvesync.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pvesync.config.TlsConfig;
import io.pvesync.proxmox.ApiCall;
import io.pvesync.proxmox.ProxmoxClient;
import io.pvesync.proxmox.ProxmoxTransportException;
import io.pvesync.proxmox.ProxmoxUnavailableException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The simulator's CA and node certificate, through each of pvesync's TLS modes (PROXMOX-API.md §6). */
class ProxmoxSimulatorTlsTest {

    private static ProxmoxSimulator sim;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        sim = ProxmoxSimulator.builder().nodes(2).vms(2).containers(0).templates(0).endpoints(2)
                .authFailureDelay(SimHarness.AUTH_DELAY).start();
    }

    @AfterAll
    static void stop() {
        sim.close();
    }

    @Test
    void endpointsSpeakHttpsOnLoopback() {
        assertThat(sim.endpoints()).hasSize(2).allSatisfy(uri -> {
            assertThat(uri.getScheme()).isEqualTo("https");
            assertThat(uri.getHost()).isEqualTo("127.0.0.1");
        });
    }

    @Test
    void theCaFileIsTrusted() throws Exception {
        Path ca = Files.writeString(dir.resolve("pve-root-ca.pem"), sim.caCertificatePem());
        try (ProxmoxClient client = client(new TlsConfig(Optional.of(ca), List.of(), false))) {
            assertThat(client.get(ApiCall.version()).get("version").asText()).isEqualTo("9.1.1");
        }
    }

    @Test
    void thePinnedFingerprintIsTrusted() throws Exception {
        try (ProxmoxClient client = client(new TlsConfig(Optional.empty(), List.of(sim.fingerprint()), false))) {
            assertThat(client.get(ApiCall.version()).get("release").asText()).isEqualTo("9.1");
        }
    }

    @Test
    void aWrongFingerprintIsRefusedWithoutARequest() {
        int before = sim.requestCount();
        String wrong = "AA" + sim.fingerprint().substring(2).replace('A', 'B');
        try (ProxmoxClient client = client(new TlsConfig(Optional.empty(), List.of(wrong), false))) {
            assertThatThrownBy(() -> client.get(ApiCall.version()))
                    .isInstanceOfSatisfying(ProxmoxUnavailableException.class, e -> {
                        assertThat(e.failures()).hasSize(2).allSatisfy(f ->
                                assertThat(f).isInstanceOf(ProxmoxTransportException.class)
                                        .hasMessageContaining("fingerprint mismatch"));
                    });
        }
        assertThat(sim.requestCount()).isEqualTo(before);
    }

    @Test
    void certificatesLookLikeProxmoxs() throws Exception {
        X509Certificate ca = SimHarness.certificate(sim.caCertificatePem());
        assertThat(ca.getSubjectX500Principal().getName()).contains("CN=Proxmox Virtual Environment");
        assertThat(ca.getBasicConstraints()).isGreaterThanOrEqualTo(0);
        assertThat(sim.fingerprint()).matches("([0-9A-F]{2}:){31}[0-9A-F]{2}");

        X509Certificate leaf;
        try (okhttp3.Response response = SimHarness.http(sim).newCall(new okhttp3.Request.Builder()
                .url(sim.endpoints().get(1) + "/api2/json/version").build()).execute()) {
            leaf = (X509Certificate) response.handshake().peerCertificates().get(0);
        }
        String digest = java.util.HexFormat.ofDelimiter(":").withUpperCase()
                .formatHex(MessageDigest.getInstance("SHA-256").digest(leaf.getEncoded()));
        assertThat(digest).isEqualTo(sim.fingerprint());
        assertThat(leaf.getSubjectAlternativeNames().stream().map(san -> String.valueOf(san.get(1))))
                .contains("127.0.0.1", "localhost", "pve1", "pve2");
        leaf.verify(ca.getPublicKey());
    }

    private ProxmoxClient client(TlsConfig tls) {
        return new ProxmoxClient(SimHarness.config(sim.endpoints(), tls, Duration.ofSeconds(5)));
    }
}
