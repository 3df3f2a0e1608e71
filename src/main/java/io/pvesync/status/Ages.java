package io.pvesync.status;

import java.time.Duration;

/** Spans of time as an operator reads them in a health reason: {@code 40s}, {@code 6m 3s}, {@code 2h 5m}. */
final class Ages {
    private Ages() {
    }

    /** The two largest units, whole seconds at the finest; a negative span (clock step) reads {@code 0s}. */
    static String format(Duration span) {
        long s = Math.max(0, span.getSeconds());
        if (s >= 86_400) {
            return pair(s / 86_400, "d", s % 86_400 / 3_600, "h");
        }
        if (s >= 3_600) {
            return pair(s / 3_600, "h", s % 3_600 / 60, "m");
        }
        if (s >= 60) {
            return pair(s / 60, "m", s % 60, "s");
        }
        return s + "s";
    }

    private static String pair(long major, String majorUnit, long minor, String minorUnit) {
        return minor == 0 ? major + majorUnit : major + majorUnit + " " + minor + minorUnit;
    }
}
