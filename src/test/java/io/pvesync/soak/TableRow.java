package io.pvesync.soak;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** One row of {@code public.vms}, every column a soak judges, read as the owner (no RLS in the way). */
record TableRow(int id, int vmid, String cluster, String name, String status, Integer cores, Integer memoryMb,
                Integer diskGb, String node, String ipAddress, String incarnation, boolean retired, Integer ownerId,
                String notes) {

    boolean live() {
        return !retired;
    }

    boolean missing() {
        return "missing".equals(status);
    }

    /** The row as a diff shows it. */
    String describe() {
        return "row " + id + " [" + name + " " + status + " " + cores + " " + memoryMb + " " + diskGb + " " + node
                + " " + ipAddress + " " + incarnation + (retired ? " retired" : "") + "]";
    }

    /** The row with the application's columns emptied: what the daemon may change, to see whether it did. */
    TableRow daemonColumns() {
        return new TableRow(id, vmid, cluster, name, status, cores, memoryMb, diskGb, node, ipAddress, incarnation,
                retired, null, null);
    }

    /** The select list {@link #read} expects, first in a query: {@code SELECT <COLUMNS> FROM ...} or {@code RETURNING}. */
    static final String COLUMNS = "id, vmid, proxmox_cluster, name, status, cpu_cores, memory_mb, disk_gb,"
            + " proxmox_node, ip_address, incarnation, retired_at IS NOT NULL, owner_id, notes";

    /** The row at the result's cursor, selected with {@link #COLUMNS}. */
    static TableRow read(ResultSet rs) throws SQLException {
        return new TableRow(rs.getInt(1), rs.getInt(2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getObject(6, Integer.class), rs.getObject(7, Integer.class), rs.getObject(8, Integer.class),
                rs.getString(9), rs.getString(10), rs.getString(11), rs.getBoolean(12),
                rs.getObject(13, Integer.class), rs.getString(14));
    }

    static List<TableRow> readAll(Connection c) throws SQLException {
        List<TableRow> rows = new ArrayList<>();
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT " + COLUMNS + " FROM public.vms ORDER BY vmid, id")) {
            while (rs.next()) {
                rows.add(read(rs));
            }
        }
        return rows;
    }
}
