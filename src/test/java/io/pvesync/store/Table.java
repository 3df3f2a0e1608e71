package io.pvesync.store;

import io.pvesync.testing.OwnerSql;
import io.pvesync.testing.TestDatabase;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads and prepares {@code public.vms} as the owner, past row-level security: the test's own eyes. */
final class Table {
    private final OwnerSql owner;

    Table(TestDatabase db) {
        this.owner = new OwnerSql(db);
    }

    /** Migrates as the owner and grants the daemon its README privileges. */
    static Table migrated(TestDatabase db) throws Exception {
        Migrations.migrate(db.ownerPool());
        db.grantDaemon();
        return new Table(db);
    }

    /** Rows as column-to-value maps, in the query's order. */
    List<Map<String, Object>> query(String sql, Object... params) throws SQLException {
        return owner.query(sql, params);
    }

    /** Every row of {@code cluster}'s VMID, retired ones included, oldest first. */
    List<Map<String, Object>> rows(String cluster, int vmid) throws SQLException {
        return query("SELECT * FROM public.vms WHERE proxmox_cluster = ? AND vmid = ? ORDER BY id", cluster, vmid);
    }

    /** The one live row of a VMID in {@code cluster}. */
    Map<String, Object> live(String cluster, int vmid) throws SQLException {
        List<Map<String, Object>> rows = query("SELECT * FROM public.vms WHERE proxmox_cluster = ? AND vmid = ?"
                + " AND retired_at IS NULL", cluster, vmid);
        if (rows.size() != 1) {
            throw new AssertionError("expected one live row for " + cluster + "/" + vmid + ", found " + rows);
        }
        return rows.get(0);
    }

    /**
     * Each row's physical version (id to xmin and ctid): any UPDATE, even one writing equal values,
     * gives the row a new version, so an equal map proves no row was written.
     */
    Map<Integer, String> versions(String cluster) throws SQLException {
        Map<Integer, String> out = new LinkedHashMap<>();
        for (Map<String, Object> r : query("SELECT id, xmin::text || '/' || ctid::text AS v FROM public.vms"
                + " WHERE proxmox_cluster = ? ORDER BY id", cluster)) {
            out.put((Integer) r.get("id"), (String) r.get("v"));
        }
        return out;
    }

    int update(String sql, Object... params) throws SQLException {
        return owner.update(sql, params);
    }

    /** Makes the cluster's rows older than any grace period. */
    void age(String cluster) throws SQLException {
        update("UPDATE public.vms SET created_at = created_at - interval '1 day' WHERE proxmox_cluster = ?", cluster);
    }
}
