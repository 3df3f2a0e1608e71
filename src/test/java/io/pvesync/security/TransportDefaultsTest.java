package io.pvesync.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assumptions.assumeThat;

import ch.qos.logback.classic.Level;
import com.zaxxer.hikari.HikariDataSource;
import io.pvesync.config.ClusterConfig;
import io.pvesync.config.ConfigLoader;
import io.pvesync.config.MissingPolicy;
import io.pvesync.config.PvesyncConfig;
import io.pvesync.config.Secret;
import io.pvesync.config.StatusConfig;
import io.pvesync.config.TlsConfig;
import io.pvesync.daemon.Daemon;
import io.pvesync.proxmox.ApiCall;
import io.pvesync.proxmox.ProxmoxClient;
import io.pvesync.proxmox.ProxmoxTransportException;
import io.pvesync.proxmox.ProxmoxUnavailableException;
import io.pvesync.sim.ProxmoxSimulator;
import io.pvesync.sim.SimulatorBuilder;
import io.pvesync.store.Migrations;
import io.pvesync.testing.LogCapture;
import io.pvesync.testing.TestDatabase;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * What pvesync does when the operator configures nothing about transport security (DESIGN.md 3.9,
 * 4.3): the Proxmox certificate is verified, so the token is never sent to a server it cannot
 * verify, {@code insecure: true} is announced at start, and the status endpoint listens on
 * loopback only.
 */
class TransportDefaultsTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    @TempDir
    Path dir;

    private ProxmoxSimulator sim;

    @BeforeAll
    static void migrate() throws Exception {
        try (HikariDataSource owner = db.ownerPool()) {
            Migrations.migrate(owner);
        }
        db.grantDaemon();
    }

    @BeforeEach
    void startSimulator() {
        sim = ProxmoxSimulator.builder().nodes(1).vms(2).tls(true).seed(5).start();
    }

    @AfterEach
    void stopSimulator() {
        sim.close();
    }

    @Test
    void withoutTlsSettingsTheSimulatorsOwnCaIsRefusedBeforeAnyRequest() {
        ClusterConfig noTlsSettings = new ClusterConfig("lab", sim.endpoints(), "pvesync@pve!inventory",
                Secret.of(SimulatorBuilder.DEFAULT_TOKEN_SECRET), TlsConfig.systemDefault(), false, Duration.ofSeconds(2),
                Duration.ofSeconds(2), Duration.ofSeconds(2), 2, Duration.ofMinutes(15), MissingPolicy.DEFAULT);

        ProxmoxUnavailableException error;
        try (ProxmoxClient client = new ProxmoxClient(noTlsSettings)) {
            error = catchThrowableOfType(ProxmoxUnavailableException.class, () -> client.get(ApiCall.clusterResources()));
        }

        assertThat(error.failures()).singleElement().isInstanceOf(ProxmoxTransportException.class);
        assertThat(error).hasMessage("cluster lab: its only endpoint failed for GET /cluster/resources: "
                + sim.endpoints().get(0) + " (TLS: unable to find valid certification path to requested target"
                + " (the server's certificate is not signed by a CA this client trusts: set tls.ca-file to the"
                + " cluster's /etc/pve/pve-root-ca.pem, or pin tls.fingerprints))");
        // the handshake failed, so no request (and no Authorization header) ever reached the server
        assertThat(sim.requestCount()).isZero();
    }

    /** Also: {@code insecure: true} is the operator's explicit choice; it works, and start says so. */
    @Test
    void theStatusEndpointListensOnLoopbackByDefault() throws Exception {
        Path file = dir.resolve("pvesync.yaml");
        Files.writeString(file, """
                database:
                  url: %s
                  username: %s
                clusters:
                  - name: lab
                    endpoints: ["%s"]
                    token-id: "pvesync@pve!inventory"
                    token-secret: "%s"
                    tls:
                      insecure: true
                """.formatted(db.url(), db.daemonUser(), sim.endpoints().get(0), SimulatorBuilder.DEFAULT_TOKEN_SECRET));
        PvesyncConfig loaded = new ConfigLoader().load(file);
        InetSocketAddress listen = loaded.status().listen();
        assertThat(listen.getAddress().getHostAddress()).isEqualTo("127.0.0.1");
        assertThat(listen.getPort()).isEqualTo(9187);

        // the default host with a free port, so the test never collides with a running pvesync
        PvesyncConfig freePort = new PvesyncConfig(loaded.source(), loaded.database(), loaded.clusters(),
                loaded.schedule(), new StatusConfig(new InetSocketAddress(listen.getAddress(), 0),
                loaded.status().resyncToken(), loaded.status().staleAfter()));
        try (LogCapture logs = new LogCapture(); Daemon daemon = Daemon.start(freePort, Clock.systemUTC())) {
            InetSocketAddress bound = daemon.statusAddress();

            assertThat(bound.getAddress().isLoopbackAddress()).as("bound to %s", bound).isTrue();
            Optional<InetAddress> external = nonLoopbackAddress();
            assumeThat(external).as("a non-loopback IPv4 address on this machine").isPresent();
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(external.get(), bound.getPort()), 2000);
                throw new AssertionError("the status port answered on " + external.get());
            } catch (ConnectException refused) {
                assertThat(refused).hasMessageContaining("Connection refused");
            }
            assertThat(logs.messages(Level.WARN, "io.pvesync")).contains("cluster=lab - TLS verification is OFF"
                    + " (tls.insecure: true): anyone on the path can read the token; use tls.ca-file");
        }
    }

    private static Optional<InetAddress> nonLoopbackAddress() throws Exception {
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (nic.isUp() && !nic.isLoopback()) {
                for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                    if (address instanceof Inet4Address) {
                        return Optional.of(address);
                    }
                }
            }
        }
        return Optional.empty();
    }
}
