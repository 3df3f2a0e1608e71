package io.pvesync.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.ToDoubleFunction;

/**
 * Turns the workers' {@code RESULT} lines into Markdown: per size a table of every case with
 * pvesync's medians, the baseline's figures and the ratios, then the targets of the performance
 * issue checked against the figures.
 */
public final class BenchReport {
    static final List<String> CASES = List.of("first-sync", "unchanged-poll", "changed-10pct", "vanished-1pct",
            "reconcile");
    private static final Map<String, String> TITLES = Map.of(
            "first-sync", "first sync (empty table)",
            "unchanged-poll", "unchanged poll",
            "changed-10pct", "poll, 10% changed",
            "vanished-1pct", "poll, 1% vanished",
            "reconcile", "reconcile (address refresh)");

    private final List<JsonNode> results;

    public BenchReport(List<JsonNode> results) {
        this.results = List.copyOf(results);
    }

    /** The Markdown text. */
    public String markdown() {
        StringBuilder md = new StringBuilder();
        for (int vms : sizes()) {
            int nodes = (int) select(vms, "first-sync", "pvesync").get(0).path("nodes").asInt();
            double maxHeap = select(vms, "first-sync", "pvesync").get(0).path("maxHeapMb").asDouble();
            double simHeap = select(vms, "first-sync", "pvesync").get(0).path("simHeapMb").asDouble();
            md.append(String.format(Locale.ROOT, "### %,d VMs on %d nodes (worker heap limit %.0f MB, simulator"
                    + " resident %.0f MB)%n%n", vms, nodes, maxHeap, simHeap));
            md.append("| case | runs | wall ms | CPU ms | API req. | per-guest req. | SQL stmts | rows written"
                    + " | heap peak MB | allocated MB | baseline wall ms | baseline CPU ms | baseline API req. | baseline SQL"
                    + " | baseline rows | wall ratio | API ratio |\n");
            md.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
            for (String kase : CASES) {
                List<JsonNode> ours = select(vms, kase, "pvesync");
                if (ours.isEmpty()) {
                    continue;
                }
                List<JsonNode> theirs = select(vms, kase, "baseline");
                double wall = median(ours, r -> r.path("wallMs").asDouble());
                double api = median(ours, r -> r.path("api").asDouble());
                md.append(String.format(Locale.ROOT, "| %s | %d | %.0f | %.0f | %,.0f | %,.0f | %,.0f | %,.0f | %.0f | %.0f |",
                        TITLES.get(kase), ours.size(), wall, median(ours, r -> r.path("cpuMs").asDouble()), api,
                        median(ours, r -> r.path("guestApi").asDouble()), median(ours, r -> r.path("sql").asDouble()),
                        median(ours, r -> r.path("rows").asDouble()), median(ours, r -> r.path("heapPeakMb").asDouble()),
                        median(ours, r -> r.path("allocatedMb").asDouble())));
                if (theirs.isEmpty()) {
                    md.append(" - | - | - | - | - | - | - |\n");
                } else {
                    double bWall = median(theirs, r -> r.path("wallMs").asDouble());
                    double bApi = median(theirs, r -> r.path("api").asDouble());
                    md.append(String.format(Locale.ROOT, " %.0f | %.0f | %,.0f | %,.0f | %,.0f | %.1fx | %,.0fx |%n",
                            bWall, median(theirs, r -> r.path("cpuMs").asDouble()), bApi,
                            median(theirs, r -> r.path("sql").asDouble()), median(theirs, r -> r.path("rows").asDouble()),
                            bWall / wall, bApi / Math.max(api, 1)));
                }
            }
            md.append('\n');
        }
        md.append(targets());
        return md.toString();
    }

    private String targets() {
        StringBuilder md = new StringBuilder("### Targets\n\n| target | measured | met |\n| --- | --- | --- |\n");
        List<JsonNode> unchanged = select(10_000, "unchanged-poll", "pvesync");
        if (!unchanged.isEmpty()) {
            double api = max(unchanged, r -> r.path("api").asDouble());
            double rows = max(unchanged, r -> r.path("rows").asDouble());
            double wall = median(unchanged, r -> r.path("wallMs").asDouble());
            row(md, "unchanged 10,000-VM poll: one API request", fmt("%.0f (largest of %d runs)", api, unchanged.size()),
                    api == 1);
            row(md, "unchanged 10,000-VM poll: zero rows written", fmt("%.0f (largest)", rows), rows == 0);
            row(md, "unchanged 10,000-VM poll: under 150 ms wall after warm-up", fmt("%.0f ms (median)", wall),
                    wall < 150);
            List<JsonNode> base = select(10_000, "unchanged-poll", "baseline");
            if (!base.isEmpty()) {
                double ratio = median(base, r -> r.path("wallMs").asDouble()) / wall;
                row(md, "unchanged 10,000-VM poll: at least 20x faster than the baseline", fmt("%.1fx", ratio),
                        ratio >= 20);
            }
        }
        List<JsonNode> first = select(10_000, "first-sync", "pvesync");
        if (!first.isEmpty()) {
            double wall = median(first, r -> r.path("wallMs").asDouble());
            row(md, "first sync of 10,000 VMs under 2 s", fmt("%.0f ms (median)", wall), wall < 2000);
        }
        List<JsonNode> changed = select(10_000, "changed-10pct", "pvesync");
        if (!changed.isEmpty()) {
            double wall = median(changed, r -> r.path("wallMs").asDouble());
            row(md, "10% of 10,000 VMs changed under 500 ms", fmt("%.0f ms (median)", wall), wall < 500);
        }
        List<JsonNode> big = select(50_000, "unchanged-poll", "pvesync");
        if (!big.isEmpty()) {
            double heap = big.get(0).path("maxHeapMb").asDouble();
            row(md, "50,000 VMs run with -Xmx256m", fmt("every case passed in a worker JVM limited to %.0f MB", heap),
                    heap <= 256.5);
        }
        boolean bounded = true;
        StringBuilder seen = new StringBuilder();
        for (int vms : sizes()) {
            for (String kase : List.of("unchanged-poll", "changed-10pct", "vanished-1pct")) {
                for (JsonNode r : select(vms, kase, "pvesync")) {
                    int newOrChanged = r.path("inserted").asInt() + r.path("updated").asInt();
                    bounded &= r.path("guestApi").asInt() <= 2 * newOrChanged;
                }
                List<JsonNode> rs = select(vms, kase, "pvesync");
                if (!rs.isEmpty() && kase.equals("changed-10pct")) {
                    seen.append(fmt("%,d VMs: %,.0f per-guest requests for %,.0f changed rows; ", vms,
                            median(rs, r -> r.path("guestApi").asDouble()),
                            median(rs, r -> r.path("updated").asDouble())));
                }
            }
        }
        row(md, "address requests per poll bounded by new and changed VMs (at most 2 each: config, address)",
                seen + "0 in unchanged polls", bounded);
        return md.toString();
    }

    private static void row(StringBuilder md, String target, String measured, boolean met) {
        md.append("| ").append(target).append(" | ").append(measured).append(" | ").append(met ? "yes" : "**no**")
                .append(" |\n");
    }

    private static String fmt(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }

    private TreeSet<Integer> sizes() {
        TreeSet<Integer> sizes = new TreeSet<>();
        results.forEach(r -> sizes.add(r.path("vms").asInt()));
        return sizes;
    }

    private List<JsonNode> select(int vms, String kase, String system) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode r : results) {
            if (r.path("vms").asInt() == vms && r.path("case").asText().equals(kase)
                    && r.path("system").asText().equals(system)) {
                out.add(r);
            }
        }
        return out;
    }

    static double median(List<JsonNode> rows, ToDoubleFunction<JsonNode> value) {
        double[] v = rows.stream().mapToDouble(value).sorted().toArray();
        if (v.length == 0) {
            return Double.NaN;
        }
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static double max(List<JsonNode> rows, ToDoubleFunction<JsonNode> value) {
        return rows.stream().mapToDouble(value).max().orElse(Double.NaN);
    }
}
