package io.pvesync.daemon;

import io.pvesync.status.Metrics;
import io.pvesync.status.SyncHealth;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the sync state every instance shares every two seconds, so this instance's {@code /health},
 * {@code /status} and gauges tell what the others did, without a request ever waiting for the
 * database (DESIGN.md 3.11).
 */
final class SharedStateRefresher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SharedStateRefresher.class);
    static final long PERIOD_MILLIS = 2_000;

    private final ScheduledExecutorService executor;

    private SharedStateRefresher(ScheduledExecutorService executor) {
        this.executor = executor;
    }

    static SharedStateRefresher start(SyncHealth health, Metrics metrics) {
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "pvesync-shared-state");
            t.setDaemon(true);
            return t;
        });
        executor.scheduleWithFixedDelay(() -> {
            try {
                health.refresh();
                metrics.show(health.clusters());
            } catch (RuntimeException e) {
                // the next round tries again; a dead refresher would freeze what /health says
                log.warn("database - refreshing the shared sync state failed: {}", e.toString());
            }
        }, 0, PERIOD_MILLIS, TimeUnit.MILLISECONDS);
        return new SharedStateRefresher(executor);
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
