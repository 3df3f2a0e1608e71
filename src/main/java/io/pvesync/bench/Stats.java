package io.pvesync.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Plain statistics of a benchmark's figures; 0 for an empty list (nothing happened). */
final class Stats {
    private Stats() {
    }

    /** The nearest-rank percentile ({@code p} from 0 to 100; 100 is the maximum). */
    static double percentile(List<? extends Number> values, double p) {
        if (values.isEmpty()) {
            return 0;
        }
        List<Double> sorted = new ArrayList<>();
        values.forEach(v -> sorted.add(v.doubleValue()));
        Collections.sort(sorted);
        int rank = (int) Math.ceil(p / 100 * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }

    static double mean(List<? extends Number> values) {
        return values.stream().mapToDouble(Number::doubleValue).average().orElse(0);
    }

    static double min(List<? extends Number> values) {
        return values.stream().mapToDouble(Number::doubleValue).min().orElse(0);
    }

    static double max(List<? extends Number> values) {
        return values.stream().mapToDouble(Number::doubleValue).max().orElse(0);
    }
}
