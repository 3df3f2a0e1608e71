package io.pvesync.schedule;

import io.pvesync.status.Metrics;
import io.pvesync.status.SyncHealth;
import io.pvesync.sync.SyncMode;
import io.pvesync.sync.SyncOutcome;
import java.time.Instant;
import java.util.Optional;

/**
 * The daemon's listener: tells the sync health (and through it every instance sharing the
 * database) and the metrics what the scheduler does, and reads back the failures and rest that
 * every instance recorded, so the backoff is the cluster's, not this instance's (DESIGN.md 3.11).
 */
public final class ReportingListener implements PassListener {
    private final SyncHealth health;
    private final Metrics metrics;

    public ReportingListener(SyncHealth health, Metrics metrics) {
        this.health = health;
        this.metrics = metrics;
    }

    @Override
    public void started(String cluster, SyncMode mode) {
        health.started(cluster, mode);
    }

    @Override
    public void finished(SyncOutcome outcome) {
        // as judged with the cluster's recorded history (a holding that lasts degrades the pass)
        metrics.record(health.finished(outcome));
    }

    @Override
    public void scheduled(String cluster, Instant nextRun) {
        health.scheduled(cluster, nextRun);
    }

    @Override
    public void backingOff(String cluster, Instant until) {
        health.backingOff(cluster, until);
    }

    @Override
    public Optional<Rest> recorded(String cluster) {
        SyncHealth.Rest rest = health.rest(cluster);
        return Optional.of(new Rest(rest.failures(), rest.until()));
    }
}
