package io.pvesync.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * The Markdown report of fleet runs ({@code pvesync bench --fleet}): one column per fleet size,
 * one row per figure, from the {@code RESULT} lines of {@link FleetWorker}.
 */
public final class FleetReport {
    private final List<JsonNode> runs;

    public FleetReport(List<JsonNode> runs) {
        this.runs = List.copyOf(runs);
    }

    /** A row: its label and how to print it from a run. */
    private record Row(String label, Function<JsonNode, String> cell) {
    }

    public String markdown() {
        List<Row> rows = List.of(
                new Row("nodes per cluster; poll", r -> r.path("nodes").asInt() + "; " + r.path("pollSeconds").asInt() + " s"),
                new Row("measured window", r -> f1(r.path("minutes").asDouble()) + " min"),
                new Row("first syncs of every cluster ended after", r -> f1(r.path("firstSyncsSeconds").asDouble())
                        + " s (first sync p50 " + ms(r, "firstSyncP50Ms") + ", max " + ms(r, "firstSyncMaxMs") + ")"),
                new Row("passes per minute per cluster (mean, min-max)", r -> f2(r.path("passesPerMinuteMean").asDouble())
                        + " (" + f2(r.path("passesPerMinuteMin").asDouble()) + "-" + f2(r.path("passesPerMinuteMax").asDouble()) + ")"),
                new Row("passes started in the window (recorded); ended (/metrics)", r -> r.path("passes").asInt() + "; "
                        + Math.round(r.path("passesByMetrics").asDouble()) + " " + r.path("results").toString()),
                new Row("late passes / missed polls (gap > poll + " + tolerance() + " s)", r -> r.path("latePasses").asInt()
                        + " / " + r.path("missedPolls").asInt()),
                new Row("longest gap between a cluster's pass starts", r -> f1(r.path("longestGapSeconds").asDouble()) + " s"),
                new Row("pass duration p50 / p95 / max", r -> ms(r, "durationP50Ms") + " / " + ms(r, "durationP95Ms")
                        + " / " + ms(r, "durationMaxMs")),
                new Row("process CPU (pvesync's JVM)", r -> f1(r.path("cpuSecondsPerMinute").asDouble()) + " s/min = "
                        + f1(r.path("cpuPercentOfCores").asDouble()) + " % of " + r.path("cores").asInt() + " cores"),
                new Row("GC", r -> f2(r.path("gcSecondsPerMinute").asDouble()) + " s/min"),
                new Row("heap used (mean / max; limit)", r -> mb(r, "heapUsedMb.mean") + " / " + mb(r, "heapUsedMb.max")
                        + "; " + mb(r, "heapMaxMb")),
                new Row("JVM threads (max)", r -> Integer.toString((int) r.path("threads.max").asDouble())),
                new Row("open connections to the simulators (mean / max)", r -> f1(r.path("simConnectionsOpen.mean").asDouble())
                        + " / " + (int) r.path("simConnectionsOpen.max").asDouble()),
                new Row("new connections (TLS handshakes) per minute", r -> f1(r.path("simConnectionsNewPerMinute").asDouble())),
                new Row("API requests per minute", r -> String.format(Locale.ROOT, "%,.0f", r.path("apiRequestsPerMinute").asDouble())),
                new Row("PostgreSQL connections held (mean / max): all", r -> gauge(r, "pg.total")),
                new Row("... application_name pvesync", r -> gauge(r, "pg.pvesync")),
                new Row("... application_name pvesync-passlock@host", r -> gauge(r, "pg.pvesync-passlock")),
                new Row("pool pvesync: borrows; borrows > 1 ms; their total; slowest; timeouts", r -> pool(r, "pvesync")),
                new Row("pool pvesync: threads waiting for a connection (sampled, mean / max)",
                        r -> gauge(r, "pool.pvesync.waiting")),
                new Row("pool pvesync-passlock: borrows; borrows > 1 ms; their total; slowest; timeouts",
                        r -> pool(r, "pvesync-passlock")),
                new Row("pool pvesync-passlock: threads waiting for a connection (sampled, mean / max)",
                        r -> gauge(r, "pool.pvesync-passlock.waiting")),
                new Row("machine load average (start, end)", r -> f2(r.path("loadAverageStart").asDouble()) + ", "
                        + f2(r.path("loadAverageEnd").asDouble())));
        StringBuilder md = new StringBuilder();
        md.append("| | ");
        List<String> heads = new ArrayList<>();
        runs.forEach(r -> heads.add(String.format(Locale.ROOT, "%d clusters x %,d VMs", r.path("clusters").asInt(),
                r.path("vms").asInt())));
        md.append(String.join(" | ", heads)).append(" |\n|---|");
        runs.forEach(r -> md.append("---|"));
        md.append('\n');
        for (Row row : rows) {
            md.append("| ").append(row.label()).append(" |");
            runs.forEach(r -> md.append(' ').append(row.cell().apply(r)).append(" |"));
            md.append('\n');
        }
        for (JsonNode r : runs) {
            if (r.path("lateClusters").size() > 0) {
                md.append(String.format(Locale.ROOT, "%nLate clusters (%d x %,d, first 10): %s%n", r.path("clusters").asInt(),
                        r.path("vms").asInt(), r.path("lateClusters")));
            }
        }
        return md.toString();
    }

    private long tolerance() {
        return runs.isEmpty() ? FleetWorker.TOLERANCE.toSeconds() : runs.get(0).path("toleranceSeconds").asLong();
    }

    private static String pool(JsonNode r, String pool) {
        String p = "pool." + pool + ".";
        if (!r.has(p + "borrows")) {
            return "-";
        }
        return String.format(Locale.ROOT, "%,d; %,d; %.2f s; %.0f ms; %d", r.path(p + "borrows").asLong(),
                r.path(p + "waited").asLong(), r.path(p + "waitSeconds").asDouble(), r.path(p + "maxWaitMs").asDouble(),
                r.path(p + "timeouts").asLong());
    }

    private static String gauge(JsonNode r, String name) {
        if (!r.has(name + ".mean")) {
            return "0 / 0";
        }
        return f1(r.path(name + ".mean").asDouble()) + " / " + (int) r.path(name + ".max").asDouble();
    }

    private static String ms(JsonNode r, String field) {
        double ms = r.path(field).asDouble();
        return ms >= 10_000 ? f1(ms / 1000) + " s" : String.format(Locale.ROOT, "%.0f ms", ms);
    }

    private static String mb(JsonNode r, String field) {
        return String.format(Locale.ROOT, "%.0f MB", r.path(field).asDouble());
    }

    private static String f1(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    private static String f2(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }
}
