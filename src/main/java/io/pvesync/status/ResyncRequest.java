package io.pvesync.status;

import io.pvesync.config.Durations;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The query of {@code POST /resync}: {@code cluster=NAME} (repeatable; none = every cluster) and
 * {@code wait=30s}. Unknown parameters are refused, so {@code ?clustr=lab} never silently resyncs
 * every cluster.
 *
 * @param clusters the named clusters in the order given, without repeats; empty = every cluster
 * @param waitFor  how long to wait for the passes, at most {@link #MAX_WAIT}; empty = do not wait
 */
record ResyncRequest(List<String> clusters, Optional<Duration> waitFor) {
    /** Long enough for a reconcile of a large cluster, short enough that no proxy gives up first. */
    static final Duration MAX_WAIT = Duration.ofMinutes(5);

    ResyncRequest {
        clusters = List.copyOf(clusters);
    }

    /**
     * @param rawQuery the URI's raw query; null when there is none
     * @throws IllegalArgumentException with a message for the caller, naming the bad parameter
     */
    static ResyncRequest parse(String rawQuery) {
        Set<String> clusters = new LinkedHashSet<>();
        Optional<Duration> wait = Optional.empty();
        List<String> unknown = new ArrayList<>();
        if (rawQuery != null && !rawQuery.isEmpty()) {
            for (String pair : rawQuery.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String key = decode(eq < 0 ? pair : pair.substring(0, eq));
                String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
                switch (key) {
                    case "cluster" -> {
                        if (value.isBlank()) {
                            throw new IllegalArgumentException("cluster: a name is required");
                        }
                        clusters.add(value);
                    }
                    case "wait" -> wait = Optional.of(duration(value));
                    default -> unknown.add(key);
                }
            }
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown parameter " + String.join(", ", unknown)
                    + " (known: cluster, wait)");
        }
        return new ResyncRequest(new ArrayList<>(clusters), wait);
    }

    private static Duration duration(String value) {
        try {
            Duration d = Durations.parse(value);
            return d.compareTo(MAX_WAIT) > 0 ? MAX_WAIT : d;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("wait: " + e.getMessage(), e);
        }
    }

    private static String decode(String text) {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the query is not valid URL encoding", e);
        }
    }
}
