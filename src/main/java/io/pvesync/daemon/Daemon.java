package io.pvesync.daemon;

import com.zaxxer.hikari.HikariDataSource;
import io.pvesync.config.ClusterConfig;
import io.pvesync.config.ConfigSummary;
import io.pvesync.config.PvesyncConfig;
import io.pvesync.details.GuestDetails;
import io.pvesync.proxmox.ProxmoxClient;
import io.pvesync.schedule.PassGate;
import io.pvesync.schedule.PassListener;
import io.pvesync.schedule.ReportingListener;
import io.pvesync.schedule.SyncScheduler;
import io.pvesync.status.Metrics;
import io.pvesync.status.ResyncTrigger;
import io.pvesync.status.StatusServer;
import io.pvesync.status.SyncHealth;
import io.pvesync.store.ClusterStates;
import io.pvesync.store.Database;
import io.pvesync.store.HistoryPruner;
import io.pvesync.store.Migrations;
import io.pvesync.store.PassLock;
import io.pvesync.store.SessionPinning;
import io.pvesync.store.VmStore;
import io.pvesync.sync.ClusterSync;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole daemon: the pools (passes, pass locks, Quartz's job store when clustered), one client
 * and one pass per cluster, the scheduler and the status endpoint. Stops in the order an operator can trust: health reports down, the scheduler takes no
 * more work, the pass in flight finishes or rolls back, the endpoint and the pool close.
 */
public final class Daemon implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Daemon.class);
    /** The longest a failing cluster rests between scheduled attempts. */
    static final Duration MAX_BACKOFF = Duration.ofMinutes(5);
    /** How long stopping waits for a pass in flight: systemd's stop timeout must be longer. */
    static final Duration STOP_LIMIT = Duration.ofSeconds(8);
    /** How long an operator's resync waits for a pass another instance is running. */
    static final Duration MANUAL_WAIT = Duration.ofMinutes(2);

    private final List<HikariDataSource> pools;
    private final List<ProxmoxClient> clients;
    private final List<ClusterSync> syncs;
    private final SyncHealth health;
    private final SyncScheduler scheduler;
    private final StatusServer status;
    private final SharedStateRefresher sharing;
    private final HistoryPruning pruning;
    private final List<String> clusters;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private boolean closed;

    private Daemon(List<String> clusters, List<HikariDataSource> pools, List<ProxmoxClient> clients,
                   List<ClusterSync> syncs, SyncHealth health, SyncScheduler scheduler, StatusServer status,
                   SharedStateRefresher sharing, HistoryPruning pruning) {
        this.sharing = sharing;
        this.pruning = pruning;
        this.clusters = List.copyOf(clusters);
        this.pools = List.copyOf(pools);
        this.clients = clients;
        this.syncs = syncs;
        this.health = health;
        this.scheduler = scheduler;
        this.status = status;
    }

    /**
     * Starts everything and returns once the status endpoint listens and the first passes are
     * scheduled (they fire at once).
     *
     * @throws StartupException when the daemon cannot run: the schema needs migrating, a transaction
     *         pooler stands between it and PostgreSQL, the status
     *         port is taken, a cluster's TLS settings cannot be used; nothing is left running
     */
    public static Daemon start(PvesyncConfig config, Clock clock) throws StartupException {
        return start(config, clock, InstanceName.local());
    }

    /**
     * @param instance this instance's name in the shared sync state (several instances on one
     *                 database each say which passes they ran)
     */
    public static Daemon start(PvesyncConfig config, Clock clock, String instance) throws StartupException {
        log.info("Starting pvesync (instance {})...", instance);
        ConfigSummary.lines(config).forEach(log::info);
        List<String> names = config.clusters().stream().map(ClusterConfig::name).toList();
        List<ProxmoxClient> clients = new ArrayList<>();
        List<ClusterSync> syncs = new ArrayList<>();
        HikariDataSource pool = null;
        HikariDataSource lockPool = null;
        HikariDataSource jobStorePool = null;
        HikariDataSource historyPool = null;
        StatusServer status = null;
        SyncScheduler scheduler = null;
        SharedStateRefresher sharing = null;
        HistoryPruning pruning = null;
        try {
            pool = Database.openLazily(config.database(), "pvesync");
            SessionGuard sessions = SessionGuard.uncheckedAtStart(config);
            if (checkSchema(pool) && checkSessions(config)) {
                sessions = SessionGuard.checkedAtStart(config);
            }
            Metrics metrics = new Metrics(names);
            SyncHealth health = new SyncHealth(config.missingPolicies(), config.status().staleAfter(), clock, instance,
                    new ClusterStates(pool));
            VmStore store = new VmStore(pool, config.database().statementTimeout());
            for (ClusterConfig cluster : config.clusters()) {
                ProxmoxClient client = new ProxmoxClient(cluster, metrics.apiListener(cluster.name()));
                clients.add(client);
                GuestDetails details = new GuestDetails(client, cluster.addressConcurrency(), cluster.addressRefresh(),
                        cluster.addressBudget(), clock);
                syncs.add(new ClusterSync(cluster, client, details, store, config.clustersBut(cluster.name()), clock));
            }
            // each pass holds its lock on a connection of its own for the whole pass
            lockPool = Database.openLazily(config.database(), "pvesync-passlock", names.size() + 1,
                    MANUAL_WAIT);
            PassLock lock = new PassLock(lockPool);
            PassGate gate = gate(lock, sessions);
            if (config.schedule().clustered()) {
                jobStorePool = Database.openLazily(config.database(), "pvesync-quartz", names.size() + 3);
            }
            PassListener listener = new ReportingListener(health, metrics);
            if (config.history().pruneAfter().isPresent()) {
                // a connection of its own (opened at the first prune): a batch never takes one a poll waits for
                historyPool = Database.openLazily(config.database(), "pvesync-history", 1);
                pruning = HistoryPruning.of(config.history(),
                        new HistoryPruner(historyPool, config.database().statementTimeout())).orElseThrow();
                listener = pruning.after(listener);
            }
            scheduler = new SyncScheduler(config.schedule(), syncs, listener, MAX_BACKOFF, clock, gate, jobStorePool);
            status = new StatusServer(config.status().listen(), config.status().resyncToken(), health, metrics, scheduler);
            status.start();
            sharing = SharedStateRefresher.start(health, metrics);
            scheduler.start();
            Daemon daemon = new Daemon(names, pools(pool, lockPool, jobStorePool, historyPool), clients, syncs, health, scheduler,
                    status, sharing, pruning);
            log.info("Started: {} cluster(s); status on http://{}:{}/status", names.size(),
                    status.address().getHostString(), status.address().getPort());
            return daemon;
        } catch (StartupException e) {
            closeQuietly(sharing, pruning);
            cleanUp(scheduler, status, syncs, clients, pools(pool, lockPool, jobStorePool, historyPool));
            throw e;
        } catch (Exception e) {
            closeQuietly(sharing, pruning);
            cleanUp(scheduler, status, syncs, clients, pools(pool, lockPool, jobStorePool, historyPool));
            throw new StartupException("cannot start: " + e.getMessage(), e);
        }
    }

    /**
     * Refuses to run against an outdated schema. A database that cannot be reached is not fatal:
     * the daemon starts, reports it, and every pass retries.
     *
     * @return whether the database answered
     */
    private static boolean checkSchema(HikariDataSource pool) throws StartupException {
        List<String> pending;
        try {
            pending = Migrations.pending(pool);
        } catch (RuntimeException e) {
            log.warn("database - cannot check the schema at start ({}); passes will fail and retry until the"
                    + " database answers", e.getMessage());
            return false;
        }
        if (!pending.isEmpty()) {
            throw new StartupException("database: the schema is not current (pending migrations: "
                    + String.join(", ", pending) + "); run: pvesync migrate --config FILE");
        }
        return true;
    }

    /**
     * Refuses to run behind a transaction (or statement) pooler, which hands each transaction any
     * server connection: two instances would both get a cluster's pass lock, and an unlock running
     * on another backend would leave the lock held until that server connection closes, stopping
     * the cluster's passes everywhere (DESIGN 3.8). A probe that gets no answer is not fatal, as
     * for the schema.
     */
    private static boolean checkSessions(PvesyncConfig config) throws StartupException {
        SessionPinning.Finding finding;
        try {
            finding = SessionPinning.probe(config.database());
        } catch (RuntimeException e) {
            log.warn("database - cannot tell at start whether each connection keeps its own session ({}); checked"
                    + " again before the first pass", e.getMessage());
            return false;
        }
        if (!finding.pinned()) {
            throw new StartupException("database: " + poolingRefusal(config, finding));
        }
        log.debug("database - {}", finding.evidence());
        return true;
    }

    /** What a daemon behind a transaction pooler says: the evidence, why it matters, what to change. */
    static String poolingRefusal(PvesyncConfig config, SessionPinning.Finding finding) {
        return finding.evidence() + "; pvesync's pass lock and session settings need one PostgreSQL"
                + " session per connection: " + SessionPinning.REMEDY
                + (config.source() == null ? "" : " (database.url is in " + config.source() + ")");
    }

    /** The pass lock as the scheduler's gate: an operator's pass waits for it, a scheduled one skips. */
    private static PassGate gate(PassLock lock, SessionGuard sessions) {
        return new PassGate() {
            @Override
            public Optional<Ticket> enter(String cluster, boolean wait) {
                sessions.requirePinned(); // a pooler makes the lock below a lie
                return (wait ? lock.acquire(cluster, MANUAL_WAIT) : lock.tryAcquire(cluster)).map(held -> held::close);
            }

            @Override
            public Optional<String> holder(String cluster) {
                return lock.holder(cluster);
            }
        };
    }

    /** Where the status endpoint listens (its real port when configured as 0). */
    public InetSocketAddress statusAddress() {
        return status.address();
    }

    /** The door for manual passes (SIGHUP, the endpoint). */
    public ResyncTrigger resync() {
        return scheduler;
    }

    /** Makes SIGHUP ({@code systemctl reload pvesync}) request a resync of every cluster. */
    public void resyncOnHangup() {
        HangupSignal.onHangup(() -> scheduler.request(clusters));
    }

    /** Blocks until {@link #close()} has finished. */
    public void awaitStop() throws InterruptedException {
        stopped.await();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        log.info("Stopping...");
        health.stopping();
        scheduler.stop(STOP_LIMIT);
        closeQuietly(sharing, pruning); // before the pools: a prune batch in flight ends first
        cleanUp(null, status, syncs, clients, pools);
        log.info("Stopped.");
        stopped.countDown();
    }


    /** Stops what runs beside the scheduler (either may not have started). */
    private static void closeQuietly(SharedStateRefresher sharing, HistoryPruning pruning) {
        if (sharing != null) {
            sharing.close();
        }
        if (pruning != null) {
            pruning.close();
        }
    }

    private static List<HikariDataSource> pools(HikariDataSource... pools) {
        List<HikariDataSource> out = new ArrayList<>();
        for (HikariDataSource p : pools) {
            if (p != null) {
                out.add(p);
            }
        }
        return out;
    }

    private static void cleanUp(SyncScheduler scheduler, StatusServer status, List<ClusterSync> syncs,
                                List<ProxmoxClient> clients, List<HikariDataSource> pools) {
        if (scheduler != null) {
            scheduler.stop(STOP_LIMIT);
        }
        if (status != null) {
            status.close();
        }
        syncs.forEach(ClusterSync::close);
        clients.forEach(ProxmoxClient::close);
        // the scheduler (and with it Quartz's job store) stopped first: now the pools can go
        pools.forEach(HikariDataSource::close);
    }

}
