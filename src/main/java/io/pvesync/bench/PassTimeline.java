package io.pvesync.bench;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * Every pass of every cluster as the daemon recorded it (start, duration, mode, result in
 * {@code pvesync.cluster_state}), gathered by sampling that record more often than a pass ends,
 * and what a measured window makes of them: passes per minute, late passes and missed polls,
 * durations.
 *
 * <p>A poll is missed when a cluster's next pass started more than the interval plus a tolerance
 * after the one before: each scheduled fire that went by more than the tolerance without a pass is
 * one missed poll. A gap still open at the window's end counts too (a cluster that stopped
 * passing altogether must not look healthy).
 */
final class PassTimeline {
    /** One pass as recorded. */
    record Pass(Instant startedAt, long durationMs, String mode, String result) {
    }

    private final Map<String, ConcurrentSkipListMap<Instant, Pass>> byCluster = new ConcurrentHashMap<>();

    /** Records a pass (seeing the same one again, as every sample does until the next pass ends, changes nothing). */
    void saw(String cluster, Pass pass) {
        byCluster.computeIfAbsent(cluster, c -> new ConcurrentSkipListMap<>()).putIfAbsent(pass.startedAt(), pass);
    }

    /** The clusters with at least {@code passes} recorded passes. */
    int clustersWith(int passes) {
        return (int) byCluster.values().stream().filter(m -> m.size() >= passes).count();
    }

    /** The durations of each cluster's first pass (its first sync). */
    List<Long> firstPassMillis() {
        List<Long> out = new ArrayList<>();
        byCluster.values().forEach(m -> out.add(m.firstEntry().getValue().durationMs()));
        return out;
    }

    /** What the window [from, to) holds, for {@code clusters} clusters polled every {@code interval}. */
    Window window(List<String> clusters, Instant from, Instant to, Duration interval, Duration tolerance) {
        double minutes = Duration.between(from, to).toMillis() / 60_000.0;
        long limit = interval.plus(tolerance).toMillis();
        List<Double> perMinute = new ArrayList<>();
        List<Long> durations = new ArrayList<>();
        Map<String, Integer> results = new TreeMap<>();
        Map<String, Integer> modes = new TreeMap<>();
        int late = 0;
        int missed = 0;
        long longestGap = 0;
        List<String> lateClusters = new ArrayList<>();
        for (String cluster : clusters) {
            TreeMap<Instant, Pass> passes = new TreeMap<>(byCluster.getOrDefault(cluster, new ConcurrentSkipListMap<>()));
            Map<Instant, Pass> inside = passes.subMap(from, true, to, false);
            perMinute.add(inside.size() / minutes);
            for (Pass p : inside.values()) {
                durations.add(p.durationMs());
                results.merge(p.result(), 1, Integer::sum);
                modes.merge(p.mode(), 1, Integer::sum);
            }
            // every gap that ends inside the window, from the pass before it (perhaps before the window)
            List<Instant> starts = new ArrayList<>();
            Instant before = passes.lowerKey(from);
            if (before != null) {
                starts.add(before);
            }
            starts.addAll(inside.keySet());
            starts.add(to); // the gap still open at the end
            int lateHere = 0;
            for (int i = 1; i < starts.size(); i++) {
                long gap = Duration.between(starts.get(i - 1), starts.get(i)).toMillis();
                longestGap = Math.max(longestGap, gap);
                if (gap > limit) {
                    lateHere++;
                    missed += missedPolls(gap, interval, tolerance);
                }
            }
            late += lateHere;
            if (lateHere > 0) {
                lateClusters.add(cluster);
            }
        }
        return new Window(minutes, perMinute, durations, results, modes, late, missed, longestGap, lateClusters);
    }

    /** The scheduled fires within {@code gap} that went by more than the tolerance without a pass. */
    static int missedPolls(long gapMillis, Duration interval, Duration tolerance) {
        long over = gapMillis - tolerance.toMillis();
        if (over <= interval.toMillis()) {
            return 0;
        }
        return (int) ((over + interval.toMillis() - 1) / interval.toMillis()) - 1;
    }

    /**
     * @param perMinute     passes started per minute, one figure per cluster
     * @param durationsMs   every pass started in the window
     * @param late          gaps longer than interval + tolerance
     * @param missed        scheduled polls that went by without a pass
     * @param longestGapMs  the longest time between two pass starts of one cluster (or to the window's end)
     */
    record Window(double minutes, List<Double> perMinute, List<Long> durationsMs, Map<String, Integer> results,
                  Map<String, Integer> modes, int late, int missed, long longestGapMs, List<String> lateClusters) {
    }
}
