package io.pvesync.bench;

import com.zaxxer.hikari.metrics.IMetricsTracker;
import com.zaxxer.hikari.metrics.MetricsTrackerFactory;
import com.zaxxer.hikari.metrics.PoolStats;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAccumulator;

/**
 * What every HikariCP pool of the daemon under test makes its callers wait for a connection,
 * measured by HikariCP itself on every borrow ({@code recordConnectionAcquiredNanos}), not sampled.
 *
 * <p>The daemon builds its pools itself ({@code io.pvesync.store.Database}); HikariCP reads the
 * properties file named by the system property {@code hikaricp.configurationFile} into every
 * {@code HikariConfig} it constructs, and instantiates a {@code metricsTrackerFactory} named there
 * by its class. {@link FleetWorker} sets both, so the daemon runs unchanged and every pool it
 * opens reports here, by pool name.
 */
public final class PoolWaits implements MetricsTrackerFactory {
    /**
     * A borrow slower than this was held up: it waited for a free connection, or HikariCP checked
     * that a connection idle for over half a second is still alive (one round trip to the server)
     * before handing it over. A free, recently used connection is handed over in microseconds.
     */
    static final long WAITED_NANOS = 1_000_000;
    private static final Map<String, Pool> POOLS = new ConcurrentHashMap<>();

    /** HikariCP makes one per pool config, by reflection. */
    public PoolWaits() {
    }

    @Override
    public IMetricsTracker create(String poolName, PoolStats stats) {
        Pool pool = new Pool(stats);
        POOLS.put(poolName, pool);
        return pool;
    }

    /** Every pool seen so far, by name (the daemon's: pvesync, pvesync-passlock, probes). */
    static Map<String, Pool> pools() {
        return Map.copyOf(POOLS);
    }

    /** One pool's borrows and waits since it opened, and its live statistics. */
    static final class Pool implements IMetricsTracker {
        final PoolStats stats;
        final AtomicLong borrows = new AtomicLong();
        final AtomicLong waited = new AtomicLong();
        final AtomicLong waitNanos = new AtomicLong();
        final LongAccumulator maxWaitNanos = new LongAccumulator(Math::max, 0);
        final AtomicLong timeouts = new AtomicLong();

        Pool(PoolStats stats) {
            this.stats = stats;
        }

        @Override
        public void recordConnectionAcquiredNanos(long elapsed) {
            borrows.incrementAndGet();
            if (elapsed > WAITED_NANOS) {
                waited.incrementAndGet();
                waitNanos.addAndGet(elapsed);
            }
            maxWaitNanos.accumulate(elapsed);
        }

        @Override
        public void recordConnectionTimeout() {
            timeouts.incrementAndGet();
        }

        /** The counters now, to subtract from a later reading. */
        Reading read() {
            return new Reading(borrows.get(), waited.get(), waitNanos.get(), timeouts.get());
        }
    }

    record Reading(long borrows, long waited, long waitNanos, long timeouts) {
        Reading minus(Reading earlier) {
            return new Reading(borrows - earlier.borrows, waited - earlier.waited, waitNanos - earlier.waitNanos,
                    timeouts - earlier.timeouts);
        }
    }
}
