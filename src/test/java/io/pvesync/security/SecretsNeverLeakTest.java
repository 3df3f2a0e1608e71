package io.pvesync.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import io.pvesync.cli.Main;
import io.pvesync.config.ConfigLoader;
import io.pvesync.daemon.Daemon;
import io.pvesync.sim.ProxmoxSimulator;
import io.pvesync.store.Migrations;
import io.pvesync.testing.LogCapture;
import io.pvesync.testing.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Secrets never appear in a log line (any logger, pvesync's at DEBUG, exceptions rendered), an
 * exception text, a command's output or a status endpoint body (STYLE.md "Configuration", README
 * "Configuration"). The token secrets, the database password and the resync token all contain
 * {@code SECRET}; nothing pvesync shows may.
 */
class SecretsNeverLeakTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    private static final String TOKEN_ID = "pvesync@pve!inventory";
    private static final String LAB_SECRET = "SECRET-lab-2f6d1c9a-8e4b-4a7f-b3c5-d0e1f2a3b4c5";
    private static final String REJECTED_SECRET = "SECRET-old-7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d";
    private static final String ECHO_SECRET = "SECRET-echo-0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d";
    private static final String DB_PASSWORD = "SECRET-db-password";
    private static final String RESYNC_TOKEN = "SECRET-resync-token";

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void migrate() throws Exception {
        try (HikariDataSource owner = db.ownerPool()) {
            Migrations.migrate(owner);
        }
        db.grantDaemon();
    }

    private static ProxmoxSimulator simulator(String secret) {
        return ProxmoxSimulator.builder().nodes(1).vms(3).tls(true).seed(11).tokenSecret(secret)
                .authFailureDelay(Duration.ofMillis(10)).start();
    }

    private String cluster(String name, ProxmoxSimulator sim, String secret) throws Exception {
        Files.writeString(dir.resolve(name + "-ca.pem"), sim.caCertificatePem());
        return """
                  - name: %s
                    endpoints: ["%s"]
                    token-id: "%s"
                    token-secret: "%s"
                    tls:
                      ca-file: %s-ca.pem
                    connect-timeout: 1s
                    read-timeout: 2s
                """.formatted(name, sim.endpoints().get(0), TOKEN_ID, secret, name);
    }

    private Path config(String databaseUrl, String user, String clusters) throws Exception {
        Path file = dir.resolve("pvesync.yaml");
        Files.writeString(file, """
                database:
                  url: %s
                  username: %s
                  password: "%s"
                clusters:
                %s
                schedule:
                  poll: 1s
                status:
                  listen: 127.0.0.1:0
                  resync-token: "%s"
                """.formatted(databaseUrl, user, DB_PASSWORD, clusters, RESYNC_TOKEN));
        return file;
    }

    private HttpResponse<String> send(Daemon daemon, String method, String path, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + daemon.statusAddress().getPort() + path)).method(method, HttpRequest.BodyPublishers.noBody());
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode status(Daemon daemon) throws Exception {
        return new ObjectMapper().readTree(send(daemon, "GET", "/status", null).body());
    }

    private static JsonNode cluster(JsonNode status, String name) {
        for (JsonNode c : status.get("clusters")) {
            if (c.get("name").asText().equals(name)) {
                return c;
            }
        }
        throw new AssertionError("no cluster " + name + " in " + status);
    }

    private JsonNode awaitEveryClusterTried(Daemon daemon) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            JsonNode status = status(daemon);
            boolean tried = true;
            for (JsonNode c : status.get("clusters")) {
                tried &= !c.get("lastResult").isNull();
            }
            if (tried) {
                return status;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not every cluster had a pass within 20 s: " + status);
            }
            Thread.sleep(50);
        }
    }

    /**
     * A daemon with a working cluster, one whose token is rejected (401) and one behind a proxy that
     * echoes the Authorization header in its error: start, passes, every endpoint, a refused and an
     * accepted resync, stop.
     */
    @Test
    void aRunningDaemonShowsNoSecretInLogsErrorsOrItsEndpoints() throws Exception {
        List<String> shown = new ArrayList<>();
        JsonNode status;
        try (LogCapture logs = new LogCapture();
             ProxmoxSimulator lab = simulator(LAB_SECRET);
             ProxmoxSimulator rejecting = simulator("another-secret-than-configured");
             ProxmoxSimulator echoing = simulator(ECHO_SECRET)) {
            for (int i = 0; i < 30; i++) {
                echoing.failNext("/cluster/resources", 502, "proxy error: upstream refused Authorization: PVEAPIToken="
                        + TOKEN_ID + "=" + ECHO_SECRET);
            }
            Path file = config(db.url(), db.daemonUser(), cluster("lab", lab, LAB_SECRET)
                    + cluster("rejected", rejecting, REJECTED_SECRET) + cluster("echo", echoing, ECHO_SECRET));
            // another test's daemon recorded cluster lab's passes in this database: start from none
            try (Connection c = db.ownerConnection(); Statement st = c.createStatement()) {
                st.execute("TRUNCATE pvesync.cluster_state");
            }
            try (Daemon daemon = Daemon.start(new ConfigLoader().load(file), Clock.systemUTC())) {
                status = awaitEveryClusterTried(daemon);
                shown.add(status.toString());
                shown.add(send(daemon, "GET", "/health", null).body());
                shown.add(send(daemon, "GET", "/metrics", null).body());
                HttpResponse<String> refused = send(daemon, "POST", "/resync", "Bearer not-the-token");
                assertThat(refused.statusCode()).isEqualTo(401);
                shown.add(refused.body());
                HttpResponse<String> accepted = send(daemon, "POST", "/resync", "Bearer " + RESYNC_TOKEN);
                assertThat(accepted.statusCode()).isEqualTo(202);
                shown.add(accepted.body());
            }
            shown.addAll(pvesyncLines(logs));
        }

        assertThat(shown).noneMatch(text -> text.contains("SECRET"));
        // the texts looked at are the real ones: each cluster's outcome and the masked config are in them
        assertThat(cluster(status, "lab").get("lastResult").asText()).isEqualTo("ok");
        assertThat(cluster(status, "rejected").get("lastError").asText()).contains("rejected token " + TOKEN_ID);
        assertThat(cluster(status, "echo").get("lastError").asText()).contains("(HTTP 502: proxy error: upstream refused"
                + " Authorization: PVEAPIToken=" + TOKEN_ID + "=<masked>)");
        assertThat(shown).anyMatch(line -> line.contains("(password <masked>)"))
                .anyMatch(line -> line.contains("resync token <masked>"))
                .anyMatch(line -> line.contains("token " + TOKEN_ID + " (secret <masked>)"));
    }

    /** Every captured line but the simulator's: it plays the proxy that echoes the header, and says so. */
    private static List<String> pvesyncLines(LogCapture logs) {
        return logs.lines().stream().filter(line -> !line.matches("(?s)\\w+ io\\.pvesync\\.sim\\..*")).toList();
    }

    /** A free port: bound and released again, so a connect to it is refused at once. */
    private static int closedPort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** {@code pvesync sync} and {@code pvesync check} against a database that cannot be reached or refuses the role. */
    @Test
    void aFailingDatabaseConnectShowsNoSecret() throws Exception {
        String unreachable = "jdbc:postgresql://127.0.0.1:" + closedPort() + "/accountdb";
        List<String> shown = new ArrayList<>();
        List<Integer> exits = new ArrayList<>();
        try (LogCapture logs = new LogCapture(); ProxmoxSimulator lab = simulator(LAB_SECRET)) {
            String clusters = cluster("lab", lab, LAB_SECRET);
            // each failed pool start costs HikariCP a second: one command per way of failing
            String[][] runs = {{"sync", unreachable, db.daemonUser()}, {"check", db.url(), "no_such_role_7f3a"}};
            for (String[] run : runs) {
                Path file = config(run[1], run[2], clusters);
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                ByteArrayOutputStream err = new ByteArrayOutputStream();
                exits.add(Main.run(new String[] {run[0], "--config", file.toString()},
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8)));
                shown.add(out.toString(StandardCharsets.UTF_8));
                shown.add(err.toString(StandardCharsets.UTF_8));
            }
            shown.addAll(pvesyncLines(logs));
        }

        assertThat(exits).containsExactly(1, 1);
        assertThat(shown).noneMatch(text -> text.contains("SECRET"));
        assertThat(String.join("\n", shown))
                .contains("database " + unreachable + " as " + db.daemonUser() + ": ")
                .contains("Connection to 127.0.0.1:" + unreachable.replaceAll(".*:(\\d+)/.*", "$1") + " refused")
                .contains("role \"no_such_role_7f3a\" does not exist");
    }

    /**
     * PostgreSQL's driver also takes the password (and the client key's) in the JDBC URL. The URL
     * is shown at start, by check and in database errors; its passwords must not be.
     */
    @Test
    void passwordsInTheJdbcUrlAreNeverShown() throws Exception {
        String url = db.url() + "?sslpassword=SECRET-key-passphrase&ApplicationName=x&password=" + DB_PASSWORD;
        List<String> shown = new ArrayList<>();
        try (LogCapture logs = new LogCapture(); ProxmoxSimulator lab = simulator(LAB_SECRET)) {
            Path file = config(url, db.daemonUser(), cluster("lab", lab, LAB_SECRET));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int exit = Main.run(new String[] {"check", "--config", file.toString()},
                    new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(out, true, StandardCharsets.UTF_8));
            shown.add(out.toString(StandardCharsets.UTF_8));
            try (Daemon daemon = Daemon.start(new ConfigLoader().load(file), Clock.systemUTC())) {
                shown.add(send(daemon, "GET", "/status", null).body());
            }
            shown.addAll(pvesyncLines(logs));
            assertThat(exit).as(shown.get(0)).isZero();
        }

        assertThat(shown).noneMatch(text -> text.contains("SECRET"));
        String masked = db.url() + "?sslpassword=<masked>&ApplicationName=x&password=<masked>";
        assertThat(shown.get(0)).contains("[ ok ] database: connected to " + masked + " as " + db.daemonUser());
        assertThat(shown).anyMatch(line -> line.contains(": database " + masked + " as " + db.daemonUser()));
    }
}
