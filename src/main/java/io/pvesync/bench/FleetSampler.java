package io.pvesync.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadMXBean;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Looks at the daemon under test once a {@code period}, from a thread of its own whose CPU time
 * {@link FleetWorker} subtracts from the process's: the passes the daemon recorded
 * ({@code pvesync.cluster_state}, into the {@link PassTimeline}), the connections it holds on the
 * PostgreSQL server ({@code pg_stat_activity} by application_name, over the sampler's own
 * connection, which is not counted), its pools' busy and waiting counts, its heap, its threads and
 * its open connections to the simulators.
 */
final class FleetSampler implements AutoCloseable {
    static final String APPLICATION_NAME = "pvesync-fleet-sampler";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Connection admin;
    private final String database;
    private final OpenSockets sockets;
    private final Duration period;
    private final PassTimeline timeline = new PassTimeline();
    private final Map<String, Gauge> gauges = new ConcurrentHashMap<>();
    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final Thread thread;
    private volatile boolean stop;
    private volatile String failure;

    FleetSampler(Connection admin, String database, OpenSockets sockets, Duration period) {
        this.admin = admin;
        this.database = database;
        this.sockets = sockets;
        this.period = period;
        this.thread = new Thread(this::loop, "fleet-sampler");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    PassTimeline timeline() {
        return timeline;
    }

    /** CPU time of the sampler's own thread so far, to be subtracted from the process's. */
    long cpuNanos() {
        return threads.getThreadCpuTime(thread.getId());
    }

    /** Forgets the gauges' readings (the timeline keeps every pass): the measured window starts. */
    void resetGauges() {
        gauges.clear();
    }

    /** Mean and maximum of every gauge since the last reset, by name. */
    Map<String, Gauge> gauges() {
        return new TreeMap<>(gauges);
    }

    /** Why sampling failed, if it did (the figures then end where it failed). */
    String failure() {
        return failure;
    }

    private void loop() {
        while (!stop) {
            long next = System.nanoTime() + period.toNanos();
            try {
                sample();
            } catch (SQLException | RuntimeException e) {
                failure = e.toString();
                return;
            }
            long sleep = next - System.nanoTime();
            if (sleep > 0) {
                try {
                    Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    private void sample() throws SQLException {
        try (PreparedStatement st = admin.prepareStatement(
                "SELECT cluster, state->'lastPass' FROM pvesync.cluster_state WHERE state->'lastPass' IS NOT NULL");
             ResultSet rs = st.executeQuery()) {
            while (rs.next()) {
                JsonNode pass = read(rs.getString(2));
                timeline.saw(rs.getString(1), new PassTimeline.Pass(Instant.parse(pass.path("startedAt").asText()),
                        pass.path("durationMs").asLong(), pass.path("mode").asText(), pass.path("result").asText()));
            }
        }
        Map<String, Integer> held = new TreeMap<>();
        int total = 0;
        try (PreparedStatement st = admin.prepareStatement("SELECT application_name, count(*) FROM pg_stat_activity"
                + " WHERE datname = ? AND pid <> pg_backend_pid() GROUP BY 1")) {
            st.setString(1, database);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    String name = rs.getString(1);
                    // pass-lock connections are named pool@host: one figure per pool
                    held.merge("pg." + (name.contains("@") ? name.substring(0, name.indexOf('@')) : name),
                            rs.getInt(2), Integer::sum);
                    total += rs.getInt(2);
                }
            }
        }
        held.forEach(this::gauge);
        gauge("pg.total", total);
        PoolWaits.pools().forEach((name, pool) -> {
            if (!FleetWorker.DAEMON_POOLS.contains(name)) {
                return;
            }
            gauge("pool." + name + ".active", pool.stats.getActiveConnections());
            gauge("pool." + name + ".total", pool.stats.getTotalConnections());
            gauge("pool." + name + ".waiting", pool.stats.getPendingThreads());
        });
        gauge("heapUsedMb", memory.getHeapMemoryUsage().getUsed() / 1048576.0);
        gauge("threads", threads.getThreadCount());
        gauge("simConnectionsOpen", sockets.count());
    }

    private static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("pvesync.cluster_state: lastPass is not JSON: " + json, e);
        }
    }

    private void gauge(String name, double value) {
        gauges.computeIfAbsent(name, n -> new Gauge()).add(value);
    }

    @Override
    public void close() throws InterruptedException {
        stop = true;
        thread.interrupt();
        thread.join(5_000);
    }

    /** Mean and maximum of a sampled figure. */
    static final class Gauge {
        private double sum;
        private double max = Double.NEGATIVE_INFINITY;
        private int samples;

        synchronized void add(double value) {
            sum += value;
            max = Math.max(max, value);
            samples++;
        }

        synchronized double mean() {
            return samples == 0 ? 0 : sum / samples;
        }

        synchronized double max() {
            return samples == 0 ? 0 : max;
        }
    }
}
