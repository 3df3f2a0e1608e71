package io.pvesync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.pvesync.sim.ProxmoxSimulator;
import io.pvesync.sim.SimulatorBuilder;
import io.pvesync.store.Migrations;
import io.pvesync.testing.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code pvesync check} against the simulator (HTTPS) and a real database. */
class CheckCommandTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    @TempDir
    static Path dir;

    static ProxmoxSimulator sim;

    @BeforeAll
    static void start() throws Exception {
        try (HikariDataSource owner = db.ownerPool()) {
            Migrations.migrate(owner);
        }
        db.grantDaemon();
        sim = ProxmoxSimulator.builder().nodes(2).vms(4).endpoints(1).tls(true)
                .authFailureDelay(Duration.ofMillis(10)).start();
        Files.writeString(dir.resolve("ca.pem"), sim.caCertificatePem());
    }

    @AfterAll
    static void stop() {
        sim.close();
    }

    private record Run(int exit, List<String> lines) {
    }

    private static Run check(String secret, String tls) throws Exception {
        Path config = dir.resolve("check.yaml");
        Files.writeString(config, """
                database:
                  url: %s
                  username: %s
                  password: %s
                clusters:
                  - name: lab
                    endpoints: ["%s"]
                    token-id: "pvesync@pve!inventory"
                    token-secret: "%s"
                    tls:
                      %s
                    connect-timeout: 2s
                    read-timeout: 5s
                """.formatted(db.url(), db.daemonUser(), db.daemonPassword(), sim.endpoints().get(0), secret, tls));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int exit = Main.run(new String[] {"check", "--config", config.toString()},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream()));
        return new Run(exit, out.toString(StandardCharsets.UTF_8).lines().toList());
    }

    private static String subject() {
        return "cluster=lab endpoint=" + sim.endpoints().get(0);
    }

    @Test
    void everythingRightPassesEveryLine() throws Exception {
        Run run = check(SimulatorBuilder.DEFAULT_TOKEN_SECRET, "ca-file: ca.pem");

        assertThat(run.exit()).as(String.join("\n", run.lines())).isZero();
        assertThat(run.lines()).contains(
                "[ ok ] " + subject() + ": TLS and token accepted; Proxmox VE 9.1.1",
                "[ ok ] database: schema current (version 7)",
                "all checks passed");
        assertThat(run.lines()).anyMatch(l -> l.startsWith("[ ok ] " + subject() + ": privileges on /: found ")
                && l.endsWith("(needed: VM.Audit, Sys.Audit, VM.GuestAgent.Audit)"));
        assertThat(run.lines()).anyMatch(l -> l.startsWith("[ ok ] " + subject() + ": listing shows 2 node(s), 2 online"));
        assertThat(run.lines()).allMatch(l -> !l.startsWith("[FAIL]"));
    }

    @Test
    void theTaskListLineSaysWhichNodesShowNoTask() throws Exception {
        List<String> nodes = sim.nodes();
        sim.noiseTasks(nodes.get(0), 3);
        Run onlyFirst = check(SimulatorBuilder.DEFAULT_TOKEN_SECRET, "ca-file: ca.pem");
        sim.noiseTasks(nodes.get(1), 3);
        Run both = check(SimulatorBuilder.DEFAULT_TOKEN_SECRET, "ca-file: ca.pem");

        assertThat(onlyFirst.lines()).anyMatch(l -> l.matches(java.util.regex.Pattern.quote("[warn] " + subject()
                + ": task list shows ") + "\\d+" + java.util.regex.Pattern.quote(" task(s) from 1 of 2 node(s); none from "
                + nodes.get(1) + ": lifecycle events there are not visible (the token needs Sys.Audit on /, which"
                + " PVEAuditor has), so a change of name or status there costs a config read")));
        assertThat(both.lines()).anyMatch(l -> l.matches(java.util.regex.Pattern.quote("[ ok ] " + subject()
                + ": task list shows ") + "\\d+" + java.util.regex.Pattern.quote(" task(s) from 2 of 2 node(s)")));
    }

    @Test
    void aWrongTokenFailsItsLine() throws Exception {
        Run run = check("wrong-secret", "ca-file: ca.pem");

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.lines()).anyMatch(l -> l.startsWith("[FAIL] " + subject() + ": token: ")
                && l.contains("HTTP 401: invalid token value!") && !l.contains("wrong-secret"));
    }

    @Test
    void aWrongFingerprintFailsNamingBothFingerprints() throws Exception {
        String wrong = "AA:" + sim.fingerprint().substring(3).replace('0', '1');
        Run run = check(SimulatorBuilder.DEFAULT_TOKEN_SECRET, "fingerprint: \"" + wrong + "\"");

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.lines()).anyMatch(l -> l.startsWith("[FAIL] " + subject() + ": unreachable: ")
                && l.contains(wrong) && l.contains(sim.fingerprint()));
    }

    @Test
    void aMissingGrantFailsThePrivilegesLine() throws Exception {
        sim.privileges(java.util.Set.of("Sys.Audit", "Datastore.Audit"));
        try {
            Run run = check(SimulatorBuilder.DEFAULT_TOKEN_SECRET, "ca-file: ca.pem");

            assertThat(run.exit()).isEqualTo(1);
            assertThat(run.lines()).anyMatch(l -> l.startsWith("[FAIL] " + subject()
                    + ": privileges on /: missing VM.Audit (found Datastore.Audit, Sys.Audit); grant the token and"
                    + " its user PVEAuditor on /"));
        } finally {
            sim.privileges(java.util.Set.of("VM.Audit", "VM.GuestAgent.Audit", "Sys.Audit", "Datastore.Audit",
                    "SDN.Audit", "Pool.Audit", "Mapping.Audit"));
        }
    }

    @Test
    void aRoleWithBypassRlsFailsItsLine() throws Exception {
        try (Connection c = db.ownerConnection(); Statement st = c.createStatement()) {
            st.execute("ALTER ROLE " + db.daemonUser() + " BYPASSRLS");
        }
        try {
            Run run = check(SimulatorBuilder.DEFAULT_TOKEN_SECRET, "ca-file: ca.pem");

            assertThat(run.exit()).isEqualTo(1);
            assertThat(run.lines()).contains("[FAIL] database: role " + db.daemonUser() + " has BYPASSRLS: row-level"
                    + " security does not apply to it; use a role made as README shows");
        } finally {
            try (Connection c = db.ownerConnection(); Statement st = c.createStatement()) {
                st.execute("ALTER ROLE " + db.daemonUser() + " NOBYPASSRLS");
            }
        }
    }
}
