package io.pvesync.store;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * One pass per cluster at a time, across every pvesync instance that shares the database: a
 * session-level advisory lock held on a connection of its own for the whole pass (listing, guest
 * lookups, write). Quartz's clustered job store already runs a job on one instance at a time;
 * this lock also holds for a manual pass, and for two instances misconfigured without
 * {@code schedule.clustered}. (The write transaction's own lock in {@link VmStore} uses another
 * key, so the two never wait for each other.)
 */
public final class PassLock {
    private static final String KEY_PREFIX = "pvesync.pass:";
    private final DataSource pool;

    /** @param pool a pool of its own: each held lock keeps one connection for a whole pass */
    public PassLock(DataSource pool) {
        this.pool = pool;
    }

    /** A held lock; closing it releases the lock and the connection. */
    public interface Held extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Takes the cluster's pass lock if free.
     *
     * @return the held lock, or empty when another session (another instance) holds it
     * @throws StoreException when the database cannot be reached
     */
    public Optional<Held> tryAcquire(String cluster) {
        return acquire(cluster, "SELECT pg_try_advisory_lock(?)", null);
    }

    /**
     * Waits for the cluster's pass lock at most {@code limit}.
     *
     * @return the held lock, or empty when it was not free within the limit
     */
    public Optional<Held> acquire(String cluster, Duration limit) {
        return acquire(cluster, "SELECT true FROM pg_advisory_lock(?)", limit);
    }

    private Optional<Held> acquire(String cluster, String sql, Duration limit) {
        long key = key(cluster);
        Connection c = null;
        try {
            c = pool.getConnection();
            c.setAutoCommit(true);
            if (limit != null) {
                try (Statement st = c.createStatement()) {
                    st.execute("SET lock_timeout = " + Math.max(1, limit.toMillis()));
                }
            }
            boolean got;
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setLong(1, key);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    got = rs.getBoolean(1);
                }
            } catch (SQLException e) {
                if ("55P03".equals(e.getSQLState())) { // lock_not_available: the wait ran out
                    got = false;
                } else {
                    throw e;
                }
            }
            if (limit != null) {
                try (Statement st = c.createStatement()) {
                    st.execute("RESET lock_timeout");
                }
            }
            if (!got) {
                c.close();
                return Optional.empty();
            }
            Connection held = c;
            return Optional.of(() -> release(held, key));
        } catch (SQLException e) {
            closeQuietly(c);
            throw new StoreException("cluster " + cluster + ": cannot take the pass lock: " + StoreException.reason(e), e);
        }
    }

    /**
     * Who holds the cluster's pass lock, for the log line of a skipped pass: the holder's pid,
     * application_name (a pvesync instance's lock connections say {@code pvesync-passlock@HOST}),
     * client address, when it connected and since when it has been in its state (an idle lock
     * connection's state changed when it took the lock). PostgreSQL keeps a bigint advisory key as
     * classid (high 32 bits), objid (low 32 bits) and objsubid 1.
     *
     * @return the description, or empty when nobody holds it (the pass ended meanwhile) or the
     *         database cannot be asked: this only enriches a log line
     */
    public Optional<String> holder(String cluster) {
        long key = key(cluster);
        try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT l.pid, a.application_name, host(a.client_addr), a.backend_start, a.state, a.state_change"
                        + " FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid"
                        + " WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1"
                        + " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
                        + " AND l.classid::bigint = ? AND l.objid::bigint = ?")) {
            ps.setLong(1, key >>> 32);
            ps.setLong(2, key & 0xffff_ffffL);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                List<String> parts = new ArrayList<>();
                parts.add("pid " + rs.getLong(1));
                // a role other than the holder's sees most of its pg_stat_activity columns as NULL
                Optional.ofNullable(rs.getString(2)).filter(n -> !n.isEmpty())
                        .ifPresent(n -> parts.add("application_name " + n));
                Optional.ofNullable(rs.getString(3)).ifPresent(a -> parts.add("from " + a));
                Optional.ofNullable(rs.getObject(4, OffsetDateTime.class)).ifPresent(t -> parts.add("connected "
                        + utc(t)));
                String state = rs.getString(5);
                OffsetDateTime since = rs.getObject(6, OffsetDateTime.class);
                if (state != null && since != null) {
                    parts.add(state + " since " + utc(since));
                }
                return Optional.of(String.join(", ", parts));
            }
        } catch (SQLException e) {
            return Optional.empty();
        }
    }

    private static String utc(OffsetDateTime t) {
        return DateTimeFormatter.ISO_INSTANT.format(t.withOffsetSameInstant(ZoneOffset.UTC).withNano(0));
    }

    private static void release(Connection c, long key) {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_unlock(?)")) {
            ps.setLong(1, key);
            ps.execute();
        } catch (SQLException e) {
            // the connection is broken: its session ended and took the lock with it
        } finally {
            closeQuietly(c);
        }
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // nothing more to release
            }
        }
    }

    static long key(String cluster) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest((KEY_PREFIX + cluster)
                    .getBytes(StandardCharsets.UTF_8));
            long key = 0;
            for (int i = 0; i < 8; i++) {
                key = (key << 8) | (digest[i] & 0xff);
            }
            return key;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JVM", e);
        }
    }
}
