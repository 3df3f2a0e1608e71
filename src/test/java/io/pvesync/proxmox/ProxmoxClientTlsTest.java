package io.pvesync.proxmox;

import static io.pvesync.proxmox.TestClusters.cluster;
import static io.pvesync.proxmox.TestClusters.ok;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.pvesync.config.TlsConfig;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import mockwebserver3.MockWebServer;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Each TLS mode against an HTTPS server with real certificates. */
class ProxmoxClientTlsTest {

    /** Like a cluster's pve-root-ca.pem. */
    private static final HeldCertificate ROOT = new HeldCertificate.Builder()
            .certificateAuthority(0).commonName("Proxmox Virtual Environment").build();
    /** Like a node's pve-ssl.pem: signed by the root, valid for "localhost" only. */
    private static final HeldCertificate NODE = new HeldCertificate.Builder()
            .commonName("localhost").addSubjectAlternativeName("localhost").signedBy(ROOT).build();

    @RegisterExtension
    final SecretLeakCheck leaks = new SecretLeakCheck();

    @TempDir
    Path dir;

    private final MockWebServer server = new MockWebServer();

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void serverSignedByTheCaFileIsTrusted() throws Exception {
        serve(NODE, ROOT);
        Path ca = Files.writeString(dir.resolve("pve-root-ca.pem"), ROOT.certificatePem());

        try (ProxmoxClient client = new ProxmoxClient(cluster(tls(ca), https("localhost")))) {
            assertThat(client.get(ApiCall.version()).get("release").asText()).isEqualTo("9.1");
        }
        assertThat(server.getRequestCount()).isEqualTo(1);
    }

    @Test
    void serverUnknownToTheJvmTrustStoreIsRefused() throws Exception {
        serve(NODE, ROOT);

        try (ProxmoxClient client = new ProxmoxClient(cluster(https("localhost")))) {
            ProxmoxTransportException error = onlyFailure(client);

            assertThat(error).hasMessage("cluster lab: " + https("localhost") + " did not answer GET /version:"
                    + " TLS: unable to find valid certification path to requested target (the server's certificate"
                    + " is not signed by a CA this client trusts: set tls.ca-file to the cluster's"
                    + " /etc/pve/pve-root-ca.pem, or pin tls.fingerprints)");
        }
        assertThat(server.getRequestCount()).isZero();
    }

    @Test
    void caFileStillChecksTheHostName() throws Exception {
        serve(NODE, ROOT);
        Path ca = Files.writeString(dir.resolve("pve-root-ca.pem"), ROOT.certificatePem());

        try (ProxmoxClient client = new ProxmoxClient(cluster(tls(ca), https("127.0.0.1")))) {
            assertThat(onlyFailure(client).getMessage()).contains(" TLS: Hostname 127.0.0.1 not verified");
        }
        assertThat(server.getRequestCount()).isZero();
    }

    @Test
    void pinnedFingerprintIsAcceptedWithoutAHostNameCheck() throws Exception {
        serve(NODE, ROOT);

        try (ProxmoxClient client = new ProxmoxClient(cluster(pins(fingerprint(NODE)), https("127.0.0.1")))) {
            assertThat(client.get(ApiCall.version()).get("release").asText()).isEqualTo("9.1");
        }
    }

    @Test
    void pinIsComparedIgnoringCaseAndColons() throws Exception {
        serve(NODE, ROOT);
        String lowerCaseWithoutColons = fingerprint(NODE).replace(":", "").toLowerCase(Locale.ROOT);

        try (ProxmoxClient client = new ProxmoxClient(cluster(pins(fingerprint(ROOT), lowerCaseWithoutColons),
                https("localhost")))) {
            assertThat(client.get(ApiCall.version()).isObject()).isTrue();
        }
    }

    @Test
    void wrongFingerprintIsRefusedNamingBothFingerprints() throws Exception {
        serve(NODE, ROOT);
        String pinned = fingerprint(ROOT);

        try (ProxmoxClient client = new ProxmoxClient(cluster(pins(pinned), https("localhost")))) {
            assertThat(onlyFailure(client)).hasMessage("cluster lab: " + https("localhost")
                    + " did not answer GET /version: TLS: certificate fingerprint mismatch: the server presented SHA-256 "
                    + fingerprint(NODE) + " (CN=localhost), expected " + pinned + ". Proxmox renews node certificates"
                    + " (at most every 2 years, 14 days before expiry), so re-pin the new fingerprint, or better set"
                    + " tls.ca-file to the cluster's /etc/pve/pve-root-ca.pem, which survives renewals");
        }
        assertThat(server.getRequestCount()).isZero();
    }

    @Test
    void insecureAcceptsAnyCertificateAndWarns() throws Exception {
        HeldCertificate selfSigned = new HeldCertificate.Builder().commonName("elsewhere.example")
                .addSubjectAlternativeName("elsewhere.example").build();
        serve(selfSigned);

        try (ProxmoxClient client = new ProxmoxClient(cluster(new TlsConfig(Optional.empty(), List.of(), true),
                https("127.0.0.1")))) {
            assertThat(client.get(ApiCall.version()).isObject()).isTrue();
        }
        assertThat(leaks.lines(Level.WARN)).containsExactly("WARN cluster=lab - TLS verification is OFF"
                + " (tls.insecure: true): anyone on the path can read the token; use tls.ca-file");
    }

    private void serve(HeldCertificate certificate, HeldCertificate... chain) throws Exception {
        X509Certificate[] intermediates = new X509Certificate[chain.length];
        for (int i = 0; i < chain.length; i++) {
            intermediates[i] = chain[i].certificate();
        }
        HandshakeCertificates certificates = new HandshakeCertificates.Builder()
                .heldCertificate(certificate, intermediates).build();
        server.useHttps(certificates.sslSocketFactory());
        server.enqueue(ok("version.json"));
        server.start();
    }

    private URI https(String host) {
        return URI.create("https://" + host + ":" + server.getPort());
    }

    private ProxmoxTransportException onlyFailure(ProxmoxClient client) {
        ProxmoxUnavailableException error = leaks.thrownBy(() -> client.get(ApiCall.version()), ProxmoxUnavailableException.class);
        assertThat(error.failures()).singleElement().isInstanceOf(ProxmoxTransportException.class);
        return (ProxmoxTransportException) error.failures().get(0);
    }

    private static TlsConfig tls(Path caFile) {
        return new TlsConfig(Optional.of(caFile), List.of(), false);
    }

    private static TlsConfig pins(String... fingerprints) {
        return new TlsConfig(Optional.empty(), List.of(fingerprints), false);
    }

    /** Computed here independently of the code under test. */
    private static String fingerprint(HeldCertificate certificate) throws Exception {
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(certificate.certificate().getEncoded());
        return HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
    }
}
