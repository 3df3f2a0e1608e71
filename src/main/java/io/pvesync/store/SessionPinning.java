package io.pvesync.store;

import com.zaxxer.hikari.HikariDataSource;
import io.pvesync.config.DatabaseConfig;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.sql.DataSource;

/**
 * Whether a JDBC connection keeps one PostgreSQL session (backend) for its whole life, as pvesync
 * needs: the pass lock is a session advisory lock, the pools set session settings, and pgjdbc
 * prepares statements on the server. A transaction pooler (PgBouncer {@code pool_mode = transaction})
 * hands each transaction whichever server connection is free, so a lock taken by one transaction
 * is released (or not) on another backend; a statement pooler does so for every statement.
 *
 * <p>The probe: connection A asks for its backend's pid; connection B opens a transaction and
 * holds it, so a transaction pooler must give A's next transaction another server connection (it
 * hands B the one A just released: PgBouncer reuses the latest released first); A asks again while
 * B holds, and twice more after B ends (a pooler that rotates its server connections,
 * {@code server_round_robin}, shows there). Directly, or through a session-mode pool, A always
 * answers the same pid and B never shares it.
 */
public final class SessionPinning {
    /** What the operator changes; the callers name the config file. */
    public static final String REMEDY = "point database.url straight at PostgreSQL, or at a PgBouncer entry in"
            + " session mode (pool_mode = session in pgbouncer.ini, for pvesync's database and user, or a"
            + " [databases] entry of pvesync's own with pool_mode=session)";
    /**
     * How long A's query may wait while B holds its transaction before B lets go: directly it
     * answers in milliseconds; a longer wait may mean A queued for a server connection behind B,
     * or a slow server. The pid A then answers with decides which.
     */
    static final Duration QUEUE_WAIT = Duration.ofSeconds(3);
    /** How long A's query may take after B let go before the probe gives up. */
    static final Duration ANSWER_WAIT = Duration.ofSeconds(30);

    private SessionPinning() {
    }

    /**
     * The probe's finding.
     *
     * @param pinned   every transaction of a connection ran on the connection's own backend
     * @param evidence what was seen, for the operator: the pids, or what the pooler refused
     */
    public record Finding(boolean pinned, String evidence) {
        static Finding pinnedTo(long pid) {
            return new Finding(true, "every transaction of a connection ran on its own backend (pid " + pid + ")");
        }

        static Finding pooled(String evidence) {
            return new Finding(false, evidence);
        }
    }

    /**
     * Probes through a pool of two connections of its own, as the daemon's role.
     *
     * @throws StoreException when the database cannot be reached or the probe got no answer
     */
    public static Finding probe(DatabaseConfig config) {
        try (HikariDataSource pool = Database.openSized(config, "pvesync-pinning", 2)) {
            return probe(pool);
        } catch (RuntimeException e) {
            if (e instanceof StoreException) {
                throw e;
            }
            throw new StoreException("cannot connect to probe the sessions: " + e.getMessage(), e);
        }
    }

    /**
     * Probes with two connections of {@code source} at once.
     *
     * @throws StoreException when the database cannot be reached or the probe got no answer
     */
    public static Finding probe(DataSource source) {
        try (Connection a = source.getConnection(); Connection b = source.getConnection()) {
            a.setAutoCommit(true);
            long first = pid(a);
            b.setAutoCommit(false);
            long held = pid(b);
            if (held == first) {
                b.rollback();
                return Finding.pooled("two connections ran on the same backend (pid " + first + "): the pool between"
                        + " pvesync and PostgreSQL shares server connections (transaction or statement pooling)");
            }
            Answer during;
            try {
                during = pidWhileHeld(a, b);
            } finally {
                rollbackQuietly(b);
            }
            long after = pid(a);
            long last = pid(a);
            for (long seen : new long[] {during.pid(), after, last}) {
                if (seen != first) {
                    return Finding.pooled("two transactions on one connection ran on different backends (pids "
                            + first + " and " + seen + (during.queued() ? ", after waiting for another connection's"
                            + " transaction to end" : "") + "): the pool between pvesync and PostgreSQL hands each"
                            + " transaction any server connection (transaction or statement pooling)");
                }
            }
            return Finding.pinnedTo(first);
        } catch (SQLException e) {
            Optional<Finding> pooled = pooledByError(e);
            if (pooled.isPresent()) {
                return pooled.get();
            }
            throw new StoreException("cannot probe the sessions: " + StoreException.reason(e), e);
        }
    }

    /** A's pid, and whether A had to wait for B's transaction to end to get it. */
    private record Answer(long pid, boolean queued) {
    }

    /**
     * A's pid while B holds its transaction. A pooler with no free server connection queues A
     * until B ends: after {@link #QUEUE_WAIT} B is rolled back and A's answer awaited again. A
     * merely slow server answers with A's own pid then, so the wait alone proves nothing.
     */
    private static Answer pidWhileHeld(Connection a, Connection b) throws SQLException {
        CompletableFuture<Long> answer = CompletableFuture.supplyAsync(() -> {
            try {
                return pid(a);
            } catch (SQLException e) {
                throw new IllegalStateException(StoreException.reason(e), e);
            }
        }, runnable -> {
            Thread t = new Thread(runnable, "pvesync-pinning-probe");
            t.setDaemon(true);
            t.start();
        });
        try {
            return new Answer(answer.get(QUEUE_WAIT.toMillis(), TimeUnit.MILLISECONDS), false);
        } catch (TimeoutException queued) {
            b.rollback();
            try {
                return new Answer(answer.get(ANSWER_WAIT.toMillis(), TimeUnit.MILLISECONDS), true);
            } catch (TimeoutException silent) {
                a.abort(Runnable::run);
                throw new SQLException("no answer to SELECT pg_backend_pid() within "
                        + ANSWER_WAIT.plus(QUEUE_WAIT).toSeconds() + " s");
            } catch (ExecutionException | InterruptedException e) {
                throw failed(e);
            }
        } catch (ExecutionException | InterruptedException e) {
            throw failed(e);
        }
    }

    private static SQLException failed(Exception e) {
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
            return new SQLException("interrupted", e);
        }
        Throwable cause = e.getCause();
        // the probe's thread wraps the driver's exception in an unchecked one
        if (cause != null && cause.getCause() instanceof SQLException sql) {
            return sql;
        }
        return new SQLException(String.valueOf(cause), cause);
    }

    /**
     * Errors only a shared server connection explains:
     * <ul>
     *   <li>PgBouncer in statement mode refuses a transaction of more than one statement
     *       ("transaction blocks not allowed in statement pooling mode");</li>
     *   <li>pgjdbc names the statements it prepares on the server S_1, S_2... per connection and
     *       remembers which it made: "prepared statement S_1 already exists" (42P05) or "does not
     *       exist" (26000) means another client's session, or another backend, answered.</li>
     * </ul>
     */
    private static Optional<Finding> pooledByError(SQLException e) {
        String message = String.valueOf(e.getMessage());
        if (message.toLowerCase(Locale.ROOT).contains("pooling mode")) {
            return Optional.of(Finding.pooled("the pool between pvesync and PostgreSQL refused a transaction of"
                    + " two statements (" + message + "): statement pooling"));
        }
        if ("42P05".equals(e.getSQLState()) || "26000".equals(e.getSQLState())) {
            return Optional.of(Finding.pooled("the driver's server-side prepared statements got mixed up between"
                    + " connections (" + message + "): the pool between pvesync and PostgreSQL shares server"
                    + " connections (transaction or statement pooling)"));
        }
        return Optional.empty();
    }

    private static long pid(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void rollbackQuietly(Connection c) {
        try {
            if (!c.getAutoCommit()) {
                c.rollback();
            }
        } catch (SQLException ignored) {
            // B's transaction ends with its connection anyway
        }
    }
}
