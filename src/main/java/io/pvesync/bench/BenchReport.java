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
 * pvesync's medians, the baseline's figures and the ratios, then (for results that have them:
 * older result files do not) when the rows were in the table, against the listing's bare download
 * and the baseline; a table of how those grow across sizes; then the targets of the performance
 * issues checked against the figures.
 */
public final class BenchReport {
    static final List<String> CASES = List.of("first-sync", "unchanged-poll", "changed-10pct", "changed-1vm",
            "vanished-1pct", "reconcile");
    private static final Map<String, String> TITLES = Map.of(
            "first-sync", "first sync (empty table)",
            "unchanged-poll", "unchanged poll",
            "changed-10pct", "poll, 10% changed",
            "changed-1vm", "poll, 1 VM started/stopped",
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
            md.append(timeToTable(vms));
        }
        md.append(growth());
        md.append(targets());
        return md.toString();
    }

    /**
     * When the rows were in the table, as the benchmark's watcher saw it (issue 10), against the
     * listing's bare download and the baseline; empty for results without those fields.
     */
    private String timeToTable(int vms) {
        List<JsonNode> first = select(vms, "first-sync", "pvesync");
        double rowsAll = median(first, "rowsAllMs");
        double floor = median(select(vms, "listing-floor", "floor"), "wallMs");
        double landed10 = median(select(vms, "changed-10pct", "pvesync"), "landedMs");
        double landed1 = median(select(vms, "changed-1vm", "pvesync"), "landedMs");
        if (Double.isNaN(rowsAll) && Double.isNaN(floor) && Double.isNaN(landed10) && Double.isNaN(landed1)) {
            return "";
        }
        StringBuilder md = new StringBuilder(fmt("Time to the table, %,d VMs (the watcher's view; ms from the"
                + " pass's start; medians of the runs above):%n%n", vms));
        md.append("| figure | pvesync | baseline | baseline / pvesync |\n| --- | ---: | ---: | ---: |\n");
        double listing = median(first, "listingMs");
        md.append(fmt("| first sync: the listing's answer read | %s | - | - |%n", ms(listing)));
        List<JsonNode> baseFirst = select(vms, "first-sync", "baseline");
        double baseRows = median(baseFirst, "rowsAllMs");
        md.append(fmt("| first sync: every row in the table | %s%s | %s | %s |%n", ms(rowsAll),
                Double.isNaN(rowsAll - listing) ? "" : fmt(" (listing + %,.0f)", rowsAll - listing), ms(baseRows),
                ratio(baseRows, rowsAll)));
        double addressesAll = median(first, "addressesAllMs");
        md.append(fmt("| first sync: every address in the table | %s%s | %s | - |%n", ms(addressesAll),
                Double.isNaN(addressesAll) ? "" : fmt(" (%,.0f addresses)", median(first, "addresses")),
                baseFirst.isEmpty() ? "-" : "none read"));
        md.append(fmt("| the floor: bare download of the listing (median of %d) | %s | - | - |%n",
                select(vms, "listing-floor", "floor").size(), ms(floor)));
        List<JsonNode> unchanged = select(vms, "unchanged-poll", "pvesync");
        double poll = median(unchanged, "wallMs");
        double basePoll = median(select(vms, "unchanged-poll", "baseline"), "wallMs");
        md.append(fmt("| unchanged poll (median of %d) | %s%s | %s | %s |%n", unchanged.size(), ms(poll),
                Double.isNaN(floor) ? "" : fmt(" = %.2fx the floor", poll / floor), ms(basePoll), ratio(basePoll, poll)));
        landing(md, vms, "changed-10pct", "change landing, 10% of the VMs");
        landing(md, vms, "changed-1vm", "change landing, 1 VM's status");
        return md.append('\n').toString();
    }

    private void landing(StringBuilder md, int vms, String kase, String title) {
        List<JsonNode> ours = select(vms, kase, "pvesync");
        List<JsonNode> theirs = select(vms, kase, "baseline");
        double landed = median(ours, "landedMs");
        double baseLanded = median(theirs, "landedMs");
        double rows = median(ours, "changedRows");
        md.append(fmt("| %s (%,.0f %s): landed, pass wall | %s, %s | %s, %s | %s |%n", title, rows,
                rows == 1 ? "row" : "rows", ms(landed), ms(median(ours, "wallMs")), ms(baseLanded),
                ms(median(theirs, "wallMs")), ratio(baseLanded, landed)));
    }

    /** How the figures of {@link #timeToTable} grow: each per 1,000 VMs, one column per size. */
    private String growth() {
        TreeSet<Integer> sizes = sizes();
        List<String[]> figures = List.of(
                new String[] {"first sync: the listing's answer read", "first-sync", "pvesync", "listingMs"},
                new String[] {"first sync: every row in the table", "first-sync", "pvesync", "rowsAllMs"},
                new String[] {"first sync: every address in the table", "first-sync", "pvesync", "addressesAllMs"},
                new String[] {"the floor: bare download of the listing", "listing-floor", "floor", "wallMs"},
                new String[] {"unchanged poll", "unchanged-poll", "pvesync", "wallMs"},
                new String[] {"change landing, 10% of the VMs", "changed-10pct", "pvesync", "landedMs"},
                new String[] {"change landing, 1 VM's status", "changed-1vm", "pvesync", "landedMs"},
                new String[] {"baseline: unchanged poll", "unchanged-poll", "baseline", "wallMs"},
                new String[] {"baseline: first sync, every row in the table", "first-sync", "baseline", "rowsAllMs"});
        StringBuilder body = new StringBuilder();
        boolean any = false;
        for (String[] f : figures) {
            body.append("| ").append(f[0]).append(" |");
            for (int vms : sizes) {
                double v = median(select(vms, f[1], f[2]), f[3]);
                any |= !Double.isNaN(v) && !f[3].equals("wallMs");
                body.append(Double.isNaN(v) ? " - |" : fmt(" %,.1f |", v * 1000 / vms));
            }
            body.append('\n');
        }
        if (!any) {
            return "";
        }
        StringBuilder md = new StringBuilder("### Growth (ms per 1,000 VMs, medians)\n\n| figure |");
        sizes.forEach(vms -> md.append(fmt(" %,d VMs |", vms)));
        md.append("\n| --- |");
        sizes.forEach(vms -> md.append(" ---: |"));
        return md.append('\n').append(body).append('\n').toString();
    }

    private static String ms(double value) {
        return Double.isNaN(value) ? "-" : fmt("%,.0f ms", value);
    }

    private static String ratio(double theirs, double ours) {
        return Double.isNaN(theirs / ours) ? "-" : fmt("%.1fx", theirs / ours);
    }

    /** The daemon's default {@code schedule.poll}: a change lands "within one poll" when it lands within this. */
    static final double DEFAULT_POLL_MS = 30_000;

    private String targets() {
        boolean realistic = results.stream().anyMatch(r -> r.path("timing").asText().equals("realistic"));
        return realistic ? twoSpeedTargets() : listingTargets();
    }

    /** Issue 10's targets, under Proxmox's timing (BENCHMARKS.md, "Targets"). */
    private String twoSpeedTargets() {
        StringBuilder md = new StringBuilder("### Targets (issue 10, Proxmox's timing)\n\n| target | measured | met |\n"
                + "| --- | --- | --- |\n");
        List<JsonNode> first = select(10_000, "first-sync", "pvesync");
        double rowsAfterListing = median(first.stream().filter(r -> r.hasNonNull("rowsAllMs")
                && r.hasNonNull("listingMs")).toList(), r -> r.path("rowsAllMs").asDouble() - r.path("listingMs").asDouble());
        if (!Double.isNaN(rowsAfterListing)) {
            row(md, "first sync of 10,000 VMs: every row in the table within 1 s of the listing's answer",
                    fmt("%.0f ms after it (median of %d)", rowsAfterListing, first.size()), rowsAfterListing <= 1000);
        }
        double landed = max(select(10_000, "changed-10pct", "pvesync").stream().filter(r -> r.hasNonNull("landedMs"))
                .toList(), r -> r.path("landedMs").asDouble());
        if (!Double.isNaN(landed)) {
            row(md, "a change to 1,000 of 10,000 VMs lands within one poll (" + (int) (DEFAULT_POLL_MS / 1000) + " s)",
                    fmt("every changed row in the table %.0f ms after the pass began (slowest run)", landed),
                    landed <= DEFAULT_POLL_MS);
        }
        List<JsonNode> unchanged = select(10_000, "unchanged-poll", "pvesync");
        double wall = median(unchanged, r -> r.path("wallMs").asDouble());
        double floor = median(select(10_000, "listing-floor", "floor"), "wallMs");
        if (!Double.isNaN(wall) && !Double.isNaN(floor)) {
            row(md, "unchanged 10,000-VM poll: at most 1.5x the bare download of the listing",
                    fmt("%.2fx (%.0f ms against %.0f ms, medians)", wall / floor, wall, floor), wall <= 1.5 * floor);
        }
        List<JsonNode> base = select(10_000, "unchanged-poll", "baseline");
        if (!Double.isNaN(wall) && !base.isEmpty()) {
            double theirs = median(base, r -> r.path("wallMs").asDouble());
            row(md, "unchanged 10,000-VM poll: at least 20x the baseline's wall time",
                    fmt("%.1fx (%.0f ms against %.0f ms; the floor itself is %.1fx)", theirs / wall, theirs, wall,
                            theirs / floor), theirs / wall >= 20);
        }
        heapTarget(md);
        return md.toString();
    }

    private void heapTarget(StringBuilder md) {
        List<JsonNode> big = select(50_000, "unchanged-poll", "pvesync");
        if (!big.isEmpty()) {
            double heap = big.get(0).path("maxHeapMb").asDouble();
            double peak = max(select(50_000, "first-sync", "pvesync"), r -> r.path("heapPeakMb").asDouble());
            row(md, "50,000 VMs run with -Xmx256m", fmt("every case passed in a worker JVM limited to %.0f MB"
                    + " (first sync heap peak %.0f MB)", heap, peak), heap <= 256.5);
        }
    }

    /** The targets of the listing-only benchmark (November 2026, {@code --timing none}). */
    private String listingTargets() {
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
            double floor = median(select(10_000, "listing-floor", "floor"), "wallMs");
            if (!Double.isNaN(floor)) {
                row(md, "unchanged 10,000-VM poll: at most 1.5x the bare download of the listing",
                        fmt("%.2fx (%.0f ms against %.0f ms, medians)", wall / floor, wall, floor), wall <= 1.5 * floor);
            }
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
        heapTarget(md);
        boundedRequests(md);
        return md.toString();
    }

    private void boundedRequests(StringBuilder md) {
        boolean bounded = true;
        StringBuilder seen = new StringBuilder();
        StringBuilder over = new StringBuilder();
        for (int vms : sizes()) {
            for (String kase : List.of("unchanged-poll", "changed-10pct", "changed-1vm", "vanished-1pct")) {
                for (JsonNode r : select(vms, kase, "pvesync")) {
                    int newOrChanged = r.path("inserted").asInt() + r.path("updated").asInt();
                    if (r.path("guestApi").asInt() > 2 * newOrChanged) {
                        bounded = false;
                        over.append(fmt("; over the bound: %s at %,d VMs, run %d: %,d for %,d", TITLES.get(kase), vms,
                                r.path("rep").asInt(), r.path("guestApi").asInt(), newOrChanged));
                    }
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
                seen + "0 in unchanged polls" + over, bounded);
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

    /** The median of {@code field} over the rows that have it; NaN when none has (older result files). */
    static double median(List<JsonNode> rows, String field) {
        return median(rows.stream().filter(r -> r.hasNonNull(field)).toList(), r -> r.path(field).asDouble());
    }

    private static double max(List<JsonNode> rows, ToDoubleFunction<JsonNode> value) {
        return rows.stream().mapToDouble(value).max().orElse(Double.NaN);
    }
}
