package io.pvesync.store;

import io.pvesync.inventory.Printable;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The daemon-owned columns of one {@code public.vms} row (besides the cluster and the timestamps).
 *
 * @param status the column value ({@code running}, ..., {@code missing}); a stored row may hold
 *               values pvesync never writes
 */
record RowValues(
        int vmid,
        String name,
        String ipAddress,
        String status,
        Integer cpuCores,
        Integer memoryMb,
        Integer diskGb,
        String node,
        String incarnation) {

    /**
     * This row after {@code seen} is written over it: an unknown (null) value of this pass keeps
     * the stored one, so a failed address lookup never blanks an address.
     */
    RowValues overwrittenBy(RowValues seen) {
        return new RowValues(
                vmid,
                seen.name,
                seen.ipAddress != null ? seen.ipAddress : ipAddress,
                seen.status,
                seen.cpuCores != null ? seen.cpuCores : cpuCores,
                seen.memoryMb != null ? seen.memoryMb : memoryMb,
                seen.diskGb != null ? seen.diskGb : diskGb,
                seen.node,
                seen.incarnation != null ? seen.incarnation : incarnation);
    }

    RowValues withIncarnation(String marker) {
        return new RowValues(vmid, name, ipAddress, status, cpuCores, memoryMb, diskGb, node, marker);
    }

    RowValues withStatus(String newStatus) {
        return new RowValues(vmid, name, ipAddress, newStatus, cpuCores, memoryMb, diskGb, node, incarnation);
    }

    /** The columns that differ, as {@code "status running -> stopped, memory_mb 2048 -> 4096"}; empty when equal. */
    List<String> differencesTo(RowValues after) {
        List<String> out = new ArrayList<>();
        diff(out, "name", quote(name), quote(after.name), !Objects.equals(name, after.name));
        diff(out, "status", status, after.status, !Objects.equals(status, after.status));
        diff(out, "ip_address", ipAddress, after.ipAddress, !Objects.equals(ipAddress, after.ipAddress));
        diff(out, "cpu_cores", cpuCores, after.cpuCores, !Objects.equals(cpuCores, after.cpuCores));
        diff(out, "memory_mb", memoryMb, after.memoryMb, !Objects.equals(memoryMb, after.memoryMb));
        diff(out, "disk_gb", diskGb, after.diskGb, !Objects.equals(diskGb, after.diskGb));
        diff(out, "proxmox_node", node, after.node, !Objects.equals(node, after.node));
        diff(out, "incarnation", incarnation, after.incarnation, !Objects.equals(incarnation, after.incarnation));
        return out;
    }

    /** Every known column, as {@code name "web1", status running, ...}: the detail of an insert. */
    String describe() {
        List<String> out = new ArrayList<>();
        out.add("name " + quote(name));
        out.add("status " + status);
        add(out, "ip_address", ipAddress);
        add(out, "cpu_cores", cpuCores);
        add(out, "memory_mb", memoryMb);
        add(out, "disk_gb", diskGb);
        add(out, "proxmox_node", node);
        add(out, "incarnation", incarnation);
        return String.join(", ", out);
    }

    private static void diff(List<String> out, String column, Object before, Object after, boolean differs) {
        if (differs) {
            out.add(column + " " + show(before) + " -> " + show(after));
        }
    }

    private static void add(List<String> out, String column, Object value) {
        if (value != null) {
            out.add(column + " " + value);
        }
    }

    private static String show(Object value) {
        return value == null ? "NULL" : value.toString();
    }

    /** Quoted and escaped: a name is its owner's text, and it goes into log lines and dry-run output. */
    private static String quote(String s) {
        return s == null ? null : '"' + Printable.of(s) + '"';
    }
}
