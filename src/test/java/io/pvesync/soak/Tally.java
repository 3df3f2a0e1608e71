package io.pvesync.soak;

import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** Counts per kind of what a soak did, for its summary line: {@code 12 (create 3, stop 9)}. */
final class Tally {
    private final Map<String, Integer> counts = new TreeMap<>();

    void add(String kind) {
        counts.merge(kind, 1, Integer::sum);
    }

    int total() {
        return counts.values().stream().mapToInt(Integer::intValue).sum();
    }

    int count(String kind) {
        return counts.getOrDefault(kind, 0);
    }

    @Override
    public String toString() {
        if (counts.isEmpty()) {
            return "0";
        }
        return total() + " (" + counts.entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
                .collect(Collectors.joining(", ")) + ")";
    }
}
