package io.pvesync.faults;

import io.pvesync.testing.MutableClock;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.pvesync.sim.ProxmoxSimulator;
import io.pvesync.sim.SimVm;
import io.pvesync.sim.SimulatorBuilder;
import io.pvesync.store.Migrations;
import io.pvesync.sync.SyncOutcome;
import io.pvesync.testing.TestDatabase;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults the whole daemon must live through: its scheduler, backoff, status endpoint and pool,
 * started from a config file against the simulator (HTTPS, two endpoints, 12 VMs on 3 nodes) and
 * a fresh database. Time that the rules depend on (backoff, staleness) is a {@link MutableClock} the
 * test moves; every wait is for a state, with a generous limit.
 */
class DaemonFaultsTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    private static PgProxy proxy;

    @TempDir
    Path dir;

    private final VmsTable table = new VmsTable(db);
    private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T10:00:00Z"));
    private ProxmoxSimulator sim;

    @BeforeAll
    static void migrate() throws Exception {
        Migrations.migrate(db.ownerPool());
        db.grantDaemon();
        proxy = PgProxy.to(db.url());
    }

    @AfterAll
    static void closeProxy() {
        proxy.close();
    }

    @BeforeEach
    void start() throws Exception {
        table.truncate();
        proxy.restore();
        sim = ProxmoxSimulator.builder().nodes(3).vms(12).containers(0).templates(1).endpoints(2).tls(true)
                .seed(5).authFailureDelay(Duration.ofMillis(10)).start();
    }

    @AfterEach
    void stop() {
        sim.close();
    }

    @Test
    void withEveryEndpointDownPassesFailRowsStayAttemptsThinOutHealthTurnsOnceStaleAndItRecovers() throws Exception {
        try (DaemonRun daemon = DaemonRun.start(dir, sim, db, db.url(), SimulatorBuilder.DEFAULT_TOKEN_SECRET, clock)) {
            awaitInSync(daemon);
            Map<Integer, Map<String, Object>> before = table.snapshot();

            sim.endpointDown(0, true);
            sim.endpointDown(1, true);

            daemon.assertAttemptsThinOut(() -> failures(daemon), 3);
            JsonNode status = daemon.status();
            assertThat(status.path("state").asText()).isEqualTo("failed");
            assertThat(status.path("lastError").asText()).matches(Pattern.quote("Proxmox API: cluster lab: all 2"
                    + " endpoints failed for GET /cluster/resources: " + sim.endpoints().get(0) + " (Connection refused), "
                    + sim.endpoints().get(1) + " (Connection refused); rows left as they were"));
            // failing, but the table is younger than stale-after: not yet a reason to page
            assertThat(daemon.get("/health").statusCode()).isEqualTo(200);
            assertThat(table.snapshot()).isEqualTo(before);

            clock.advance(DaemonRun.STALE_AFTER);
            HttpResponse<String> stale = daemon.get("/health");
            assertThat(stale.statusCode()).isEqualTo(503);
            assertThat(stale.body()).matches("cluster lab has not synced for 5m \\d+s; last error: "
                    + Pattern.quote(status.path("lastError").asText()) + "\n");

            sim.endpointDown(0, false);
            sim.endpointDown(1, false);
            // the cluster rests at most five minutes between attempts; then the next poll gets through
            clock.advance(Duration.ofMinutes(5));
            Await.until(() -> daemon.get("/health").statusCode() == 200, "health 200 once the API answers again");
            assertThat(daemon.status().path("state").asText()).isEqualTo("ok");
            assertThat(daemon.consecutiveFailures()).isZero();
            // nothing changed in the cluster meanwhile, so not a row was written
            assertThat(table.snapshot()).isEqualTo(before);
        }
    }

    @Test
    void aRejectedTokenFailsWithTheTokenIdNeverTheSecretAndIsNotRetriedInALoop() throws Exception {
        // the rows of an earlier, working token
        try (Passes passes = new Passes(sim, dir, db.daemonPool(), Duration.ofSeconds(2), Duration.ofSeconds(30))) {
            assertThat(passes.reconcile().result()).isEqualTo(SyncOutcome.Result.OK);
        }
        Map<Integer, Map<String, Object>> before = table.snapshot();
        int earlier = sim.requests("/cluster/resources");
        String wrong = "WRONG-SECRET-0b5e3c7a";

        try (Logs logs = new Logs(org.slf4j.Logger.ROOT_LOGGER_NAME);
             DaemonRun daemon = DaemonRun.start(dir, sim, db, db.url(), wrong, clock)) {
            Await.until(() -> daemon.consecutiveFailures() == 1, "the first pass failed");
            // one request per attempt: a 401 is final, the other endpoint is not asked
            assertThat(sim.requests("/cluster/resources") - earlier).isEqualTo(1);

            daemon.assertAttemptsThinOut(() -> sim.requests("/cluster/resources") - earlier, 3);

            String error = daemon.status().path("lastError").asText();
            assertThat(error).startsWith("Proxmox API: cluster lab: " + sim.endpoints().get(0)
                    + " rejected token pvesync@pve!inventory for GET /cluster/resources (HTTP 401: ");
            clock.advance(DaemonRun.STALE_AFTER);
            HttpResponse<String> health = daemon.get("/health");
            assertThat(health.statusCode()).isEqualTo(503);
            assertThat(health.body()).contains("rejected token pvesync@pve!inventory");
            for (String seen : new String[] {error, health.body(), daemon.get("/status").body(),
                    daemon.get("/metrics").body(), String.join("\n", logs.all())}) {
                assertThat(seen).doesNotContain(wrong).doesNotContain(SimulatorBuilder.DEFAULT_TOKEN_SECRET);
            }
            assertThat(table.snapshot()).isEqualTo(before);
        }
    }

    @Test
    void aDatabaseUnreachableAtStartIsReportedRetriedAndSyncedOnceItAnswers() throws Exception {
        proxy.cut();

        try (DaemonRun daemon = DaemonRun.start(dir, sim, db, proxy.url(db.url()), SimulatorBuilder.DEFAULT_TOKEN_SECRET,
                clock)) {
            // it started: the endpoint answers and tells why nothing syncs
            Await.until(() -> daemon.consecutiveFailures() == 1, "the first pass failed");
            JsonNode status = daemon.status();
            assertThat(status.path("state").asText()).isEqualTo("failed");
            // the first thing a pass needs from the database is its cluster's pass lock
            assertThat(status.path("lastError").asText()).startsWith("database: cluster lab: cannot take the pass"
                    + " lock: pvesync-passlock - Connection is not available, request timed out after ")
                    .contains("Connection to 127.0.0.1:" + proxyPort() + " refused")
                    .endsWith("; rows left as they were");
            // nothing synced: 503 at once (the failed pass ended, so no longer "starting"), naming the error
            HttpResponse<String> early = daemon.get("/health");
            assertThat(early.statusCode()).isEqualTo(503);
            assertThat(early.body()).startsWith("cluster lab has not synced yet (started ")
                    .endsWith("; last error: " + status.path("lastError").asText() + "\n");
            clock.advance(DaemonRun.STALE_AFTER);
            HttpResponse<String> health = daemon.get("/health");
            assertThat(health.statusCode()).isEqualTo(503);
            assertThat(health.body()).isEqualTo("cluster lab has not synced yet (started 5m ago); last error: "
                    + status.path("lastError").asText() + "\n");
            assertThat(table.snapshot()).isEmpty();

            proxy.restore();
            clock.advance(Duration.ofMinutes(5)); // past any backoff
            Await.until(() -> daemon.get("/health").statusCode() == 200, "health 200 once the database answers");
            assertThat(table.synced()).isEqualTo(VmsTable.truth(sim));
            assertThat(daemon.consecutiveFailures()).isZero();
        }
    }

    @Test
    void vmsVanishingBecauseTheTokenLostAuditTripTheGuardAndNothingIsLost() throws Exception {
        try (DaemonRun daemon = DaemonRun.start(dir, sim, db, db.url(), SimulatorBuilder.DEFAULT_TOKEN_SECRET, clock)) {
            awaitInSync(daemon);
            Map<Integer, Map<String, Object>> before = table.snapshot();
            // more than 10% of 12 and more than 5: the token's ACL lost six of them
            Set<Integer> revoked = sim.vms().stream().filter(v -> !v.template()).limit(6).map(SimVm::vmid)
                    .collect(Collectors.toSet());
            sim.revokeAudit(v -> revoked.contains(v.vmid()));

            Await.until(() -> daemon.get("/health").statusCode() == 503, "health 503 while degraded");

            String reason = "6 of 12 known VMs absent from the listing (limit 5): the API token may have lost"
                    + " VM.Audit on some VMs (check the token's ACL: pveum acl list); nothing was marked missing (if they"
                    + " were really deleted: pvesync sync --config FILE --cluster lab --accept-missing, after a look with --dry-run)";
            assertThat(daemon.get("/health").body()).isEqualTo("cluster lab is degraded: " + reason + "\n");
            JsonNode status = daemon.status();
            assertThat(status.path("state").asText()).isEqualTo("degraded");
            assertThat(status.path("lastError").asText()).isEqualTo(reason);
            assertThat(status.path("counts").path("missing").asInt()).isZero();
            // degraded passes do not back off: they keep coming, and keep marking nothing
            daemon.awaitScheduledFires(2);
            assertThat(daemon.status().path("state").asText()).isEqualTo("degraded");
            assertThat(table.snapshot()).isEqualTo(before);

            sim.restoreAudit();

            Await.until(() -> daemon.get("/health").statusCode() == 200, "health 200 once the ACL is back");
            assertThat(daemon.status().path("state").asText()).isEqualTo("ok");
            assertThat(table.snapshot()).isEqualTo(before);
        }
    }

    // ---- helpers ----

    private void awaitInSync(DaemonRun daemon) throws Exception {
        Await.until(() -> daemon.status().path("state").asText().equals("ok")
                && table.synced().equals(VmsTable.truth(sim)), "the table equals the simulated truth");
    }

    private static int failures(DaemonRun daemon) {
        try {
            return daemon.consecutiveFailures();
        } catch (Exception e) {
            throw new IllegalStateException("/status did not answer", e);
        }
    }

    private static int proxyPort() {
        return Integer.parseInt(proxy.url(db.url()).replaceAll("^jdbc:postgresql://127\\.0\\.0\\.1:(\\d+)/.*$", "$1"));
    }
}
