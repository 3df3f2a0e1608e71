package io.pvesync.store;

import io.pvesync.inventory.KnownVm;
import io.pvesync.inventory.VmStatus;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The reads of a pass; each is one statement, run inside the caller's admin transaction. */
final class VmRows {
    private static final String KNOWN = "SELECT vmid, name, status, proxmox_node, ip_address, incarnation"
            + " FROM public.vms WHERE proxmox_cluster = ? AND retired_at IS NULL";

    private static final String COLUMNS = "id, xmin::text::bigint AS xmin, proxmox_cluster, created_at, owner_id,"
            + " vmid, name, ip_address, status, cpu_cores, memory_mb, disk_gb, proxmox_node, incarnation";

    // No FOR UPDATE: row locks would dirty every page read; the cluster's advisory lock already
    // keeps other pvesync instances out, and the application does not write daemon-owned columns.
    // every application row without a cluster: adoption candidates, late rows, and rows of VMs that
    // never came (DESIGN.md 3.10)
    private static final String FOR_APPLY = "SELECT " + COLUMNS + " FROM public.vms"
            + " WHERE retired_at IS NULL AND (proxmox_cluster = ? OR proxmox_cluster IS NULL)";

    // Every write to a row gives it the writing transaction's xmin: the count and the sum of xmin
    // change with any insert, update or delete of the cluster's live rows or of the application's
    // unadopted rows, by anyone.
    private static final String FINGERPRINT = "SELECT count(*), coalesce(sum(xmin::text::bigint), 0)"
            + " FROM public.vms WHERE retired_at IS NULL AND (proxmox_cluster = ? OR proxmox_cluster IS NULL)";

    private static final String READ_BACK = "SELECT " + COLUMNS + " FROM public.vms"
            + " WHERE retired_at IS NULL AND (proxmox_cluster = ? OR proxmox_cluster IS NULL)"
            + " AND (id = ANY(?::int[]) OR (proxmox_cluster = ? AND vmid = ANY(?::int[])))";

    private VmRows() {
    }

    /** The fingerprint of the cluster's live rows (see {@link LastWritten}): two numbers, no rows sent. */
    static String fingerprint(Connection c, String cluster) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(FINGERPRINT)) {
            ps.setString(1, cluster);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1) + ":" + rs.getString(2);
            }
        }
    }

    /**
     * The live rows of {@code cluster} and the unadopted rows with one of {@code ids}, and the live
     * rows of {@code cluster} with one of {@code vmids}, as stored now.
     */
    static List<StoredRow> readBack(Connection c, String cluster, Integer[] ids, Integer[] vmids,
                                    Map<Integer, Long> xmins) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(READ_BACK)) {
            Array idArray = c.createArrayOf("int4", ids);
            Array vmidArray = c.createArrayOf("int4", vmids);
            ps.setString(1, cluster);
            ps.setArray(2, idArray);
            ps.setString(3, cluster);
            ps.setArray(4, vmidArray);
            try {
                return rows(ps, xmins);
            } finally {
                idArray.free();
                vmidArray.free();
            }
        }
    }

    /** The rows of {@code ps}, each row's xmin put in {@code xmins} by id. */
    private static List<StoredRow> rows(PreparedStatement ps, Map<Integer, Long> xmins) throws SQLException {
        List<StoredRow> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                int id = rs.getInt("id");
                xmins.put(id, rs.getLong("xmin"));
                out.add(new StoredRow(id, rs.getString("proxmox_cluster"), instant(rs, "created_at"),
                        integer(rs, "owner_id"), values(rs)));
            }
        }
        return out;
    }

    /** The live rows of {@code cluster} by VMID. */
    static Map<Integer, KnownVm> known(Connection c, String cluster) throws SQLException {
        Map<Integer, KnownVm> out = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(KNOWN)) {
            ps.setString(1, cluster);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    int vmid = rs.getInt("vmid");
                    out.put(vmid, new KnownVm(vmid, rs.getString("name"), VmStatus.fromColumn(rs.getString("status")),
                            rs.getString("proxmox_node"), rs.getString("ip_address"), rs.getString("incarnation")));
                }
            }
        }
        return out;
    }

    /** The live rows of {@code cluster}, plus every application row without a cluster (not retired). */
    static List<StoredRow> forApply(Connection c, String cluster, Map<Integer, Long> xmins) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(FOR_APPLY)) {
            ps.setString(1, cluster);
            return rows(ps, xmins);
        }
    }

    private static RowValues values(ResultSet rs) throws SQLException {
        return new RowValues(rs.getInt("vmid"), rs.getString("name"), rs.getString("ip_address"),
                rs.getString("status"), integer(rs, "cpu_cores"), integer(rs, "memory_mb"), integer(rs, "disk_gb"),
                rs.getString("proxmox_node"), rs.getString("incarnation"));
    }

    private static Integer integer(ResultSet rs, String column) throws SQLException {
        int value = rs.getInt(column);
        return rs.wasNull() ? null : value;
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }
}
