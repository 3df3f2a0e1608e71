package io.pvesync.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import javax.sql.DataSource;

/**
 * {@code pvesync.cluster_state}: one JSON document per cluster describing its latest pass, written
 * by whichever instance ran the pass and read by every instance (DESIGN.md 3.11). The document's
 * shape belongs to the status package; this class only moves it. Each call is one autocommit
 * statement on a pooled connection: it never joins a pass's transaction, so a failed pass can
 * still record its failure.
 */
public final class ClusterStates {
    private static final String READ = "SELECT cluster, state::text FROM pvesync.cluster_state";
    private static final String WRITE = "INSERT INTO pvesync.cluster_state (cluster, state, updated_at)"
            + " VALUES (?, ?::jsonb, now())"
            + " ON CONFLICT (cluster) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at";

    private final DataSource pool;

    public ClusterStates(DataSource pool) {
        this.pool = pool;
    }

    /**
     * Every recorded cluster's document, by cluster name (clusters no longer configured included).
     *
     * @throws StoreException when the database cannot be read
     */
    public Map<String, String> read() {
        Map<String, String> out = new HashMap<>();
        try (Connection c = pool.getConnection();
             PreparedStatement ps = c.prepareStatement(READ);
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.put(rs.getString(1), rs.getString(2));
            }
            return out;
        } catch (SQLException e) {
            throw new StoreException("cannot read " + Migrations.SCHEMA + ".cluster_state: " + StoreException.reason(e), e);
        }
    }

    /**
     * Replaces the cluster's document.
     *
     * @throws StoreException when the database cannot be written
     */
    public void write(String cluster, String json) {
        try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(WRITE)) {
            if (!c.getAutoCommit()) {
                c.setAutoCommit(true);
            }
            ps.setString(1, cluster);
            ps.setString(2, json);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new StoreException("cluster " + cluster + ": cannot record the pass in " + Migrations.SCHEMA
                    + ".cluster_state: " + StoreException.reason(e), e);
        }
    }
}
