package io.pvesync.store;

import io.pvesync.config.Durations;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * Deletes the changes of {@code public.vm_changes} older than the retention (DESIGN.md 4.5), in
 * batches of {@link #BATCH} rows, each its own short transaction under the admin context: no
 * batch holds a lock a pass needs (a pass only inserts new history rows and never waits for old
 * ones), and no run goes on past its time budget; the next run takes the rest. Several instances
 * may prune at once: one waits at most a batch for the other and finds those rows gone.
 */
public final class HistoryPruner {
    /** Rows per batch: a few tens of milliseconds of work, however large the backlog. */
    static final int BATCH = 5_000;

    // oldest first by the changed_at index. No FOR UPDATE SKIP LOCKED: it needs UPDATE, which the
    // role lacks; two instances pruning at once wait a batch for each other and skip the rows gone
    private static final String PRUNE = "DELETE FROM public.vm_changes WHERE id IN (SELECT id FROM public.vm_changes"
            + " WHERE changed_at < now() - make_interval(secs => ?) ORDER BY changed_at LIMIT ?)";

    private final DataSource ds;
    private final Duration statementTimeout;
    private final int batch;

    public HistoryPruner(DataSource ds, Duration statementTimeout) {
        this(ds, statementTimeout, BATCH);
    }

    HistoryPruner(DataSource ds, Duration statementTimeout, int batch) {
        this.ds = Objects.requireNonNull(ds, "ds");
        this.statementTimeout = statementTimeout;
        this.batch = batch;
    }

    /**
     * What one run did.
     *
     * @param rows    changes deleted
     * @param batches transactions committed
     * @param more    whether it stopped at its budget (or an interrupt) with older changes left
     */
    public record Pruned(long rows, int batches, boolean more) {
    }

    /**
     * Deletes changes older than {@code retention}, batch after batch, until none is left or
     * {@code budget} has passed or the thread is interrupted (between batches).
     *
     * @throws StoreException when the database fails; the batches committed before stay deleted
     */
    public Pruned prune(Duration retention, Duration budget) {
        if (retention.isZero() || retention.isNegative()) {
            throw new IllegalArgumentException("a retention of " + retention + " prunes nothing: keep every change instead");
        }
        long deadline = System.nanoTime() + budget.toNanos();
        long rows = 0;
        int batches = 0;
        while (true) {
            int deleted = batch(retention);
            rows += deleted;
            batches++;
            if (deleted < batch) {
                return new Pruned(rows, batches, false);
            }
            if (System.nanoTime() - deadline >= 0 || Thread.currentThread().isInterrupted()) {
                return new Pruned(rows, batches, true);
            }
        }
    }

    private int batch(Duration retention) {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement(PRUNE)) {
                RlsContext.admin(c, statementTimeout);
                ps.setDouble(1, retention.toMillis() / 1000.0);
                ps.setInt(2, batch);
                int deleted = ps.executeUpdate();
                c.commit();
                return deleted;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new StoreException("pruning public.vm_changes (changes older than " + Durations.format(retention)
                    + ", history.retention) failed: " + StoreException.reason(e)
                    + (Grants.denial(e).isPresent() ? "; the role needs DELETE on public.vm_changes: run config/grants.sql"
                    : ""), e);
        }
    }
}
