package io.pvesync.store;

import io.pvesync.store.ChangePlan.MissingMark;
import io.pvesync.store.ChangePlan.RowUpdate;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Writes a {@link ChangePlan}: one statement per kind of write, whatever the number of rows (the
 * rows travel as arrays and are expanded by {@code unnest}), never one round trip per VM. Each
 * statement also records its changes in {@code public.vm_changes} ({@link HistorySql}).
 * Values are always bind parameters. Only daemon-owned columns are named: {@code owner_id},
 * {@code template_id}, {@code notes} and {@code created_at} belong to the application.
 */
final class BatchWriter {
    // retired_at only for a reused VMID; a plain vanished VM stays live and can come back. An
    // application row whose VM does not exist (adopt) becomes the cluster's as it is marked.
    private static final String MARK = "WITH w AS (UPDATE public.vms v SET status = 'missing', updated_at = now(),"
            + " retired_at = CASE WHEN u.retire THEN now() ELSE v.retired_at END,"
            + " proxmox_cluster = CASE WHEN u.adopt THEN ? ELSE v.proxmox_cluster END"
            + " FROM unnest(?::int[], ?::boolean[], ?::boolean[]) AS u(id, retire, adopt), " + HistorySql.OLD_ROW
            + " WHERE v.id = u.id AND v.retired_at IS NULL"
            + " AND (v.proxmox_cluster = ? OR (u.adopt AND v.proxmox_cluster IS NULL))"
            + HistorySql.returning("v", "o", "CASE WHEN u.retire THEN 'retired' ELSE 'missing' END") + ")"
            + HistorySql.RECORD;

    // the cluster is set on every updated row: a no-op for the cluster's rows, the adoption for
    // an application row without one
    private static final String UPDATE = "WITH w AS (UPDATE public.vms v SET name = u.name,"
            + " ip_address = u.ip_address, status = u.status, cpu_cores = u.cpu_cores, memory_mb = u.memory_mb,"
            + " disk_gb = u.disk_gb, proxmox_node = u.proxmox_node, incarnation = u.incarnation, proxmox_cluster = ?,"
            + " updated_at = now(), last_seen_at = now()"
            + " FROM unnest(?::int[], ?::text[], ?::text[], ?::text[], ?::int[], ?::int[], ?::int[], ?::text[], ?::text[],"
            + " ?::text[]) AS u(id, name, ip_address, status, cpu_cores, memory_mb, disk_gb, proxmox_node, incarnation,"
            + " kind), " + HistorySql.OLD_ROW
            + " WHERE v.id = u.id AND v.retired_at IS NULL"
            + " AND (v.proxmox_cluster IS NULL OR v.proxmox_cluster = ?)"
            + HistorySql.returning("v", "o", "u.kind") + ")"
            + HistorySql.RECORD;

    // owner_id stays NULL: a VM first seen by the daemon is visible to admins only
    private static final String INSERT = "WITH w AS (INSERT INTO public.vms (vmid, name, ip_address, status,"
            + " cpu_cores, memory_mb, disk_gb, proxmox_node, incarnation, proxmox_cluster, last_seen_at)"
            + " SELECT u.vmid, u.name, u.ip_address, u.status, u.cpu_cores, u.memory_mb, u.disk_gb,"
            + " u.proxmox_node, u.incarnation, ?, now()"
            + " FROM unnest(?::int[], ?::text[], ?::text[], ?::text[], ?::int[], ?::int[], ?::int[], ?::text[], ?::text[])"
            + " AS u(vmid, name, ip_address, status, cpu_cores, memory_mb, disk_gb, proxmox_node, incarnation)"
            + HistorySql.returning(null, null, "'inserted'") + ")"
            + HistorySql.RECORD;

    // a reconcile pass confirms the VM still exists; nothing about it changed, so updated_at stays
    private static final String TOUCH = "UPDATE public.vms SET last_seen_at = now()"
            + " WHERE id = ANY(?::int[]) AND retired_at IS NULL";

    private final Connection c;
    private final String cluster;
    private final List<Array> arrays = new ArrayList<>();
    private final RecordedChanges.Builder recorded = new RecordedChanges.Builder();

    private BatchWriter(Connection c, String cluster) {
        this.c = c;
        this.cluster = cluster;
    }

    /**
     * Writes {@code plan} inside the caller's transaction. Kinds without rows send no statement.
     *
     * @return the history the writes recorded
     * @throws StoreException when a row the plan read changed meanwhile (the caller rolls back)
     */
    static RecordedChanges write(Connection c, String cluster, ChangePlan plan) throws SQLException {
        BatchWriter w = new BatchWriter(c, cluster);
        try {
            // marks first: a retired row must leave (cluster, vmid) before its successor is inserted
            w.marks(plan.marks());
            w.updates(plan.updates());
            w.inserts(plan.inserts());
            w.touches(plan.touches());
            return w.recorded.build();
        } finally {
            w.freeArrays();
        }
    }

    private void marks(List<MissingMark> marks) throws SQLException {
        if (marks.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(MARK)) {
            ps.setString(1, cluster);
            ps.setArray(2, ints(marks, MissingMark::id));
            ps.setArray(3, array("bool", marks.stream().map(MissingMark::retire).toArray(Boolean[]::new)));
            ps.setArray(4, array("bool", marks.stream().map(MissingMark::adopt).toArray(Boolean[]::new)));
            ps.setString(5, cluster);
            expect(record(ps), marks.size(), "marking missing");
        }
    }

    private void updates(List<RowUpdate> updates) throws SQLException {
        if (updates.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(UPDATE)) {
            ps.setString(1, cluster);
            ps.setArray(2, ints(updates, RowUpdate::id));
            setValues(ps, 3, updates.stream().map(RowUpdate::values).toList());
            ps.setArray(11, texts(updates, u -> u.kind().recorded()));
            ps.setString(12, cluster);
            expect(record(ps), updates.size(), "updating");
        }
    }

    private void inserts(List<RowValues> inserts) throws SQLException {
        if (inserts.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(INSERT)) {
            ps.setString(1, cluster);
            ps.setArray(2, ints(inserts, RowValues::vmid));
            setValues(ps, 3, inserts);
            expect(record(ps), inserts.size(), "inserting");
        }
    }

    private void touches(List<Integer> ids) throws SQLException {
        if (ids.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(TOUCH)) {
            ps.setArray(1, array("int4", ids.toArray(Integer[]::new)));
            ps.executeUpdate();
        }
    }

    /**
     * Runs a write and keeps the history rows it returns, one per row written.
     *
     * @return how many rows it wrote
     */
    private int record(PreparedStatement ps) throws SQLException {
        int written = 0;
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                recorded.add(VmChange.Kind.ofRecorded(rs.getString(3)), rs.getInt(1), rs.getLong(2));
                written++;
            }
        }
        return written;
    }

    /** Binds the eight value arrays after the key array, starting at parameter {@code first}. */
    private void setValues(PreparedStatement ps, int first, List<RowValues> rows) throws SQLException {
        ps.setArray(first, texts(rows, RowValues::name));
        ps.setArray(first + 1, texts(rows, RowValues::ipAddress));
        ps.setArray(first + 2, texts(rows, RowValues::status));
        ps.setArray(first + 3, ints(rows, RowValues::cpuCores));
        ps.setArray(first + 4, ints(rows, RowValues::memoryMb));
        ps.setArray(first + 5, ints(rows, RowValues::diskGb));
        ps.setArray(first + 6, texts(rows, RowValues::node));
        ps.setArray(first + 7, texts(rows, RowValues::incarnation));
    }

    /**
     * Every planned row must be written: fewer means another writer retired or adopted one of them
     * after we read it. Failing rolls the whole pass back; the next pass reads the new state.
     */
    private void expect(int written, int planned, String what) {
        if (written != planned) {
            throw new StoreException("cluster " + cluster + ": " + what + " changed " + written + " of " + planned
                    + " rows; some changed under this pass (another writer?); rolled back, the next pass retries");
        }
    }

    private <T> Array ints(List<T> rows, Function<T, Integer> column) throws SQLException {
        return array("int4", rows.stream().map(column).toArray(Integer[]::new));
    }

    private <T> Array texts(List<T> rows, Function<T, String> column) throws SQLException {
        return array("text", rows.stream().map(column).toArray(String[]::new));
    }

    private Array array(String type, Object[] elements) throws SQLException {
        Array a = c.createArrayOf(type, elements);
        arrays.add(a);
        return a;
    }

    private void freeArrays() throws SQLException {
        for (Array a : arrays) {
            a.free();
        }
    }
}
