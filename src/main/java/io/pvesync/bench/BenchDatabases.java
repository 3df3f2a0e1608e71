package io.pvesync.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.pvesync.bench.ClusterChanges.Expected;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The benchmark's databases on the given PostgreSQL server: each one created fresh, migrated, with
 * pvesync's grants to a non-superuser role whose one-connection pool is counted; the owner's
 * connections read the statistics and watch the table without counting as pvesync's statements.
 */
final class BenchDatabases {
    static final String ROLE = "pvesync_bench";

    /** Rows of {@code cluster} and how many of them have an address. */
    private static final String COUNTS = "SELECT count(*), count(ip_address) FROM public.vms"
            + " WHERE proxmox_cluster = ? AND retired_at IS NULL";

    /** How many of the expected rows show every expected value. */
    private static final String LANDED = "SELECT count(*) FROM public.vms v"
            + " JOIN unnest(?::int[], ?::text[], ?::text[], ?::text[], ?::int[], ?::int[])"
            + " AS e(vmid, status, name, node, cores, memory_mb) ON v.vmid = e.vmid"
            + " WHERE v.proxmox_cluster = ? AND v.retired_at IS NULL AND v.status = e.status AND v.name = e.name"
            + " AND v.proxmox_node = e.node AND v.cpu_cores = e.cores AND v.memory_mb = e.memory_mb";

    private final String serverUrl;
    private final FreshDatabase admin;

    BenchDatabases(String serverUrl, String adminUser, String adminPassword) {
        this.serverUrl = serverUrl;
        this.admin = new FreshDatabase(adminUser, adminPassword, null);
    }

    /** A database of the benchmark: its pool (one connection, counted) and its URL for the owner. */
    record Db(String name, String url, HikariDataSource pool, StatementCounter counted) implements AutoCloseable {
        @Override
        public void close() {
            pool.close();
        }
    }

    Db create(String name, String password) throws SQLException, IOException {
        String url = admin.create(serverUrl, name, ROLE, password);
        HikariConfig daemon = new HikariConfig();
        daemon.setJdbcUrl(url);
        daemon.setUsername(ROLE);
        daemon.setPassword(password);
        // one connection: a pass uses one at a time, and the statistics flush below reaches it
        daemon.setMaximumPoolSize(1);
        daemon.setPoolName(name);
        daemon.addDataSourceProperty("ApplicationName", "pvesync-bench");
        HikariDataSource pool = new HikariDataSource(daemon);
        return new Db(name, url, pool, new StatementCounter(pool));
    }

    void truncate(Db db) throws SQLException {
        try (Connection c = admin(db.url()); Statement st = c.createStatement()) {
            st.execute("TRUNCATE public.vms");
            st.execute("VACUUM ANALYZE public.vms");
        }
    }

    /**
     * Rows inserted plus rows updated in the table so far, from {@code pg_stat_user_tables}. The
     * daemon's connection flushes its pending statistics first (PostgreSQL 15 otherwise holds them
     * up to a second or more), so the figure is exact at this moment.
     */
    long rowsWritten(Db db) throws SQLException {
        try (Connection c = db.pool().getConnection(); Statement st = c.createStatement()) {
            st.execute("SELECT pg_stat_force_next_flush()");
        }
        try (Connection c = admin(db.url()); Statement st = c.createStatement()) {
            st.execute("SELECT pg_stat_clear_snapshot()");
            try (ResultSet rs = st.executeQuery("SELECT n_tup_ins + n_tup_upd FROM pg_stat_user_tables"
                    + " WHERE relid = 'public.vms'::regclass")) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** Watches {@code cluster}'s live rows: column 0 how many, column 1 how many have an address. */
    TableWatcher watchCounts(Db db, String cluster) throws SQLException {
        Connection c = admin(db.url());
        PreparedStatement q = c.prepareStatement(COUNTS);
        q.setString(1, cluster);
        return new TableWatcher(c, q);
    }

    /** Watches how many of {@code rows} show every expected value (column 0). */
    TableWatcher watchLanding(Db db, String cluster, List<Expected> rows) throws SQLException {
        Connection c = admin(db.url());
        return new TableWatcher(c, landed(c, cluster, rows));
    }

    /** The first few expected rows that do not show their values, for an error message. */
    String notLanded(Db db, String cluster, List<Expected> rows) throws SQLException {
        StringBuilder out = new StringBuilder();
        try (Connection c = admin(db.url())) {
            for (Expected e : rows) {
                try (PreparedStatement q = landed(c, cluster, List.of(e)); ResultSet rs = q.executeQuery()) {
                    rs.next();
                    if (rs.getLong(1) == 0) {
                        out.append(out.length() == 0 ? "" : "; ").append(e);
                        if (out.length() > 500) {
                            return out + "...";
                        }
                    }
                }
            }
        }
        return out.toString();
    }

    private static PreparedStatement landed(Connection c, String cluster, List<Expected> rows) throws SQLException {
        PreparedStatement q = c.prepareStatement(LANDED);
        q.setArray(1, c.createArrayOf("int4", rows.stream().map(Expected::vmid).toArray()));
        q.setArray(2, c.createArrayOf("text", rows.stream().map(Expected::status).toArray()));
        q.setArray(3, c.createArrayOf("text", rows.stream().map(Expected::name).toArray()));
        q.setArray(4, c.createArrayOf("text", rows.stream().map(Expected::node).toArray()));
        q.setArray(5, c.createArrayOf("int4", rows.stream().map(Expected::cores).toArray()));
        q.setArray(6, c.createArrayOf("int4", rows.stream().map(Expected::memoryMb).toArray()));
        q.setString(7, cluster);
        return q;
    }

    Connection admin(String url) throws SQLException {
        return admin.connect(url);
    }
}
