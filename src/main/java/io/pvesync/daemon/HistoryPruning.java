package io.pvesync.daemon;

import io.pvesync.config.Durations;
import io.pvesync.config.HistoryConfig;
import io.pvesync.schedule.PassListener;
import io.pvesync.store.HistoryPruner;
import io.pvesync.store.StoreException;
import io.pvesync.sync.SyncMode;
import io.pvesync.sync.SyncOutcome;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Prunes the change history after each reconcile pass (DESIGN.md 4.5, {@code history.retention}),
 * on a thread of its own: the pass has ended and let its cluster's next poll in, and the pruning's
 * short batches never hold what a poll waits for. One run at a time; a reconcile that ends while
 * one runs adds nothing (that run already prunes everything old enough).
 */
final class HistoryPruning implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HistoryPruning.class);

    /** The longest one run deletes; a larger backlog (a first run, a lowered retention) takes several. */
    static final Duration BUDGET = Duration.ofSeconds(30);

    private final HistoryPruner pruner;
    private final Duration retention;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "pvesync-history-prune");
        t.setDaemon(true);
        return t;
    });
    private final AtomicBoolean running = new AtomicBoolean();
    private volatile java.util.concurrent.Future<?> lastRun = java.util.concurrent.CompletableFuture.completedFuture(null);

    private HistoryPruning(HistoryPruner pruner, Duration retention) {
        this.pruner = pruner;
        this.retention = retention;
    }

    /** The pruning {@code history} asks for; empty when it keeps every change. */
    static Optional<HistoryPruning> of(HistoryConfig history, HistoryPruner pruner) {
        return history.pruneAfter().map(retention -> new HistoryPruning(pruner, retention));
    }

    /** {@code inner}, and a prune after every reconcile pass it is told of. */
    PassListener after(PassListener inner) {
        return new PassListener() {
            @Override
            public void started(String cluster, SyncMode mode) {
                inner.started(cluster, mode);
            }

            @Override
            public void finished(SyncOutcome outcome) {
                inner.finished(outcome);
                if (outcome.mode() == SyncMode.RECONCILE) {
                    request();
                }
            }

            @Override
            public void scheduled(String cluster, Instant nextRun) {
                inner.scheduled(cluster, nextRun);
            }

            @Override
            public void backingOff(String cluster, Instant until) {
                inner.backingOff(cluster, until);
            }

            @Override
            public Optional<Rest> recorded(String cluster) {
                return inner.recorded(cluster);
            }
        };
    }

    /** Starts a run unless one is running (or the daemon is stopping). */
    void request() {
        if (!running.compareAndSet(false, true)) {
            return;
        }
        try {
            lastRun = thread.submit(this::run);
        } catch (java.util.concurrent.RejectedExecutionException stopping) {
            running.set(false);
        }
    }

    private void run() {
        try {
            HistoryPruner.Pruned pruned = pruner.prune(retention, BUDGET);
            if (pruned.more()) {
                log.info("history: pruned {} change(s) older than {} (history.retention) and stopped after {}; the"
                        + " next reconcile prunes the rest", pruned.rows(), Durations.format(retention),
                        Durations.format(BUDGET));
            } else if (pruned.rows() > 0) {
                log.info("history: pruned {} change(s) older than {} (history.retention)", pruned.rows(),
                        Durations.format(retention));
            }
        } catch (StoreException e) {
            log.warn("history: {}; the history keeps growing until a reconcile can prune it", e.getMessage());
        } catch (RuntimeException e) {
            log.error("history: pruning failed unexpectedly; the history keeps growing until a reconcile can prune it",
                    e);
        } finally {
            running.set(false);
        }
    }

    /** The latest run started (done when none ran): a seam for tests. */
    java.util.concurrent.Future<?> lastRun() {
        return lastRun;
    }

    /** Stops a run between batches; the deleted batches stay deleted. */
    @Override
    public void close() {
        thread.shutdownNow();
        try {
            if (!thread.awaitTermination(5, TimeUnit.SECONDS)) {
                log.warn("history: the pruning did not stop within 5 s (a batch still running); its transaction ends"
                        + " with the connection");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
