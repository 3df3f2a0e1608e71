package io.pvesync.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import io.pvesync.cli.Main;
import io.pvesync.config.ConfigLoader;
import io.pvesync.config.LogFormat;
import io.pvesync.daemon.Daemon;
import io.pvesync.sim.ProxmoxSimulator;
import io.pvesync.store.Migrations;
import io.pvesync.testing.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * {@code logging.format: json} end to end: {@code pvesync sync} reads the config and switches the
 * stderr encoder of logback.xml (the same {@link SwitchableEncoder}, here writing to a buffer), then
 * the daemon runs a working cluster with a node offline and a cluster whose token is rejected.
 * Every line is one JSON object, lines about a cluster or a node carry them as fields, and no
 * secret (token secrets, database password, resync token, all containing {@code SECRET}) appears.
 */
class JsonLogsOfARealRunTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    private static final String TOKEN_ID = "pvesync@pve!inventory";
    private static final String LAB_SECRET = "SECRET-lab-2f6d1c9a-8e4b-4a7f-b3c5-d0e1f2a3b4c5";
    private static final String REJECTED_SECRET = "SECRET-old-7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d";

    @TempDir
    Path dir;

    private String cluster(String name, ProxmoxSimulator sim, String secret) throws Exception {
        Files.writeString(dir.resolve(name + "-ca.pem"), sim.caCertificatePem());
        return """
                  - name: %s
                    endpoints: ["%s"]
                    token-id: "%s"
                    token-secret: "%s"
                    tls:
                      ca-file: %s-ca.pem
                    read-timeout: 2s
                """.formatted(name, sim.endpoints().get(0), TOKEN_ID, secret, name);
    }

    @Test
    void everyLineIsJsonWithItsSubjectAndNoSecret() throws Exception {
        try (HikariDataSource owner = db.ownerPool()) {
            Migrations.migrate(owner);
        }
        db.grantDaemon();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        Logger pvesync = context.getLogger("io.pvesync");
        Level previous = pvesync.getLevel();
        SwitchableEncoder encoder = new SwitchableEncoder();
        encoder.setContext(context);
        encoder.setPattern("%msg%n");
        encoder.start();
        OutputStreamAppender<ILoggingEvent> appender = new OutputStreamAppender<>();
        appender.setContext(context);
        appender.setEncoder(encoder);
        appender.setOutputStream(bytes);
        appender.start();
        String offline;
        try (ProxmoxSimulator lab = ProxmoxSimulator.builder().nodes(3).vms(6).tls(true).seed(3)
                .tokenSecret(LAB_SECRET).start();
             ProxmoxSimulator rejecting = ProxmoxSimulator.builder().nodes(1).vms(2).tls(true).seed(4)
                     .tokenSecret("another-secret-than-configured").authFailureDelay(Duration.ofMillis(10)).start()) {
            offline = lab.nodes().get(2);
            lab.nodeOffline(offline, true);
            Path file = dir.resolve("pvesync.yaml");
            Files.writeString(file, """
                    database:
                      url: %s
                      username: %s
                      password: "SECRET-db-password"
                    clusters:
                    %s
                    schedule:
                      poll: 1s
                    status:
                      listen: 127.0.0.1:0
                      resync-token: "SECRET-resync-token"
                    logging:
                      format: json
                    """.formatted(db.url(), db.daemonUser(), cluster("lab", lab, LAB_SECRET)
                    + cluster("rejected", rejecting, REJECTED_SECRET)));
            pvesync.setLevel(Level.DEBUG); // lines an operator sees only at DEBUG must not leak either
            root.addAppender(appender);

            int exit = Main.run(new String[] {"sync", "--config", file.toString()},
                    new PrintStream(new ByteArrayOutputStream(), true), new PrintStream(new ByteArrayOutputStream(), true));

            assertThat(exit).as("cluster rejected fails its pass").isEqualTo(1);
            assertThat(SwitchableEncoder.current()).isEqualTo(LogFormat.JSON);
            try (Daemon daemon = Daemon.start(new ConfigLoader().load(file), Clock.systemUTC())) {
                awaitAPassOfEveryCluster(daemon);
            }
        } finally {
            root.detachAppender(appender);
            appender.stop();
            pvesync.setLevel(previous);
            SwitchableEncoder.use(LogFormat.TEXT);
        }
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> lines = new ArrayList<>();
        for (String line : bytes.toString(StandardCharsets.UTF_8).split("\n")) {
            lines.add(json.readTree(line)); // one complete object per line, or this throws
        }

        assertThat(bytes.toString(StandardCharsets.UTF_8)).doesNotContain("SECRET");
        assertThat(lines).hasSizeGreaterThan(10);
        assertThat(lines).allMatch(l -> l.isObject() && l.has("formattedMessage") && l.has("level"));
        assertThat(lines).anyMatch(l -> l.path("cluster").asText().equals("lab")
                && l.get("loggerName").asText().equals("io.pvesync.sync.ClusterSync"));
        assertThat(lines).anyMatch(l -> l.path("cluster").asText().equals("lab")
                && l.path("node").asText().equals(offline));
        assertThat(lines).anyMatch(l -> l.path("cluster").asText().equals("rejected")
                && l.get("formattedMessage").asText().contains("rejected token " + TOKEN_ID));
        // every line that starts with cluster=NAME carries it as a field
        assertThat(lines).filteredOn(l -> l.get("formattedMessage").asText().startsWith("cluster="))
                .isNotEmpty().allMatch(l -> l.has("cluster"));
        // the masked config summary is among the lines looked at
        assertThat(lines).anyMatch(l -> l.get("formattedMessage").asText().contains("(secret <masked>)"));
    }

    private static void awaitAPassOfEveryCluster(Daemon daemon) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        URI status = URI.create("http://127.0.0.1:" + daemon.statusAddress().getPort() + "/status");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            JsonNode body = new ObjectMapper().readTree(http.send(HttpRequest.newBuilder(status).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            boolean tried = true;
            for (JsonNode c : body.get("clusters")) {
                tried &= !c.get("lastResult").isNull() && !c.get("lastPassBy").asText().startsWith("pvesync sync");
            }
            if (tried) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no pass of every cluster by the daemon within 30 s: " + body);
            }
            Thread.sleep(100);
        }
    }
}
