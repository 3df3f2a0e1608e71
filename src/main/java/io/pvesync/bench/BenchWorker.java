package io.pvesync.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pvesync.bench.BenchDatabases.Db;
import io.pvesync.config.ClusterConfig;
import io.pvesync.config.MissingPolicy;
import io.pvesync.config.Secret;
import io.pvesync.config.TlsConfig;
import io.pvesync.details.GuestDetails;
import io.pvesync.proxmox.ProxmoxClient;
import io.pvesync.sim.ProxmoxSimulator;
import io.pvesync.sim.SimulatorBuilder;
import io.pvesync.sim.Timing;
import io.pvesync.store.ApplyResult;
import io.pvesync.store.VmStore;
import io.pvesync.sync.ClusterSync;
import io.pvesync.sync.SyncMode;
import io.pvesync.sync.SyncOutcome;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/**
 * One benchmark size in its own JVM (started by {@code pvesync bench} with {@code -Xmx}): a
 * simulated cluster over HTTPS, two fresh databases on the given PostgreSQL server (one for
 * pvesync, one for the baseline), every case measured, one {@code RESULT {json}} line per measured
 * pass on stdout. Progress goes to stderr.
 *
 * <p>Besides the counters, a {@link TableWatcher} on the owner's connection looks at the table while
 * a first sync or a poll after a change runs: when every row, every address and every changed value
 * was there (fields {@code rowsAllMs}, {@code addressesAllMs}, {@code landedMs}); {@link ListingTimer}
 * notes when the pass had the listing ({@code listingMs}), and {@link ListingFloor} measures the bare
 * download of the listing before the unchanged polls (case {@code listing-floor}).
 *
 * <p>Arguments: {@code --vms N --nodes N --db-url URL --db-user USER --repeat N --warmup N
 * [--timing realistic|none] [--no-baseline]} (realistic when not given); the password comes from {@code PVESYNC_BENCH_DB_PASSWORD}.
 */
public final class BenchWorker {
    static final String CLUSTER = "bench";
    /** Downloads of the listing per floor measurement; the report gives their median. */
    static final int FLOOR_RUNS = 5;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final int vms;
    private final int nodes;
    private final BenchDatabases dbs;
    private final int repeat;
    private final int warmup;
    private final boolean baseline;
    private final String timing;
    private final PrintStream out;
    private final Random random = new Random(20260101);
    private final Meter meter = new Meter();

    private ProxmoxSimulator sim;
    private ClusterChanges changes;
    private ListingTimer listing;
    private Db ours;
    private Db theirs;
    private double simHeapMb;

    private BenchWorker(Map<String, String> args, PrintStream out) {
        this.vms = Integer.parseInt(args.getOrDefault("--vms", "1000"));
        this.nodes = Integer.parseInt(args.getOrDefault("--nodes", "10"));
        this.dbs = new BenchDatabases(args.getOrDefault("--db-url", "jdbc:postgresql://127.0.0.1:5432/postgres"),
                args.getOrDefault("--db-user", "postgres"), System.getenv("PVESYNC_BENCH_DB_PASSWORD"));
        this.repeat = Integer.parseInt(args.getOrDefault("--repeat", "3"));
        this.warmup = Integer.parseInt(args.getOrDefault("--warmup", "10"));
        this.baseline = !args.containsKey("--no-baseline");
        this.timing = args.getOrDefault("--timing", "realistic");
        this.out = out;
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = new HashMap<>();
        for (int i = 0; i < argv.length; i++) {
            if (argv[i].equals("--no-baseline")) {
                args.put(argv[i], "true");
            } else {
                args.put(argv[i], argv[++i]);
            }
        }
        new BenchWorker(args, System.out).run();
        System.exit(0);
    }

    private void run() throws Exception {
        progress("starting the simulator: %,d VMs on %d nodes, %s timing", vms, nodes, timing);
        sim = ProxmoxSimulator.builder().nodes(nodes).vms(vms).containers(0).templates(0).seed(7).tls(true)
                .minGuests(0).timing(simulatorTiming()).start();
        simHeapMb = Meter.liveHeapMb();
        changes = new ClusterChanges(sim, random);
        Path ca = Files.createTempFile("pvesync-bench-ca", ".pem");
        Files.writeString(ca, sim.caCertificatePem());
        String password = HexFormat.of().formatHex(new SecureRandom().generateSeed(12));
        ours = dbs.create("pvesync_bench", password);
        theirs = baseline ? dbs.create("pvesync_bench_base", password) : null;
        ClusterConfig config = new ClusterConfig(CLUSTER, sim.endpoints(), "pvesync@pve!inventory",
                Secret.of(SimulatorBuilder.DEFAULT_TOKEN_SECRET), new TlsConfig(Optional.of(ca), List.of(), false),
                false, Duration.ofSeconds(5), Duration.ofSeconds(60), Duration.ofSeconds(10), 2,
                ClusterConfig.DEFAULT_ADDRESS_REFRESH, new MissingPolicy(Duration.ZERO, 0.10, 5));
        try (ProxmoxClient client = new ProxmoxClient(config);
             ProxmoxClient baselineClient = new ProxmoxClient(baselineConfig(config));
             Baseline naive = new Baseline(baselineClient, theirs == null ? null : theirs.counted(), nodes, 2);
             ListingFloor floor = new ListingFloor(sim.endpoints().get(0), sim.caCertificatePem(),
                     "PVEAPIToken=" + config.tokenId() + "=" + SimulatorBuilder.DEFAULT_TOKEN_SECRET,
                     config.readTimeout())) {
            listing = new ListingTimer(client);
            ClusterSync sync = null;
            // first sync: an empty table and a daemon that has seen nothing (fresh caches)
            for (int i = 0; i < heavyRepeats(); i++) {
                if (sync != null) {
                    sync.close();
                }
                dbs.truncate(ours);
                sync = newSync(config, client, new VmStore(ours.counted()));
                ClusterSync s = sync;
                measurePvesync("first-sync", i, firstSync(), () -> s.run(SyncMode.RECONCILE));
            }
            if (baseline) {
                dbs.truncate(theirs);
                measureBaseline("first-sync", 0, firstSync(), () -> naive.pass(false));
            }
            ClusterSync s = sync;
            progress("warming up: %d unchanged polls", warmup);
            for (int i = 0; i < warmup; i++) {
                check(s.run(SyncMode.POLL));
            }
            measureFloor(floor);
            for (int i = 0; i < Math.max(repeat, 5); i++) {
                measurePvesync("unchanged-poll", i, NOTHING, () -> s.run(SyncMode.POLL));
            }
            if (baseline) {
                measureBaseline("unchanged-poll", 0, NOTHING, () -> naive.pass(false));
            }
            for (int i = 0; i < repeat; i++) {
                ClusterChanges.Changed changed = changes.change(0.10);
                progress("changing 10%% of the VMs: %s", changed.kinds());
                measurePvesync("changed-10pct", i, landing(changed), () -> s.run(SyncMode.POLL));
                if (baseline && i == 0) {
                    measureBaseline("changed-10pct", 0, landing(changed), () -> naive.pass(false));
                }
            }
            for (int i = 0; i < repeat; i++) {
                ClusterChanges.Changed changed = changes.changeOne();
                progress("changing one VM: %s", changed.rows());
                measurePvesync("changed-1vm", i, landing(changed), () -> s.run(SyncMode.POLL));
                if (baseline && i == 0) {
                    measureBaseline("changed-1vm", 0, landing(changed), () -> naive.pass(false));
                }
            }
            for (int i = 0; i < repeat; i++) {
                progress("deleting 1%% of the VMs: %d", changes.vanish(0.01));
                measurePvesync("vanished-1pct", i, NOTHING, () -> s.run(SyncMode.POLL));
                if (baseline && i == 0) {
                    measureBaseline("vanished-1pct", 0, NOTHING, () -> naive.pass(false));
                }
            }
            for (int i = 0; i < heavyRepeats(); i++) {
                measurePvesync("reconcile", i, NOTHING, () -> s.run(SyncMode.RECONCILE));
            }
            if (baseline) {
                measureBaseline("reconcile", 0, NOTHING, () -> naive.pass(true));
            }
            s.close();
        } finally {
            sim.close();
            ours.close();
            if (theirs != null) {
                theirs.close();
            }
        }
    }

    /**
     * The baseline's client waits up to 2 minutes for a node's guest list: under Proxmox's timing
     * {@code /nodes/{node}/qemu} costs ~15 ms per guest (7.5 s for 500 guests, p95 twice that),
     * past pvesync's 10 s guest-call timeout. Real pveproxy gives up at 30 s (596); the baseline
     * gets every advantage that is not its method.
     */
    private static ClusterConfig baselineConfig(ClusterConfig c) {
        return new ClusterConfig(c.name(), c.endpoints(), c.tokenId(), c.tokenSecret(), c.tls(), c.includeContainers(),
                c.connectTimeout(), Duration.ofMinutes(2), Duration.ofMinutes(2), c.addressConcurrency(),
                c.addressRefresh(), c.missing());
    }

    private Timing simulatorTiming() {
        return switch (timing) {
            case "realistic" -> Timing.realistic();
            case "none" -> Timing.none();
            default -> throw new IllegalArgumentException("--timing: realistic or none, not " + timing);
        };
    }

    /** First syncs and reconciles cost a request per guest: fewer rounds for the largest size. */
    private int heavyRepeats() {
        return vms > 10_000 ? 1 : repeat;
    }

    private ClusterSync newSync(ClusterConfig config, ProxmoxClient client, VmStore store) {
        GuestDetails details = new GuestDetails(client, config.addressConcurrency(), config.addressRefresh(),
                Clock.systemUTC());
        // the pass reads the listing through the timer; the guest details ask the client directly
        return new ClusterSync(config, listing, details, store, java.util.Set.of(), Clock.systemUTC());
    }

    @FunctionalInterface
    private interface Pass<T> {
        T run() throws Exception;
    }

    /**
     * What is watched in the table while a pass runs (begun before the pass, off its clock and its
     * counted connection), turned into fields of the pass's RESULT line once it returned.
     */
    @FunctionalInterface
    private interface Observation {
        Seen begin(Db db, String cluster) throws SQLException;
    }

    @FunctionalInterface
    private interface Seen {
        /** @param start, end {@link System#nanoTime()} when the pass was called and when it returned */
        Map<String, Number> end(long start, long end) throws SQLException;
    }

    private static final Observation NOTHING = (db, cluster) -> (start, end) -> Map.of();

    /**
     * A first sync, watched: when every row was in the table, and when every address the pass
     * found (as many as the table holds once it returned).
     */
    private Observation firstSync() {
        return (db, cluster) -> {
            TableWatcher watcher = dbs.watchCounts(db, cluster);
            return (start, end) -> {
                try (watcher) {
                    List<TableWatcher.Sample> seen = watcher.stop(end);
                    long rows = TableWatcher.last(seen, 0);
                    long addresses = TableWatcher.last(seen, 1);
                    long expected = sim.vms().stream().filter(vm -> !vm.template()).count();
                    Map<String, Number> out = new LinkedHashMap<>();
                    out.put("rowsSeen", rows);
                    out.put("addresses", addresses);
                    out.put("watchSamples", seen.size());
                    if (rows == expected) {
                        out.put("rowsAllMs", TableWatcher.firstReaching(seen, 0, expected, start));
                    } else {
                        progress("WARNING: %s: %,d rows after the first sync, the simulator has %,d VMs", cluster,
                                rows, expected);
                    }
                    if (addresses > 0) {
                        out.put("addressesAllMs", TableWatcher.firstReaching(seen, 1, addresses, start));
                    }
                    return out;
                }
            };
        };
    }

    /** A poll after a change, watched: when every changed row showed the change. */
    private Observation landing(ClusterChanges.Changed changed) {
        return (db, cluster) -> {
            TableWatcher watcher = dbs.watchLanding(db, cluster, changed.rows());
            return (start, end) -> {
                try (watcher) {
                    List<TableWatcher.Sample> seen = watcher.stop(end);
                    int expected = changed.rows().size();
                    long landed = TableWatcher.last(seen, 0);
                    Map<String, Number> out = new LinkedHashMap<>();
                    out.put("changedRows", expected);
                    out.put("landedRows", landed);
                    out.put("watchSamples", seen.size());
                    if (landed == expected) {
                        out.put("landedMs", TableWatcher.firstReaching(seen, 0, expected, start));
                    } else {
                        // not fatal: a long run should still give its other figures; the report shows no landing
                        progress("WARNING: %s: %,d of %,d changed rows do not show the change after the pass: %s",
                                cluster, expected - landed, expected, dbs.notLanded(db, cluster, changed.rows()));
                    }
                    return out;
                }
            };
        };
    }

    private void measurePvesync(String kase, int rep, Observation observation, Pass<SyncOutcome> pass)
            throws Exception {
        measure("pvesync", ours, CLUSTER, kase, rep, observation, () -> {
            SyncOutcome outcome = pass.run();
            check(outcome);
            ApplyResult a = outcome.apply().orElseThrow();
            return Map.of("inserted", a.inserted(), "updated", a.updated(), "missing", a.missing(),
                    "unchanged", a.unchanged());
        });
    }

    private void measureBaseline(String kase, int rep, Observation observation, Pass<Integer> pass) throws Exception {
        measure("baseline", theirs, Baseline.CLUSTER, kase, rep, observation,
                () -> Map.of("upserted", pass.run(), "listings", nodes + 1));
    }

    /**
     * The floor under a poll: the bare download of the listing, warm (one download first to open
     * the connection), five times back to back, right before the unchanged polls.
     */
    private void measureFloor(ListingFloor floor) throws Exception {
        floor.downloadMs();
        for (int i = 0; i < FLOOR_RUNS; i++) {
            double ms = floor.downloadMs();
            ObjectNode line = JSON.createObjectNode();
            line.put("vms", vms).put("nodes", nodes).put("timing", timing).put("case", "listing-floor")
                    .put("system", "floor").put("rep", i).put("wallMs", ms).put("api", 1);
            out.println("RESULT " + JSON.writeValueAsString(line));
            out.flush();
            progress("%-8s %-15s #%d: %8.1f ms wall", "floor", "listing-floor", i, ms);
        }
    }

    private void measure(String system, Db db, String cluster, String kase, int rep, Observation observation,
                         Pass<Map<String, Integer>> pass) throws Exception {
        long rows0 = dbs.rowsWritten(db);
        int api0 = sim.requestCount();
        int resources0 = sim.requests("/cluster/resources");
        int tasks0 = sim.requests("/cluster/tasks");
        long sql0 = db.counted().statements();
        long tx0 = db.counted().transactions();
        Seen seen = observation.begin(db, cluster);
        meter.start();
        long start = System.nanoTime();
        Map<String, Integer> counts = pass.run();
        long end = System.nanoTime();
        Meter.Reading r = meter.stop();
        Map<String, Number> observed = seen.end(start, end);
        int api = sim.requestCount() - api0;
        // per-guest requests: everything but the cluster-wide ones (/cluster/resources, /cluster/tasks; the
        // baseline's node lists)
        int guest = api - (sim.requests("/cluster/resources") - resources0) - (sim.requests("/cluster/tasks") - tasks0)
                - counts.getOrDefault("listings", 0);
        long sql = db.counted().statements() - sql0;
        long tx = db.counted().transactions() - tx0;
        long rows = dbs.rowsWritten(db) - rows0;
        ObjectNode line = JSON.createObjectNode();
        line.put("vms", vms).put("nodes", nodes).put("timing", timing).put("case", kase).put("system", system).put("rep", rep)
                .put("wallMs", r.wallMs()).put("cpuMs", r.cpuMs()).put("processCpuMs", r.processCpuMs())
                .put("api", api).put("guestApi", guest).put("sql", sql).put("transactions", tx).put("rows", rows)
                .put("heapPeakMb", r.heapPeakMb()).put("allocatedMb", r.allocatedMb()).put("liveHeapMb", Meter.liveHeapMb()).put("simHeapMb", simHeapMb)
                .put("maxHeapMb", Runtime.getRuntime().maxMemory() / 1048576.0);
        counts.forEach(line::put);
        if (system.equals("pvesync") && listing.answeredAt() > start) {
            line.put("listingMs", (listing.answeredAt() - start) / 1e6);
        }
        observed.forEach((name, value) -> {
            if (value instanceof Double d) {
                line.put(name, d);
            } else {
                line.put(name, value.longValue());
            }
        });
        out.println("RESULT " + JSON.writeValueAsString(line));
        out.flush();
        progress("%-8s %-15s #%d: %8.1f ms wall, %8.1f ms cpu, %,7d API requests, %,7d SQL statements, %,7d rows,"
                + " heap peak %.0f MB, %.0f MB allocated %s %s", system, kase, rep, r.wallMs(), r.cpuMs(), api, sql, rows,
                r.heapPeakMb(), r.allocatedMb(), counts, observed);
    }

    private static void check(SyncOutcome outcome) {
        if (outcome.result() != SyncOutcome.Result.OK) {
            throw new IllegalStateException("pass not ok: " + outcome.summary());
        }
    }

    private static void progress(String format, Object... args) {
        System.err.printf("bench: " + format + "%n", args);
    }
}
