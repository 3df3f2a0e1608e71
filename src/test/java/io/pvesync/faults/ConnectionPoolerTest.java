package io.pvesync.faults;

import static io.pvesync.testing.CommandRun.pvesync;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.pvesync.check.CheckResult;
import io.pvesync.check.DatabaseChecks;
import io.pvesync.config.DatabaseConfig;
import io.pvesync.config.Secret;
import io.pvesync.daemon.Daemon;
import io.pvesync.daemon.StartupException;
import io.pvesync.sim.ProxmoxSimulator;
import io.pvesync.store.Migrations;
import io.pvesync.store.PassLock;
import io.pvesync.store.SessionPinning;
import io.pvesync.testing.CommandRun;
import io.pvesync.testing.DaemonConfigFile;
import io.pvesync.testing.PgBouncer;
import io.pvesync.testing.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * DESIGN 3.8: pvesync behind a real PgBouncer. In transaction mode two instances both get a
 * cluster's pass lock, so {@code check} fails, the daemon refuses to start and {@code sync} refuses
 * to run, each naming what to change; statement mode is reported the same way; session mode
 * passes.
 */
class ConnectionPoolerTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    @TempDir
    static Path dir;

    private static PgBouncer transaction;
    private static PgBouncer session;
    private static PgBouncer statement;
    private static ProxmoxSimulator sim;
    private static final Map<String, String> users = new LinkedHashMap<>();

    @BeforeAll
    static void start() throws Exception {
        try (HikariDataSource owner = db.ownerPool()) {
            Migrations.migrate(owner);
        }
        db.grantDaemon();
        users.put(db.ownerUser(), db.ownerPassword());
        users.put(db.daemonUser(), db.daemonPassword());
        transaction = PgBouncer.start("transaction", db.url(), users);
        session = PgBouncer.start("session", db.url(), users);
        statement = PgBouncer.start("statement", db.url(), users);
        sim = ProxmoxSimulator.builder().nodes(1).vms(2).containers(0).templates(0).endpoints(1).tls(true)
                .seed(3).authFailureDelay(Duration.ofMillis(10)).start();
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {transaction, session, statement, sim}) {
            if (c != null) {
                c.close();
            }
        }
    }

    private static DatabaseConfig through(PgBouncer bouncer) {
        return new DatabaseConfig(bouncer.url(db.url()), db.daemonUser(), Optional.of(Secret.of(db.daemonPassword())),
                Optional.empty(), Optional.empty(), 2);
    }

    private static List<String> checkLines(PgBouncer bouncer) {
        return DatabaseChecks.run(through(bouncer)).stream().map(CheckResult::line).toList();
    }

    private static HikariDataSource pool(PgBouncer bouncer) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(bouncer.url(db.url()));
        config.setUsername(db.daemonUser());
        config.setPassword(db.daemonPassword());
        config.setMaximumPoolSize(2);
        return new HikariDataSource(config);
    }

    @Test
    void transactionPoolingLetsTwoInstancesHoldOnePassLockAndCheckFailsNamingWhatToChange() {
        // the fault the check prevents is real: both "instances" get the lock through the pooler
        try (HikariDataSource first = pool(transaction); HikariDataSource second = pool(transaction)) {
            Optional<PassLock.Held> one = new PassLock(first).tryAcquire("lab");
            Optional<PassLock.Held> two = new PassLock(second).tryAcquire("lab");
            assertThat(one).as("first instance").isPresent();
            assertThat(two).as("second instance, behind pool_mode = transaction").isPresent();
            one.get().close();
            two.get().close();
        }

        List<String> lines = checkLines(transaction);

        assertThat(lines).as(transaction.log()).anySatisfy(l -> assertThat(l)
                .startsWith("[FAIL] database: ")
                .contains("(transaction or statement pooling)")
                .contains("point database.url straight at PostgreSQL")
                .contains("pool_mode = session in pgbouncer.ini"));
        assertThat(lines).noneMatch(l -> l.contains("each connection keeps its own session"));
    }

    @Test
    void sessionPoolingPassesTheCheck() {
        assertThat(checkLines(session)).as(session.log())
                .contains("[ ok ] database: each connection keeps its own session (no transaction pooling)")
                .noneMatch(l -> l.startsWith("[FAIL]"));
    }

    @Test
    void statementPoolingIsReportedAsPooling() {
        SessionPinning.Finding finding = SessionPinning.probe(through(statement));

        assertThat(finding.pinned()).as(finding.evidence()).isFalse();
        assertThat(finding.evidence()).contains("statement pooling");
    }

    @Test
    void theDaemonRefusesToStartBehindTransactionPooling() throws Exception {
        DaemonConfigFile file = new DaemonConfigFile(sim, db);
        file.databaseUrl = transaction.url(db.url());

        assertThatThrownBy(() -> Daemon.start(file.load(dir), Clock.systemUTC()).close())
                .isInstanceOf(StartupException.class)
                .hasMessageStartingWith("database: ")
                .hasMessageContaining("pool_mode = session in pgbouncer.ini")
                .hasMessageContaining("(database.url is in " + dir.resolve("pvesync.yaml") + ")");
    }

    @Test
    void syncRefusesBehindTransactionPooling() throws Exception {
        DaemonConfigFile file = new DaemonConfigFile(sim, db);
        file.databaseUrl = transaction.url(db.url());
        file.load(dir);

        CommandRun run = pvesync("sync", "--config", dir.resolve("pvesync.yaml").toString());

        assertThat(run.exit()).as(run.out() + run.err()).isEqualTo(1);
        assertThat(run.err()).contains("the pass lock needs one PostgreSQL session per connection")
                .contains("pool_mode = session in pgbouncer.ini");
        assertThat(run.out()).doesNotContain("inserted");
    }

    @Test
    void aDaemonThatStartedBeforeTheDatabaseAnsweredFailsEveryPassOnceItFindsTheTransactionPooler() throws Exception {
        try (PgProxy backend = PgProxy.to(db.url());
             PgBouncer late = PgBouncer.start("transaction", backend.url(db.url()), users)) {
            backend.cut(); // PgBouncer answers, PostgreSQL behind it does not: the start cannot tell
            DaemonConfigFile file = new DaemonConfigFile(sim, db);
            file.databaseUrl = late.url(db.url());
            try (Daemon daemon = Daemon.start(file.load(dir), Clock.systemUTC())) {
                backend.restore();
                HttpClient http = HttpClient.newHttpClient();
                URI status = URI.create("http://127.0.0.1:" + daemon.statusAddress().getPort() + "/status");
                Await.until(() -> http.send(HttpRequest.newBuilder(status).build(), HttpResponse.BodyHandlers.ofString())
                        .body().contains("pool_mode = session in pgbouncer.ini"), "a pass fails naming the pooler");
                String body = http.send(HttpRequest.newBuilder(status).build(), HttpResponse.BodyHandlers.ofString())
                        .body();
                assertThat(body).contains("\"lastError\":\"database: ").contains("(transaction or statement pooling)");
                try (var c = db.ownerConnection(); var st = c.createStatement();
                     var rs = st.executeQuery("SELECT count(*) FROM public.vms")) {
                    rs.next();
                    assertThat(rs.getInt(1)).as("no pass wrote through the pooler").isZero();
                }
            }
        }
    }
}
