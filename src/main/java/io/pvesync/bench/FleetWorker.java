package io.pvesync.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pvesync.config.ConfigLoader;
import io.pvesync.config.PvesyncConfig;
import io.pvesync.daemon.Daemon;
import io.pvesync.sim.SimulatorBuilder;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * One fleet size in its own JVM (started by {@code pvesync bench --fleet} with {@code -Xmx}): the
 * whole daemon, as {@code pvesync run} starts it (a config file, Quartz's jobs, one per cluster),
 * against {@code --clusters} simulated clusters of {@code --vms} VMs each, which run in a second
 * JVM ({@link FleetSimulators}) so that this process's CPU and heap are pvesync's. After a warm-up
 * (every cluster's first sync, then its first poll) it measures a window of {@code --minutes}
 * and prints one {@code RESULT {json}} line; progress goes to stderr.
 *
 * <p>Arguments: {@code --clusters N --vms N --nodes N --minutes M --poll SECONDS --db-url URL
 * --db-user USER --sim-xmx SIZE}; the admin's password comes from {@code PVESYNC_BENCH_DB_PASSWORD}.
 */
public final class FleetWorker {
    /** A pass starting later than the interval plus this after the one before is late (Quartz's misfire threshold at 30 s). */
    static final Duration TOLERANCE = Duration.ofSeconds(5);
    static final Duration SAMPLE_PERIOD = Duration.ofSeconds(1);
    private static final Duration WARMUP_LIMIT = Duration.ofMinutes(15);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The pools Daemon opens (io.pvesync.daemon.Daemon): passes' writes, pass locks, Quartz's job store. */
    static final Set<String> DAEMON_POOLS = Set.of("pvesync", "pvesync-passlock", "pvesync-quartz");

    private final FleetArgs args;
    private final int clusters;
    private final int vms;
    private final int nodes;
    private final Duration window;
    private final Duration poll;
    private final PrintStream out;

    private FleetWorker(FleetArgs args, PrintStream out) {
        this.args = args;
        this.clusters = args.integer("--clusters");
        this.vms = args.integer("--vms");
        this.nodes = args.integer("--nodes");
        this.window = Duration.ofMillis(Math.round(Double.parseDouble(args.text("--minutes", "3")) * 60_000));
        this.poll = Duration.ofSeconds(Integer.parseInt(args.text("--poll", "30")));
        this.out = out;
    }

    public static void main(String[] argv) throws Exception {
        new FleetWorker(FleetArgs.parse(argv), System.out).run();
        System.exit(0);
    }

    /** The name of the {@code i}th cluster in the config and the vms table. */
    static String clusterName(int i) {
        return "fleet" + (i + 1);
    }

    private void run() throws Exception {
        Path dir = Files.createTempDirectory("pvesync-fleet");
        // every pool the daemon opens reports its waits to PoolWaits (see there)
        Path hikari = dir.resolve("hikari.properties");
        Files.writeString(hikari, "metricsTrackerFactory=" + PoolWaits.class.getName() + "\n");
        System.setProperty("hikaricp.configurationFile", hikari.toString());

        progress("starting %d simulators of %,d VMs on %d nodes each (realistic timing) in a JVM of their own",
                clusters, vms, nodes);
        Process sims = startSimulators(dir);
        BufferedReader simOut = new BufferedReader(new InputStreamReader(sims.getInputStream(), StandardCharsets.UTF_8));
        PrintWriter simIn = new PrintWriter(sims.getOutputStream(), true, StandardCharsets.UTF_8);
        try {
            String ready = simOut.readLine();
            if (!"READY".equals(ready)) {
                throw new IllegalStateException("the simulators' JVM did not start (it said: " + ready + ")");
            }
            JsonNode manifest = JSON.readTree(dir.resolve("fleet.json").toFile());
            FleetDatabase db = FleetDatabase.create(args.text("--db-url"), args.text("--db-user"),
                    System.getenv("PVESYNC_BENCH_DB_PASSWORD"));
            PvesyncConfig config = new ConfigLoader().load(writeConfig(dir, manifest, db));
            measure(config, db, manifest, simOut, simIn);
        } finally {
            simIn.close(); // end of input: the simulators close
            if (!sims.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                sims.destroy();
            }
        }
    }

    private Process startSimulators(Path dir) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder builder = new ProcessBuilder(java, "-Xmx" + args.text("--sim-xmx", "2g"), "-cp",
                System.getProperty("java.class.path"), FleetSimulators.class.getName(),
                "--clusters", Integer.toString(clusters), "--vms", Integer.toString(vms),
                "--nodes", Integer.toString(nodes), "--dir", dir.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        return builder.start();
    }

    private Path writeConfig(Path dir, JsonNode manifest, FleetDatabase db) throws IOException {
        StringBuilder yaml = new StringBuilder("""
                database:
                  url: %s
                  username: %s
                  password: %s
                clusters:
                """.formatted(db.url, FleetDatabase.ROLE, db.password));
        for (JsonNode c : manifest) {
            List<String> endpoints = new ArrayList<>();
            c.path("endpoints").forEach(e -> endpoints.add("\"" + e.asText() + "\""));
            yaml.append("""
                      - name: %s
                        endpoints: [%s]
                        token-id: "pvesync@pve!inventory"
                        token-secret: "%s"
                        tls:
                          ca-file: %s
                    """.formatted(c.path("name").asText(), String.join(", ", endpoints),
                    SimulatorBuilder.DEFAULT_TOKEN_SECRET, c.path("ca").asText()));
        }
        // reconcile stays at its default (hourly, at minute 0)
        yaml.append("schedule:\n  poll: ").append(poll.toSeconds()).append("s\n");
        yaml.append("status:\n  listen: 127.0.0.1:0\n");
        Path file = dir.resolve("pvesync.yaml");
        Files.writeString(file, yaml.toString());
        return file;
    }

    private void measure(PvesyncConfig config, FleetDatabase db, JsonNode manifest, BufferedReader simOut,
                         PrintWriter simIn) throws Exception {
        Set<Integer> ports = new HashSet<>();
        manifest.forEach(c -> c.path("endpoints").forEach(e -> ports.add(URI.create(e.asText()).getPort())));
        List<String> names = config.clusters().stream().map(c -> c.name()).toList();
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        try (Connection admin = db.admin()) {
            FleetSampler sampler = new FleetSampler(admin, FleetDatabase.NAME, new OpenSockets(ports), SAMPLE_PERIOD);
            Instant started = Instant.now();
            progress("starting the daemon: %d clusters, poll every %d s", clusters, poll.toSeconds());
            try (Daemon daemon = Daemon.start(config, Clock.systemUTC(), "fleet-bench")) {
                sampler.start();
                Instant firstSyncs = awaitPasses(sampler, started, 1, "first sync");
                progress("every cluster's first sync ended after %.1f s; waiting for every cluster's first poll",
                        Duration.between(started, firstSyncs).toMillis() / 1000.0);
                awaitPasses(sampler, started, 2, "first poll");

                Map<String, Double> metrics0 = syncTotals(daemon);
                long[] sim0 = counts(simOut, simIn);
                Map<String, PoolWaits.Reading> pools0 = poolReadings();
                PoolWaits.pools().values().forEach(p -> p.maxWaitNanos.reset());
                long gc0 = gcMillis();
                long mainCpu0 = threads.getCurrentThreadCpuTime();
                long samplerCpu0 = sampler.cpuNanos();
                long cpu0 = os.getProcessCpuTime();
                double load0 = os.getSystemLoadAverage();
                sampler.resetGauges();
                Instant from = Instant.now();
                progress("measuring %.1f minute(s)", window.toMillis() / 60_000.0);
                Thread.sleep(window.toMillis());
                Instant to = Instant.now();
                long cpu = os.getProcessCpuTime() - cpu0 - (sampler.cpuNanos() - samplerCpu0);
                Map<String, FleetSampler.Gauge> gauges = sampler.gauges();
                long[] sim1 = counts(simOut, simIn);
                Map<String, Double> metrics1 = syncTotals(daemon);
                cpu -= threads.getCurrentThreadCpuTime() - mainCpu0;
                double load1 = os.getSystemLoadAverage();
                long gc = gcMillis() - gc0;
                Map<String, PoolWaits.Reading> pools1 = poolReadings();
                // a last sample: passes that ended just before the window's end
                Thread.sleep(SAMPLE_PERIOD.toMillis() * 2);
                sampler.close();
                if (sampler.failure() != null) {
                    throw new IllegalStateException("sampling failed: " + sampler.failure());
                }
                PassTimeline.Window w = sampler.timeline().window(names, from, to, poll, TOLERANCE);
                ObjectNode line = result(w, gauges, cpu, gc, sim0, sim1, metrics0, metrics1, pools0, pools1);
                line.put("firstSyncsSeconds", Duration.between(started, firstSyncs).toMillis() / 1000.0);
                List<Long> first = new ArrayList<>(sampler.timeline().firstPassMillis());
                line.put("firstSyncP50Ms", Stats.percentile(first, 50)).put("firstSyncMaxMs", Stats.percentile(first, 100));
                line.put("loadAverageStart", load0).put("loadAverageEnd", load1);
                out.println("RESULT " + JSON.writeValueAsString(line));
                out.flush();
            }
        }
    }

    /**
     * Waits until every cluster has {@code passes} recorded passes: 1, its first sync; 2, its first
     * scheduled poll too, which the scheduler spreads over the interval after the first one.
     */
    private Instant awaitPasses(FleetSampler sampler, Instant started, int passes, String what)
            throws InterruptedException {
        Instant limit = started.plus(WARMUP_LIMIT);
        int reported = -1;
        while (sampler.timeline().clustersWith(passes) < clusters) {
            if (sampler.failure() != null) {
                throw new IllegalStateException("sampling failed: " + sampler.failure());
            }
            int seen = sampler.timeline().clustersWith(passes);
            if (Instant.now().isAfter(limit)) {
                throw new IllegalStateException("warm-up: only " + seen + " of " + clusters + " clusters had their "
                        + what + " within " + WARMUP_LIMIT.toMinutes() + " minutes");
            }
            if (seen != reported) {
                reported = seen;
                progress("%s ended: %d of %d clusters", what, reported, clusters);
            }
            Thread.sleep(500);
        }
        return Instant.now();
    }

    private ObjectNode result(PassTimeline.Window w, Map<String, FleetSampler.Gauge> gauges, long cpuNanos, long gcMillis,
                              long[] sim0, long[] sim1, Map<String, Double> metrics0, Map<String, Double> metrics1,
                              Map<String, PoolWaits.Reading> pools0, Map<String, PoolWaits.Reading> pools1) {
        double minutes = w.minutes();
        int cores = Runtime.getRuntime().availableProcessors();
        double cpuPerMinute = cpuNanos / 1e9 / minutes;
        ObjectNode line = JSON.createObjectNode();
        line.put("clusters", clusters).put("vms", vms).put("nodes", nodes).put("pollSeconds", poll.toSeconds())
                .put("minutes", minutes).put("toleranceSeconds", TOLERANCE.toSeconds());
        line.put("passesPerMinuteMean", Stats.mean(w.perMinute())).put("passesPerMinuteMin", Stats.min(w.perMinute()))
                .put("passesPerMinuteMax", Stats.max(w.perMinute()));
        line.put("passes", w.durationsMs().size());
        double passesByMetrics = 0;
        for (Map.Entry<String, Double> e : metrics1.entrySet()) {
            double delta = e.getValue() - metrics0.getOrDefault(e.getKey(), 0.0);
            line.put("metricsPasses_" + e.getKey(), delta);
            passesByMetrics += delta;
        }
        line.put("passesByMetrics", passesByMetrics);
        line.put("latePasses", w.late()).put("missedPolls", w.missed()).put("longestGapSeconds", w.longestGapMs() / 1000.0);
        line.putPOJO("lateClusters", w.lateClusters().subList(0, Math.min(10, w.lateClusters().size())));
        line.putPOJO("results", w.results()).putPOJO("modes", w.modes());
        line.put("durationP50Ms", Stats.percentile(w.durationsMs(), 50))
                .put("durationP95Ms", Stats.percentile(w.durationsMs(), 95))
                .put("durationMaxMs", Stats.percentile(w.durationsMs(), 100));
        line.put("cpuSecondsPerMinute", cpuPerMinute).put("cores", cores)
                .put("cpuPercentOfCores", 100 * cpuPerMinute / 60 / cores)
                .put("gcSecondsPerMinute", gcMillis / 1000.0 / minutes);
        line.put("simConnectionsNewPerMinute", (sim1[0] - sim0[0]) / minutes)
                .put("apiRequestsPerMinute", (sim1[1] - sim0[1]) / minutes);
        gauges.forEach((name, g) -> line.put(name + ".mean", g.mean()).put(name + ".max", g.max()));
        pools1.forEach((name, r) -> {
            PoolWaits.Reading d = r.minus(pools0.getOrDefault(name, new PoolWaits.Reading(0, 0, 0, 0)));
            line.put("pool." + name + ".borrows", d.borrows()).put("pool." + name + ".waited", d.waited())
                    .put("pool." + name + ".waitSeconds", d.waitNanos() / 1e9)
                    .put("pool." + name + ".maxWaitMs", PoolWaits.pools().get(name).maxWaitNanos.get() / 1e6)
                    .put("pool." + name + ".timeouts", d.timeouts());
        });
        line.put("heapMaxMb", Runtime.getRuntime().maxMemory() / 1048576.0);
        return line;
    }

    private static Map<String, PoolWaits.Reading> poolReadings() {
        Map<String, PoolWaits.Reading> out = new TreeMap<>();
        PoolWaits.pools().forEach((name, pool) -> {
            if (DAEMON_POOLS.contains(name)) {
                out.put(name, pool.read());
            }
        });
        return out;
    }

    /** Connections accepted and requests served by every simulator so far. */
    private static long[] counts(BufferedReader simOut, PrintWriter simIn) throws IOException {
        simIn.println("counts");
        String line = simOut.readLine();
        if (line == null || !line.startsWith("COUNTS ")) {
            throw new IllegalStateException("the simulators' JVM did not answer counts: " + line);
        }
        String[] f = line.split(" ");
        return new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])};
    }

    /** pvesync_sync_total from the daemon's /metrics, summed over clusters, by result. */
    private static Map<String, Double> syncTotals(Daemon daemon) throws IOException {
        URI uri = URI.create("http://127.0.0.1:" + daemon.statusAddress().getPort() + "/metrics");
        java.net.HttpURLConnection c = (java.net.HttpURLConnection) uri.toURL().openConnection();
        Map<String, Double> out = new TreeMap<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(c.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.startsWith("pvesync_sync_total{")) {
                    int at = line.indexOf("result=\"") + "result=\"".length();
                    String result = line.substring(at, line.indexOf('"', at));
                    double value = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                    out.merge(result, value, Double::sum);
                }
            }
        } finally {
            c.disconnect();
        }
        return out;
    }

    private static long gcMillis() {
        long total = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            total += Math.max(0, gc.getCollectionTime());
        }
        return total;
    }

    private static void progress(String format, Object... args) {
        System.err.printf("fleet: " + format + "%n", args);
    }
}
