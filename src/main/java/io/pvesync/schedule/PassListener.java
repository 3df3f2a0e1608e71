package io.pvesync.schedule;

import io.pvesync.sync.SyncMode;
import io.pvesync.sync.SyncOutcome;
import java.time.Instant;
import java.util.Optional;

/** Told what the scheduler does with each cluster; the status endpoint and the metrics listen. */
public interface PassListener {

    void started(String cluster, SyncMode mode);

    void finished(SyncOutcome outcome);

    /** When the next scheduled pass of the cluster fires. */
    void scheduled(String cluster, Instant nextRun);

    /** Passes of the cluster are skipped until {@code until}; null when it is not backing off. */
    void backingOff(String cluster, Instant until);

    /**
     * The failures in a row and the rest recorded for the cluster by every instance sharing the
     * database (DESIGN.md 3.11), so N instances do not retry a failing cluster N times as often;
     * empty when nothing is shared, and the scheduler counts this instance's passes alone.
     */
    default Optional<Rest> recorded(String cluster) {
        return Optional.empty();
    }

    /** Failed passes in a row, and until when scheduled passes rest (empty: they do not). */
    record Rest(int failures, Optional<Instant> until) {
    }

    PassListener NONE = new PassListener() {
        @Override
        public void started(String cluster, SyncMode mode) {
        }

        @Override
        public void finished(SyncOutcome outcome) {
        }

        @Override
        public void scheduled(String cluster, Instant nextRun) {
        }

        @Override
        public void backingOff(String cluster, Instant until) {
        }
    };
}
