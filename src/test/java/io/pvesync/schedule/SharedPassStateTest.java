package io.pvesync.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.pvesync.config.MissingPolicy;
import io.pvesync.inventory.AddressLookups;
import io.pvesync.status.ClusterState;
import io.pvesync.status.Metrics;
import io.pvesync.status.SyncHealth;
import io.pvesync.store.ApplyResult;
import io.pvesync.store.ClusterStates;
import io.pvesync.store.Migrations;
import io.pvesync.sync.ClusterPass;
import io.pvesync.sync.SyncMode;
import io.pvesync.sync.SyncOutcome;
import io.pvesync.testing.MutableClock;
import io.pvesync.testing.TestDatabase;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two instances on one database (DESIGN.md 3.11): each one's health, status and backoff read the
 * passes the other ran, from {@code pvesync.cluster_state}, as the daemon's role reads it.
 */
class SharedPassStateTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    private static final Instant START = Instant.parse("2026-12-03T10:00:00Z");
    private static final Duration POLL = Duration.ofSeconds(30);

    private final MutableClock clock = new MutableClock(START);
    private HikariDataSource pool;
    private SyncHealth alpha;
    private SyncHealth beta;

    @BeforeEach
    void setUp() throws Exception {
        try (HikariDataSource owner = db.ownerPool()) {
            Migrations.migrate(owner);
        }
        db.grantDaemon();
        try (Connection c = db.ownerConnection(); Statement st = c.createStatement()) {
            st.execute("TRUNCATE pvesync.cluster_state");
        }
        pool = db.daemonPool();
        alpha = health("alpha");
        beta = health("beta");
    }

    @AfterEach
    void tearDown() {
        pool.close();
    }

    private SyncHealth health(String instance) {
        return new SyncHealth(Map.of("lab", MissingPolicy.DEFAULT), Duration.ofMinutes(5), clock, instance,
                new ClusterStates(pool));
    }

    @Test
    void anInstanceThatRanNoPassTellsWhatTheOtherRan() {
        assertThat(beta.health().starting()).isTrue();

        clock.advance(Duration.ofSeconds(2));
        alpha.started("lab", SyncMode.RECONCILE);
        beta.refresh();
        assertThat(beta.clusters().get(0).phase()).isEqualTo(ClusterState.Phase.RUNNING);
        assertThat(beta.clusters().get(0).runningOn()).contains("alpha");

        alpha.finished(okWithANodeLeftAlone(clock.instant()));
        beta.refresh();

        assertThat(beta.health().healthy()).isTrue();
        assertThat(beta.health()).isEqualTo(alpha.health());
        ClusterState seen = beta.clusters().get(0);
        assertThat(seen).isEqualTo(alpha.clusters().get(0));
        assertThat(seen.phase()).isEqualTo(ClusterState.Phase.OK);
        assertThat(seen.lastPassBy()).contains("alpha");
        assertThat(seen.lastSuccess()).contains(clock.instant().plusMillis(300));
        assertThat(seen.lastApplied().orElseThrow().counts().unchanged()).isEqualTo(40);
        assertThat(seen.lastApplied().orElseThrow().lookups().nodesLeftAlone()).containsOnlyKeys("pve2");
        assertThat(seen.lastApplied().orElseThrow().lookups().skipped().node()).isEqualTo(7);

        // the gauges an alert reads come from the same record on the instance that ran nothing
        Metrics metrics = new Metrics(List.of("lab"));
        metrics.show(beta.clusters());
        assertThat(Double.parseDouble(scrape(metrics, "pvesync_nodes_left_alone{").split(" ")[1])).isEqualTo(1);
        assertThat(Double.parseDouble(scrape(metrics, "pvesync_last_success_timestamp_seconds{").split(" ")[1]))
                .isEqualTo(clock.instant().plusMillis(300).toEpochMilli() / 1000.0);
    }

    @Test
    void aFailingClusterRestsOnEveryInstanceNotOncePerInstance() {
        FailingPass passAtAlpha = new FailingPass();
        FailingPass passAtBeta = new FailingPass();
        Backoff backoff = new Backoff(POLL, Duration.ofMinutes(5));
        ClusterRunner atAlpha = new ClusterRunner(passAtAlpha, backoff, new ReportingListener(alpha,
                new Metrics(List.of("lab"))), PassGate.OPEN, clock);
        ClusterRunner atBeta = new ClusterRunner(passAtBeta, backoff, new ReportingListener(beta,
                new Metrics(List.of("lab"))), PassGate.OPEN, clock);

        // both instances have run the cluster before (an instance's first pass always tries)
        passAtAlpha.failing = false;
        passAtBeta.failing = false;
        atAlpha.run(SyncMode.RECONCILE, false);
        atBeta.run(SyncMode.POLL, false);
        passAtAlpha.failing = true;
        passAtBeta.failing = true;
        passAtAlpha.runs.set(0);
        passAtBeta.runs.set(0);

        atAlpha.run(SyncMode.POLL, false); // fails: both rest 30 s
        clock.advance(Duration.ofSeconds(10));
        assertThat(atBeta.run(SyncMode.POLL, false)).as("beta's poll within alpha's backoff").isNull();
        clock.advance(Duration.ofSeconds(25));
        atBeta.run(SyncMode.POLL, false); // the second failure in a row, counted across both: rest 60 s
        clock.advance(Duration.ofSeconds(40));
        assertThat(atAlpha.run(SyncMode.POLL, false)).as("alpha's poll within beta's backoff").isNull();

        assertThat(passAtAlpha.runs.get() + passAtBeta.runs.get()).isEqualTo(2);
        alpha.refresh();
        assertThat(alpha.clusters().get(0).consecutiveFailures()).isEqualTo(2);
        assertThat(alpha.clusters().get(0).lastPassBy()).contains("beta");
        assertThat(alpha.clusters().get(0).backoffUntil()).contains(START.plusSeconds(35 + 60));

        // an operator's request is never held back, and a success clears the rest everywhere
        passAtAlpha.failing = false;
        assertThat(atAlpha.run(SyncMode.RECONCILE, true).result()).isEqualTo(SyncOutcome.Result.OK);
        beta.refresh();
        assertThat(beta.clusters().get(0).backoffUntil()).isEmpty();
        assertThat(beta.clusters().get(0).consecutiveFailures()).isZero();
    }

    @Test
    void aPassWaitingAtTheGateFindsTheOutcomeOfThePassBeforeIt() throws Exception {
        Semaphore lock = new Semaphore(1);
        CountDownLatch alphaInside = new CountDownLatch(1);
        CountDownLatch betaPassRuns = new CountDownLatch(1);
        CountDownLatch betaMayEnd = new CountDownLatch(1);
        // alpha's leaving the gate lets beta in and waits until beta's pass runs: whatever alpha
        // recorded only after leaving would land on top of beta's start
        PassGate gate = (cluster, wait) -> {
            lock.acquireUninterruptibly();
            boolean alphaLeaving = Thread.currentThread().getName().equals("alpha");
            return Optional.of(() -> {
                lock.release();
                if (alphaLeaving) {
                    awaitQuietly(betaPassRuns);
                }
            });
        };
        Thread[] betaThread = new Thread[1];
        Backoff backoff = new Backoff(POLL, Duration.ofMinutes(5));
        ClusterRunner atAlpha = new ClusterRunner(new FixedPass(() -> {
            alphaInside.countDown();
            while (betaThread[0] == null || betaThread[0].getState() != Thread.State.WAITING) {
                Thread.onSpinWait(); // beta queues at the gate behind this pass
            }
            return ok(clock.instant());
        }), backoff, new ReportingListener(alpha, new Metrics(List.of("lab"))), gate, clock);
        ClusterRunner atBeta = new ClusterRunner(new FixedPass(() -> {
            betaPassRuns.countDown();
            awaitQuietly(betaMayEnd);
            return ok(clock.instant());
        }), backoff, new ReportingListener(beta, new Metrics(List.of("lab"))), gate, clock);

        Thread a = new Thread(() -> atAlpha.run(SyncMode.POLL, false), "alpha");
        a.start();
        alphaInside.await();
        Thread b = new Thread(() -> atBeta.run(SyncMode.RECONCILE, true), "beta");
        b.start();
        betaThread[0] = b;
        a.join();

        alpha.refresh();
        ClusterState seen = alpha.clusters().get(0);
        assertThat(seen.lastPassBy()).as("alpha's finished pass").contains("alpha");
        assertThat(seen.runningOn()).as("beta's running pass").contains("beta");
        betaMayEnd.countDown();
        b.join();
        alpha.refresh();
        assertThat(alpha.clusters().get(0).lastPassBy()).contains("beta");
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A pass whose outcome the test makes. */
    private record FixedPass(Supplier<SyncOutcome> outcome) implements ClusterPass {
        @Override
        public String cluster() {
            return "lab";
        }

        @Override
        public SyncOutcome run(SyncMode mode) {
            return outcome.get();
        }
    }

    @Test
    void aRecordNoInstanceCanReadIsReplacedByTheNextPass() throws Exception {
        try (Connection c = db.ownerConnection(); Statement st = c.createStatement()) {
            st.execute("INSERT INTO pvesync.cluster_state (cluster, state) VALUES ('lab', '{\"lastPass\": 7}')");
        }
        beta.refresh(); // logged, ignored
        assertThat(beta.clusters().get(0).phase()).isEqualTo(ClusterState.Phase.STARTING);

        alpha.finished(ok(clock.instant()));
        beta.refresh();
        assertThat(beta.clusters().get(0).lastPassBy()).contains("alpha");
    }

    private static String scrape(Metrics metrics, String series) {
        var out = new java.io.ByteArrayOutputStream();
        try {
            io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter.create().write(out,
                    metrics.registry().scrape());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out.toString().lines().filter(l -> l.startsWith(series))
                .findFirst().orElse("");
    }

    private static SyncOutcome ok(Instant at) {
        return new SyncOutcome("lab", SyncMode.RECONCILE, SyncOutcome.Result.OK, at, Duration.ofMillis(300),
                Optional.of(new ApplyResult(0, 0, 40, 0, 0, Optional.empty(), List.of())), 0, Optional.empty(),
                Map.of(), AddressLookups.NONE, 2);
    }

    private static SyncOutcome okWithANodeLeftAlone(Instant at) {
        return new SyncOutcome("lab", SyncMode.RECONCILE, SyncOutcome.Result.OK, at, Duration.ofMillis(300),
                Optional.of(new ApplyResult(0, 0, 40, 0, 0, Optional.empty(), List.of())), 0, Optional.empty(),
                Map.of(), new AddressLookups(3, 0, 0, new AddressLookups.Skipped(7, 0, 0),
                        Map.of("pve2", "not answering in time: read timed out after 10s; 7 lookups skipped")), 2);
    }

    /** A pass that fails (the API is down) at the test's clock, counting its runs. */
    private final class FailingPass implements ClusterPass {
        final AtomicInteger runs = new AtomicInteger();
        volatile boolean failing = true;

        @Override
        public String cluster() {
            return "lab";
        }

        @Override
        public SyncOutcome run(SyncMode mode) {
            runs.incrementAndGet();
            return failing ? SyncOutcome.failed("lab", mode, clock.instant(), Duration.ofSeconds(1), "API down")
                    : ok(clock.instant());
        }
    }
}
