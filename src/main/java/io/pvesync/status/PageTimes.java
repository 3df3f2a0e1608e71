package io.pvesync.status;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Moments and spans on the status page: the time in UTC (what the logs and /status say, so they
 * can be matched) with how long ago or ahead it is (what a person reads first).
 */
final class PageTimes {
    private static final DateTimeFormatter UTC = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
            .withZone(ZoneOffset.UTC);

    private PageTimes() {
    }

    /** {@code 2026-03-01 10:00:05 UTC} */
    static String utc(Instant at) {
        return UTC.format(at);
    }

    /** {@code 2026-03-01 10:00:05 UTC (3m 5s ago)}, {@code ... (in 25s)}, {@code ... (now)}. */
    static String moment(Instant at, Instant now) {
        return utc(at) + " (" + relative(at, now) + ")";
    }

    /** {@code 3m 5s ago}, {@code in 25s}, or {@code now} within the second. */
    static String relative(Instant at, Instant now) {
        Duration d = Duration.between(at, now);
        if (d.abs().getSeconds() == 0) {
            return "now";
        }
        return d.isNegative() ? "in " + Ages.format(d.negated()) : Ages.format(d) + " ago";
    }

    /** A pass's length: {@code 212 ms} below ten seconds (where the milliseconds tell), else {@code 1m 5s}. */
    static String span(Duration d) {
        return d.compareTo(Duration.ofSeconds(10)) < 0 ? d.toMillis() + " ms" : Ages.format(d);
    }
}
