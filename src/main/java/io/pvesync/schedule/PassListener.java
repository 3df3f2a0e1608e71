package io.pvesync.schedule;

import io.pvesync.sync.SyncMode;
import io.pvesync.sync.SyncOutcome;
import java.time.Instant;

/** Told what the scheduler does with each cluster; the status endpoint and the metrics listen. */
public interface PassListener {

    void started(String cluster, SyncMode mode);

    void finished(SyncOutcome outcome);

    /** When the next scheduled pass of the cluster fires. */
    void scheduled(String cluster, Instant nextRun);

    /** Passes of the cluster are skipped until {@code until}; null when it is not backing off. */
    void backingOff(String cluster, Instant until);

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
