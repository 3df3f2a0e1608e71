package io.pvesync.cli;

import com.zaxxer.hikari.HikariDataSource;
import io.pvesync.config.ClusterConfig;
import io.pvesync.config.Durations;
import io.pvesync.config.PvesyncConfig;
import io.pvesync.daemon.InstanceName;
import io.pvesync.details.GuestDetails;
import io.pvesync.proxmox.ProxmoxClient;
import io.pvesync.status.SyncHealth;
import io.pvesync.store.ClusterStates;
import io.pvesync.store.Database;
import io.pvesync.store.Migrations;
import io.pvesync.store.PassLock;
import io.pvesync.store.SessionPinning;
import io.pvesync.store.VmChange;
import io.pvesync.store.VmStore;
import io.pvesync.sync.ClusterSync;
import io.pvesync.sync.SyncMode;
import io.pvesync.sync.SyncOutcome;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/** {@code pvesync sync --config FILE [--cluster NAME] [--dry-run]}: one full reconciliation now. */
final class SyncCommand {
    static final Duration PASS_LOCK_WAIT = Duration.ofMinutes(2);
    private final PrintStream out;
    private final PrintStream err;

    SyncCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    int run(List<String> rest) throws UsageException {
        Arguments args = Arguments.parse("sync", rest, Set.of("--config", "--cluster"),
                Set.of("--dry-run", "--accept-missing"));
        Optional<PvesyncConfig> loaded = ConfigFile.load(args, err);
        if (loaded.isEmpty()) {
            return ExitCode.USAGE;
        }
        PvesyncConfig config = loaded.get();
        Path file = config.source();
        List<ClusterConfig> clusters = config.clusters();
        if (args.value("--cluster").isPresent()) {
            String name = args.value("--cluster").get();
            ClusterConfig one = config.cluster(name).orElseThrow(() -> new UsageException("--cluster " + name
                    + ": no such cluster in " + file + " (configured: "
                    + config.clusters().stream().map(ClusterConfig::name).collect(Collectors.joining(", ")) + ")"));
            clusters = List.of(one);
        }
        boolean dryRun = args.flag("--dry-run");
        if (args.flag("--accept-missing")) {
            // the operator confirmed that the VMs the guards spared were really deleted (or reused)
            clusters = clusters.stream().map(c -> c.withMissing(c.missing().accepting())).toList();
            out.println("--accept-missing: every VM absent from the listing " + (dryRun ? "would be" : "is")
                    + " marked missing, and every row whose VMID now names another VM retired, however many");
        }
        List<ProxmoxClient> clients = new ArrayList<>();
        try {
            for (ClusterConfig cluster : clusters) {
                clients.add(new ProxmoxClient(cluster));
            }
        } catch (IllegalArgumentException e) {
            // settings the loader cannot judge alone, such as a CA file that is not a certificate
            err.println(file + ": " + e.getMessage());
            clients.forEach(ProxmoxClient::close);
            return ExitCode.USAGE;
        }
        try (HikariDataSource pool = Database.open(config.database(), "pvesync-sync", PASS_LOCK_WAIT)) {
            List<String> pending = Migrations.pending(pool);
            if (!pending.isEmpty()) {
                err.println("database: the schema is not current (pending migrations: " + String.join(", ", pending)
                        + "); run: pvesync migrate --config " + file);
                return ExitCode.FAILED;
            }
            // the pass lock is a session lock: behind a transaction pooler it would not keep the daemon out
            SessionPinning.Finding sessions = SessionPinning.probe(config.database());
            if (!sessions.pinned()) {
                err.println("database: " + sessions.evidence() + "; the pass lock needs one PostgreSQL session per"
                        + " connection: " + SessionPinning.REMEDY + " (database.url is in " + file + ")");
                return ExitCode.FAILED;
            }
            VmStore store = new VmStore(pool, config.database().statementTimeout());
            PassLock lock = new PassLock(pool);
            // a manual pass is a pass: every daemon's /health, /status and backoff see it (DESIGN 3.11)
            SyncHealth record = new SyncHealth(config.missingPolicies(), config.status().staleAfter(), Clock.systemUTC(),
                    "pvesync sync on " + InstanceName.local(), new ClusterStates(pool));
            int failed = 0;
            for (int i = 0; i < clusters.size(); i++) {
                SyncOutcome outcome = syncOne(clusters.get(i), clients.get(i), store, lock,
                        config.clustersBut(clusters.get(i).name()), dryRun ? null : record);
                print(outcome, dryRun);
                if (outcome.result() != SyncOutcome.Result.OK) {
                    failed++;
                }
            }
            if (clusters.size() > 1) {
                out.printf("%d clusters: %d synced, %d not%n", clusters.size(), clusters.size() - failed, failed);
            }
            return failed == 0 ? ExitCode.OK : ExitCode.FAILED;
        } catch (RuntimeException e) {
            err.println(DatabaseErrors.describe(config.database(), e));
            return ExitCode.FAILED;
        } finally {
            clients.forEach(ProxmoxClient::close);
        }
    }

    /**
     * One cluster's pass, holding the same pass lock as the daemon: a sync run by hand while the
     * daemon polls waits for the daemon's pass instead of running beside it.
     */
    private static SyncOutcome syncOne(ClusterConfig cluster, ProxmoxClient client, VmStore store, PassLock lock,
                                       Set<String> otherClusters, SyncHealth record) {
        boolean dryRun = record == null;
        Instant started = Instant.now();
        Optional<PassLock.Held> held = lock.acquire(cluster.name(), PASS_LOCK_WAIT);
        if (held.isEmpty()) {
            return SyncOutcome.failed(cluster.name(), SyncMode.RECONCILE, started, Duration.between(started,
                    Instant.now()), "a pvesync daemon kept a pass of this cluster running for "
                    + Durations.format(PASS_LOCK_WAIT) + "; try again");
        }
        try (PassLock.Held pass = held.get();
             GuestDetails details = new GuestDetails(client, cluster.addressConcurrency(), cluster.addressRefresh(),
                     Clock.systemUTC());
             ClusterSync sync = new ClusterSync(cluster, client, details, store, otherClusters, Clock.systemUTC())) {
            if (dryRun) {
                return sync.run(SyncMode.RECONCILE, true);
            }
            // recorded under the lock, as the daemon records its passes: the next pass finds it
            record.started(cluster.name(), SyncMode.RECONCILE);
            return record.finished(sync.run(SyncMode.RECONCILE, false));
        }
    }


    private void print(SyncOutcome outcome, boolean dryRun) {
        out.println(outcome.cluster() + ": " + (dryRun ? "dry run, nothing written: " : "") + outcome.summary());
        if (dryRun) {
            outcome.apply().ifPresent(a -> {
                for (VmChange change : a.changes()) {
                    out.println("  would " + change);
                }
            });
        }
    }
}
