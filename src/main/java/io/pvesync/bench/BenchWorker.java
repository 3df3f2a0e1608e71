package io.pvesync.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.pvesync.config.ClusterConfig;
import io.pvesync.config.MissingPolicy;
import io.pvesync.config.Secret;
import io.pvesync.config.TlsConfig;
import io.pvesync.details.GuestDetails;
import io.pvesync.proxmox.ProxmoxClient;
import io.pvesync.sim.ProxmoxSimulator;
import io.pvesync.sim.SimVm;
import io.pvesync.sim.SimulatorBuilder;
import io.pvesync.sim.Timing;
import io.pvesync.store.ApplyResult;
import io.pvesync.store.Migrations;
import io.pvesync.store.VmStore;
import io.pvesync.sync.ClusterSync;
import io.pvesync.sync.SyncMode;
import io.pvesync.sync.SyncOutcome;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * One benchmark size in its own JVM (started by {@code pvesync bench} with {@code -Xmx}): a
 * simulated cluster over HTTPS, two fresh databases on the given PostgreSQL server (one for
 * pvesync, one for the baseline), every case measured, one {@code RESULT {json}} line per measured
 * pass on stdout. Progress goes to stderr.
 *
 * <p>Arguments: {@code --vms N --nodes N --db-url URL --db-user USER --repeat N --warmup N
 * [--timing realistic|none] [--no-baseline]} (realistic when not given); the password comes from {@code PVESYNC_BENCH_DB_PASSWORD}.
 */
public final class BenchWorker {
    static final String CLUSTER = "bench";
    static final String ROLE = "pvesync_bench";
    private static final Pattern URL_PARTS = Pattern.compile("^(jdbc:postgresql://[^/]+/)([^?]*)(.*)$");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final int vms;
    private final int nodes;
    private final String serverUrl;
    private final String adminUser;
    private final String adminPassword;
    private final int repeat;
    private final int warmup;
    private final boolean baseline;
    private final String timing;
    private final PrintStream out;
    private final Random random = new Random(20260101);
    private final Meter meter = new Meter();

    private ProxmoxSimulator sim;
    private Db ours;
    private Db theirs;
    private double simHeapMb;

    private BenchWorker(Map<String, String> args, PrintStream out) {
        this.vms = Integer.parseInt(args.getOrDefault("--vms", "1000"));
        this.nodes = Integer.parseInt(args.getOrDefault("--nodes", "10"));
        this.serverUrl = args.getOrDefault("--db-url", "jdbc:postgresql://127.0.0.1:5432/postgres");
        this.adminUser = args.getOrDefault("--db-user", "postgres");
        this.adminPassword = System.getenv("PVESYNC_BENCH_DB_PASSWORD");
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

    /** A database of the benchmark: its pool (one connection, counted) and the owner's view of its stats. */
    private record Db(String name, String url, HikariDataSource pool, StatementCounter counted) implements AutoCloseable {
        @Override
        public void close() {
            pool.close();
        }
    }

    private void run() throws Exception {
        progress("starting the simulator: %,d VMs on %d nodes, %s timing", vms, nodes, timing);
        sim = ProxmoxSimulator.builder().nodes(nodes).vms(vms).containers(0).templates(0).seed(7).tls(true)
                .minGuests(0).timing(simulatorTiming()).start();
        simHeapMb = Meter.liveHeapMb();
        Path ca = Files.createTempFile("pvesync-bench-ca", ".pem");
        Files.writeString(ca, sim.caCertificatePem());
        String password = HexFormat.of().formatHex(new SecureRandom().generateSeed(12));
        ours = database("pvesync_bench", password);
        theirs = baseline ? database("pvesync_bench_base", password) : null;
        ClusterConfig config = new ClusterConfig(CLUSTER, sim.endpoints(), "pvesync@pve!inventory",
                Secret.of(SimulatorBuilder.DEFAULT_TOKEN_SECRET), new TlsConfig(Optional.of(ca), List.of(), false),
                false, Duration.ofSeconds(5), Duration.ofSeconds(60), Duration.ofSeconds(10), 2,
                ClusterConfig.DEFAULT_ADDRESS_REFRESH, new MissingPolicy(Duration.ZERO, 0.10, 5));
        try (ProxmoxClient client = new ProxmoxClient(config);
             ProxmoxClient baselineClient = new ProxmoxClient(config);
             Baseline naive = new Baseline(baselineClient, theirs == null ? null : theirs.counted(), nodes, 2)) {
            VmStore store = new VmStore(ours.counted());
            ClusterSync sync = null;
            // first sync: an empty table and a daemon that has seen nothing (fresh caches)
            for (int i = 0; i < heavyRepeats(); i++) {
                if (sync != null) {
                    sync.close();
                }
                truncate(ours);
                store = new VmStore(ours.counted());
                sync = newSync(config, client, store);
                ClusterSync s = sync;
                measurePvesync("first-sync", i, () -> s.run(SyncMode.RECONCILE));
            }
            if (baseline) {
                truncate(theirs);
                measureBaseline("first-sync", 0, () -> naive.pass(false));
            }
            ClusterSync s = sync;
            progress("warming up: %d unchanged polls", warmup);
            for (int i = 0; i < warmup; i++) {
                check(s.run(SyncMode.POLL));
            }
            for (int i = 0; i < Math.max(repeat, 5); i++) {
                measurePvesync("unchanged-poll", i, () -> s.run(SyncMode.POLL));
            }
            if (baseline) {
                measureBaseline("unchanged-poll", 0, () -> naive.pass(false));
            }
            for (int i = 0; i < repeat; i++) {
                progress("changing 10%% of the VMs: %s", change(0.10));
                measurePvesync("changed-10pct", i, () -> s.run(SyncMode.POLL));
                if (baseline && i == 0) {
                    measureBaseline("changed-10pct", 0, () -> naive.pass(false));
                }
            }
            for (int i = 0; i < repeat; i++) {
                progress("deleting 1%% of the VMs: %d", vanish(0.01));
                measurePvesync("vanished-1pct", i, () -> s.run(SyncMode.POLL));
                if (baseline && i == 0) {
                    measureBaseline("vanished-1pct", 0, () -> naive.pass(false));
                }
            }
            for (int i = 0; i < heavyRepeats(); i++) {
                measurePvesync("reconcile", i, () -> s.run(SyncMode.RECONCILE));
            }
            if (baseline) {
                measureBaseline("reconcile", 0, () -> naive.pass(true));
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
        return new ClusterSync(config, client, details, store, java.util.Set.of(), Clock.systemUTC());
    }

    @FunctionalInterface
    private interface Pass<T> {
        T run() throws Exception;
    }

    private void measurePvesync(String kase, int rep, Pass<SyncOutcome> pass) throws Exception {
        measure("pvesync", ours, kase, rep, () -> {
            SyncOutcome outcome = pass.run();
            check(outcome);
            ApplyResult a = outcome.apply().orElseThrow();
            return Map.of("inserted", a.inserted(), "updated", a.updated(), "missing", a.missing(),
                    "unchanged", a.unchanged());
        });
    }

    private void measureBaseline(String kase, int rep, Pass<Integer> pass) throws Exception {
        measure("baseline", theirs, kase, rep, () -> Map.of("upserted", pass.run(), "listings", nodes + 1));
    }

    private void measure(String system, Db db, String kase, int rep, Pass<Map<String, Integer>> pass)
            throws Exception {
        long rows0 = rowsWritten(db);
        int api0 = sim.requestCount();
        int resources0 = sim.requests("/cluster/resources");
        long sql0 = db.counted().statements();
        long tx0 = db.counted().transactions();
        meter.start();
        Map<String, Integer> counts = pass.run();
        Meter.Reading r = meter.stop();
        int api = sim.requestCount() - api0;
        // per-guest requests: everything but the listings (/cluster/resources; the baseline's node lists)
        int guest = api - (sim.requests("/cluster/resources") - resources0) - counts.getOrDefault("listings", 0);
        long sql = db.counted().statements() - sql0;
        long tx = db.counted().transactions() - tx0;
        long rows = rowsWritten(db) - rows0;
        ObjectNode line = JSON.createObjectNode();
        line.put("vms", vms).put("nodes", nodes).put("timing", timing).put("case", kase).put("system", system).put("rep", rep)
                .put("wallMs", r.wallMs()).put("cpuMs", r.cpuMs()).put("processCpuMs", r.processCpuMs())
                .put("api", api).put("guestApi", guest).put("sql", sql).put("transactions", tx).put("rows", rows)
                .put("heapPeakMb", r.heapPeakMb()).put("allocatedMb", r.allocatedMb()).put("liveHeapMb", Meter.liveHeapMb()).put("simHeapMb", simHeapMb)
                .put("maxHeapMb", Runtime.getRuntime().maxMemory() / 1048576.0);
        counts.forEach(line::put);
        out.println("RESULT " + JSON.writeValueAsString(line));
        out.flush();
        progress("%-8s %-15s #%d: %8.1f ms wall, %8.1f ms cpu, %,7d API requests, %,7d SQL statements, %,7d rows,"
                + " heap peak %.0f MB, %.0f MB allocated %s", system, kase, rep, r.wallMs(), r.cpuMs(), api, sql, rows,
                r.heapPeakMb(), r.allocatedMb(), counts);
    }

    private static void check(SyncOutcome outcome) {
        if (outcome.result() != SyncOutcome.Result.OK) {
            throw new IllegalStateException("pass not ok: " + outcome.summary());
        }
    }

    // ---- changes to the simulated cluster ----

    /** Changes {@code share} of the VMs the way a busy cluster does: start/stop, resize, rename, migrate. */
    private String change(double share) {
        List<SimVm> all = new ArrayList<>(sim.vms());
        Collections.shuffle(all, random);
        int count = (int) Math.round(share * all.size());
        Map<String, Integer> kinds = new HashMap<>();
        for (SimVm vm : all.subList(0, count)) {
            int dice = random.nextInt(20);
            String kind;
            if (dice < 8) {
                if ("running".equals(vm.status())) {
                    sim.stop(vm.vmid());
                } else {
                    sim.start(vm.vmid());
                }
                kind = "start/stop";
            } else if (dice < 14) {
                sim.resize(vm.vmid(), vm.cores() % 8 + 1, vm.memoryMb() + 1024, vm.diskGb() + 8);
                kind = "resize";
            } else if (dice < 17) {
                sim.rename(vm.vmid(), "renamed-" + vm.vmid() + "-" + random.nextInt(1000));
                kind = "rename";
            } else {
                String to = sim.nodes().get(random.nextInt(nodes));
                if (to.equals(vm.node())) {
                    to = sim.nodes().get((sim.nodes().indexOf(to) + 1) % nodes);
                }
                sim.migrate(vm.vmid(), to);
                kind = "migrate";
            }
            kinds.merge(kind, 1, Integer::sum);
        }
        return kinds.toString();
    }

    private int vanish(double share) {
        List<SimVm> all = new ArrayList<>(sim.vms());
        Collections.shuffle(all, random);
        int count = (int) Math.round(share * all.size());
        all.subList(0, count).forEach(vm -> sim.delete(vm.vmid()));
        return count;
    }

    // ---- databases ----

    private Db database(String name, String password) throws SQLException, IOException {
        Matcher m = URL_PARTS.matcher(serverUrl);
        if (!m.matches()) {
            throw new IllegalArgumentException("--db-url: not a jdbc:postgresql://host:port/database URL: " + serverUrl);
        }
        String url = m.group(1) + name + m.group(3);
        try (Connection c = admin(serverUrl); Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            st.execute("CREATE DATABASE " + name);
            try (ResultSet rs = st.executeQuery("SELECT 1 FROM pg_roles WHERE rolname = '" + ROLE + "'")) {
                if (!rs.next()) {
                    st.execute("CREATE ROLE " + ROLE + " LOGIN NOSUPERUSER NOBYPASSRLS");
                }
            }
            st.execute("ALTER ROLE " + ROLE + " PASSWORD '" + password + "'");
        }
        HikariConfig owner = new HikariConfig();
        owner.setJdbcUrl(url);
        owner.setUsername(adminUser);
        if (adminPassword != null) {
            owner.setPassword(adminPassword);
        }
        owner.setMaximumPoolSize(2);
        try (HikariDataSource pool = new HikariDataSource(owner)) {
            Migrations.migrate(pool);
        }
        String grants = new String(BenchWorker.class.getResourceAsStream("/sql/grants.sql").readAllBytes(),
                StandardCharsets.UTF_8)
                .lines().filter(l -> !l.startsWith("--")).collect(Collectors.joining("\n"))
                .replace(":\"daemon\"", ROLE).replace(":\"DBNAME\"", name);
        try (Connection c = admin(url); Statement st = c.createStatement()) {
            st.execute(grants);
        }
        HikariConfig daemon = new HikariConfig();
        daemon.setJdbcUrl(url);
        daemon.setUsername(ROLE);
        daemon.setPassword(password);
        // one connection: a pass uses one at a time, and the statistics flush below reaches it
        daemon.setMaximumPoolSize(1);
        daemon.setPoolName(name);
        daemon.addDataSourceProperty("ApplicationName", "pvesync-bench");
        HikariDataSource pool = new HikariDataSource(daemon);
        return new Db(name, url, pool, new StatementCounter(pool));
    }

    private void truncate(Db db) throws SQLException {
        try (Connection c = admin(db.url()); Statement st = c.createStatement()) {
            st.execute("TRUNCATE public.vms");
            st.execute("VACUUM ANALYZE public.vms");
        }
    }

    /**
     * Rows inserted plus rows updated in the table so far, from {@code pg_stat_user_tables}. The
     * daemon's connection flushes its pending statistics first (PostgreSQL 15 otherwise holds them
     * up to a second or more), so the figure is exact at this moment.
     */
    private long rowsWritten(Db db) throws SQLException {
        try (Connection c = db.pool().getConnection(); Statement st = c.createStatement()) {
            st.execute("SELECT pg_stat_force_next_flush()");
        }
        try (Connection c = admin(db.url()); Statement st = c.createStatement()) {
            st.execute("SELECT pg_stat_clear_snapshot()");
            try (ResultSet rs = st.executeQuery("SELECT n_tup_ins + n_tup_upd FROM pg_stat_user_tables"
                    + " WHERE relid = 'public.vms'::regclass")) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private Connection admin(String url) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", adminUser);
        if (adminPassword != null) {
            props.setProperty("password", adminPassword);
        }
        return DriverManager.getConnection(url, props);
    }

    private static void progress(String format, Object... args) {
        System.err.printf("bench: " + format + "%n", args);
    }
}
