package io.pvesync.store;

import io.pvesync.inventory.Snapshot;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code pvesync.cluster_nodes}: the nodes each cluster's last listing named, so that a pass can
 * tell whether an application row's {@code proxmox_node} belongs to exactly one configured
 * cluster (DESIGN.md 3.10) even when the other clusters' passes run in another instance or not at
 * all in this process ({@code pvesync sync --cluster}). Written inside the pass's transaction and
 * only when the set changed since this process last wrote it, so an unchanged poll writes nothing.
 */
final class ClusterNodes {
    private static final String READ = "SELECT cluster, node FROM pvesync.cluster_nodes WHERE cluster <> ?";
    private static final String DROP_GONE = "DELETE FROM pvesync.cluster_nodes WHERE cluster = ? AND NOT (node = ANY(?::text[]))";
    private static final String ADD_NEW = "INSERT INTO pvesync.cluster_nodes (cluster, node)"
            + " SELECT ?, unnest(?::text[]) ON CONFLICT DO NOTHING";

    /** What this process last committed per cluster; absent: not known, write on the next pass. */
    private final Map<String, Set<String>> written = new ConcurrentHashMap<>();

    /**
     * The recorded nodes of every cluster but {@code cluster}, by cluster; a cluster never listed
     * has no entry.
     */
    static Map<String, Set<String>> others(Connection c, String cluster) throws SQLException {
        Map<String, Set<String>> out = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(READ)) {
            ps.setString(1, cluster);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.computeIfAbsent(rs.getString(1), k -> new HashSet<>()).add(rs.getString(2));
                }
            }
        }
        return out;
    }

    /**
     * Records the snapshot's nodes in the caller's transaction when they differ from what this
     * process last committed, and in every reconcile pass (another instance may have written
     * since). A listing without node entries (a token without Sys.Audit) records nothing: it says
     * nothing about the cluster's nodes.
     *
     * @return whether anything was sent (the caller must commit it)
     */
    boolean record(Connection c, Snapshot snapshot, boolean reconcile) throws SQLException {
        Set<String> now = new TreeSet<>(snapshot.nodes().keySet());
        if (now.isEmpty() || !reconcile && now.equals(written.get(snapshot.cluster()))) {
            return false;
        }
        Array names = c.createArrayOf("text", now.toArray());
        try {
            try (PreparedStatement drop = c.prepareStatement(DROP_GONE)) {
                drop.setString(1, snapshot.cluster());
                drop.setArray(2, names);
                drop.executeUpdate();
            }
            try (PreparedStatement add = c.prepareStatement(ADD_NEW)) {
                add.setString(1, snapshot.cluster());
                add.setArray(2, names);
                add.executeUpdate();
            }
        } finally {
            names.free();
        }
        return true;
    }

    /** The snapshot's nodes are committed. */
    void committed(Snapshot snapshot) {
        if (!snapshot.nodes().isEmpty()) {
            written.put(snapshot.cluster(), Set.copyOf(snapshot.nodes().keySet()));
        }
    }

    /** After a failed pass: what is stored is not known, so the next pass writes again. */
    void forget(String cluster) {
        written.remove(cluster);
    }
}
