package io.pvesync.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.pvesync.config.ScheduleConfig;
import io.pvesync.store.Migrations;
import io.pvesync.store.PassLock;
import io.pvesync.sync.SyncMode;
import io.pvesync.sync.SyncOutcome;
import io.pvesync.testing.LogCapture;
import io.pvesync.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two scheduler instances sharing Quartz's JDBC job store and the pass lock in one real database,
 * as two pvesync daemons would, each running as the daemon role with the README's grants.
 */
class ClusteredSchedulerTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    private final List<SyncScheduler> schedulers = new ArrayList<>();
    private final List<HikariDataSource> pools = new ArrayList<>();
    // passes of cluster "lab" running right now, on any instance
    private final AtomicInteger runningAnywhere = new AtomicInteger();
    private final AtomicInteger maxRunningAnywhere = new AtomicInteger();

    @BeforeAll
    static void migrate() throws Exception {
        try (HikariDataSource owner = db.ownerPool()) {
            Migrations.migrate(owner);
        }
        db.grantDaemon();
    }

    @AfterEach
    void stop() throws Exception {
        schedulers.forEach(s -> s.stop(Duration.ofSeconds(5)));
        pools.forEach(HikariDataSource::close);
        // each test starts with an empty job store, as a fresh deployment would
        try (Connection c = db.ownerConnection(); Statement st = c.createStatement()) {
            st.execute("TRUNCATE pvesync.qrtz_fired_triggers, pvesync.qrtz_simple_triggers, pvesync.qrtz_cron_triggers,"
                    + " pvesync.qrtz_triggers, pvesync.qrtz_job_details, pvesync.qrtz_scheduler_state, pvesync.qrtz_locks CASCADE");
        }
    }

    /** A pass that counts overlap across both instances and takes a moment, like a real one. */
    private final class SharedPass extends RecordingPass {
        SharedPass() {
            super("lab");
        }

        @Override
        public SyncOutcome run(SyncMode mode) {
            int now = runningAnywhere.incrementAndGet();
            maxRunningAnywhere.accumulateAndGet(now, Math::max);
            try {
                Thread.sleep(30);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                runningAnywhere.decrementAndGet();
            }
            return super.run(mode);
        }
    }

    private SyncScheduler instance(SharedPass pass) throws Exception {
        HikariDataSource jobStore = db.daemonPool();
        HikariDataSource locks = db.daemonPool();
        pools.add(jobStore);
        pools.add(locks);
        PassLock lock = new PassLock(locks);
        PassGate gate = (cluster, wait) -> (wait ? lock.acquire(cluster, Duration.ofSeconds(10)) : lock.tryAcquire(cluster))
                .map(held -> (PassGate.Ticket) held::close);
        SyncScheduler scheduler = new SyncScheduler(new ScheduleConfig(Duration.ofMillis(200), "0 0 * * * ?", true),
                List.of(pass), PassListener.NONE, Duration.ofSeconds(1), Clock.systemUTC(), gate, jobStore);
        schedulers.add(scheduler);
        scheduler.start();
        return scheduler;
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 30 s: " + what);
            }
            Thread.sleep(20);
        }
    }

    @Test
    void twoInstancesShareTheJobsAndNeverRunOneClusterTwiceAtOnce() throws Exception {
        SharedPass a = new SharedPass();
        SharedPass b = new SharedPass();
        SyncScheduler first = instance(a);
        SyncScheduler second = instance(b);

        // operators ask both instances at once, while the polls keep firing
        List<CompletableFuture<SyncOutcome>> manual = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            manual.add(first.request(List.of("lab")).get("lab"));
            manual.add(second.request(List.of("lab")).get("lab"));
        }
        for (CompletableFuture<SyncOutcome> f : manual) {
            assertThat(f.get(30, TimeUnit.SECONDS).result()).isEqualTo(SyncOutcome.Result.OK);
        }
        await(() -> a.count() + b.count() >= 15, "fifteen passes between the two instances");

        assertThat(maxRunningAnywhere.get()).isEqualTo(1);
        try (Connection c = db.ownerConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM pvesync.qrtz_scheduler_state")) {
            rs.next();
            assertThat(rs.getInt(1)).as("both instances checked in").isEqualTo(2);
        }
    }

    @Test
    void theSurvivorTakesOverTheJobsOfAStoppedInstance() throws Exception {
        SharedPass a = new SharedPass();
        SharedPass b = new SharedPass();
        SyncScheduler first = instance(a);
        instance(b);
        await(() -> a.count() + b.count() >= 4, "passes on the pair");

        first.stop(Duration.ofSeconds(5));
        int before = b.count();

        long stoppedAt = System.nanoTime();
        await(() -> b.count() >= before + 5, "five more passes on the survivor alone");
        System.out.printf("takeover: 5 passes on the survivor %d ms after the other instance stopped%n",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stoppedAt));
        assertThat(maxRunningAnywhere.get()).isEqualTo(1);
    }

    @Test
    void thePassLockAdmitsOneSessionAtATime() {
        HikariDataSource pool = db.daemonPool();
        pools.add(pool);
        PassLock lock = new PassLock(pool);

        Optional<PassLock.Held> held = lock.tryAcquire("lab");
        assertThat(held).isPresent();
        assertThat(lock.tryAcquire("lab")).as("a second session").isEmpty();
        assertThat(lock.acquire("lab", Duration.ofMillis(200))).as("waiting runs out").isEmpty();
        Optional<PassLock.Held> other = lock.tryAcquire("other-cluster");
        assertThat(other).as("another cluster is independent").isPresent();

        held.get().close();
        other.get().close();
        Optional<PassLock.Held> again = lock.tryAcquire("lab");
        assertThat(again).isPresent();
        again.get().close();
    }

    @Test
    void aSkippedPassSaysAtInfoWhoHoldsThePassLock() throws Exception {
        // the other instance: one connection, named as a daemon's lock connections are
        HikariConfig other = new HikariConfig();
        other.setJdbcUrl(db.url());
        other.setUsername(db.daemonUser());
        other.setPassword(db.daemonPassword());
        other.setMaximumPoolSize(1);
        other.addDataSourceProperty("ApplicationName", "pvesync-passlock@other-host");
        HikariDataSource otherPool = new HikariDataSource(other);
        pools.add(otherPool);
        Optional<PassLock.Held> held = new PassLock(otherPool).tryAcquire("lab");
        assertThat(held).isPresent();
        long holderPid;
        try (Connection c = db.ownerConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT pid FROM pg_stat_activity WHERE application_name = 'pvesync-passlock@other-host'")) {
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                holderPid = rs.getLong(1);
            }
        }
        HikariDataSource locks = db.daemonPool();
        pools.add(locks);
        PassLock lock = new PassLock(locks);
        PassGate gate = new PassGate() {
            @Override
            public Optional<Ticket> enter(String cluster, boolean wait) {
                return lock.tryAcquire(cluster).map(h -> h::close);
            }

            @Override
            public Optional<String> holder(String cluster) {
                return lock.holder(cluster);
            }
        };
        RecordingPass pass = new RecordingPass("lab");

        try (LogCapture logs = new LogCapture(ClusterRunner.class)) {
            SyncScheduler scheduler = new SyncScheduler(new ScheduleConfig(Duration.ofMillis(200), "0 0 * * * ?", false),
                    List.of(pass), PassListener.NONE, Duration.ofSeconds(1), Clock.systemUTC(), gate, null);
            schedulers.add(scheduler);
            scheduler.start();
            await(() -> !logs.messages(Level.INFO).isEmpty(), "a skipped poll logged at INFO");

            assertThat(logs.messages(Level.INFO).get(0)).matches("cluster=lab - (poll|reconcile) skipped: another pvesync is"
                    + " running a pass of this cluster \\(its pass lock is held by pid " + holderPid
                    + ", application_name pvesync-passlock@other-host, from [0-9a-f.:]+, connected \\S+Z,"
                    + " idle since \\S+Z\\); the next scheduled pass tries again");
        } finally {
            held.get().close();
        }
        assertThat(pass.count()).as("passes run while the other held the lock").isZero();
    }
}
