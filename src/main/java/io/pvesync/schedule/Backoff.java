package io.pvesync.schedule;

import java.time.Duration;

/**
 * How long a failing cluster rests: the poll interval doubled per consecutive failure, capped.
 * A cluster that fails (unreachable, token rejected) is asked less and less often, and never in a
 * tight loop, while the other clusters keep their rhythm.
 */
record Backoff(Duration first, Duration cap) {

    /** The pause after {@code failures} consecutive failures (1 = the first failure). */
    Duration after(int failures) {
        if (failures <= 0) {
            return Duration.ZERO;
        }
        Duration pause = first.multipliedBy(1L << Math.min(failures - 1, 20));
        return pause.compareTo(cap) < 0 ? pause : cap;
    }
}
