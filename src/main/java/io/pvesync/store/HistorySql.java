package io.pvesync.store;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The SQL that records each write's changes in {@code public.vm_changes} inside the write's own
 * statement (DESIGN.md 4.5): every write of {@link BatchWriter} becomes a data-modifying CTE named
 * {@code w} whose {@code RETURNING} list is {@link #returning}, followed by {@link #RECORD}, which
 * inserts one history row per written row and returns its {@code (vm_id, id, kind)}. A change and its
 * history commit together or not at all, and the history costs no statement and no round trip.
 *
 * <p>The old values come from the table itself ({@link #OLD_ROW}), so what the history says is
 * what the table held, not what this process believed it held; an insert has no old values.
 */
final class HistorySql {
    /**
     * The columns a history row may name: the daemon-owned values, the marker, the cluster (set by
     * an adoption) and {@code retired_at} (set by a retirement). {@code updated_at} and
     * {@code last_seen_at} are bookkeeping and never appear.
     */
    static final List<String> COLUMNS = List.of("name", "ip_address", "status", "cpu_cores", "memory_mb", "disk_gb",
            "proxmox_node", "incarnation", "proxmox_cluster", "retired_at");

    /**
     * The row {@code u.id} as it is just before the write, as {@code o}: locked first (the lock
     * the UPDATE takes anyway), so when another session's write to the row commits while this one
     * waits, {@code o} is that version, the one this write replaces. A plain second scan would keep
     * the statement's snapshot and record an old value the table no longer held.
     */
    static final String OLD_ROW = "LATERAL (SELECT * FROM public.vms x WHERE x.id = u.id FOR NO KEY UPDATE) o";

    /** Each column that differs, as {"column": [old, new]}; jsonb compares numbers and texts exactly. */
    private static final String DIFF = "(SELECT coalesce(jsonb_object_agg(d.col, jsonb_build_array(d.old, d.new)),"
            + " '{}'::jsonb) FROM (VALUES " + COLUMNS.stream()
            .map(c -> "('" + c + "', to_jsonb(w.old_" + c + "), to_jsonb(w.new_" + c + "))")
            .collect(Collectors.joining(", "))
            + ") AS d(col, old, new) WHERE d.old IS DISTINCT FROM d.new)";

    /** Follows the CTE {@code w}: its rows' history, and for each the row id, the change's id and kind. */
    static final String RECORD = " INSERT INTO public.vm_changes (vm_id, vmid, proxmox_cluster, kind, changes, owner_id)"
            + " SELECT w.id, w.vmid, w.new_proxmox_cluster, w.kind, " + DIFF + ", w.owner_id FROM w"
            + " RETURNING vm_id, id, kind";

    private HistorySql() {
    }

    /**
     * The {@code RETURNING} list of a write: the row's id, vmid and owner, the change's
     * {@code kind} (an SQL expression), and each column before ({@code old}: the alias of the table
     * as it was, or null for an insert) and after ({@code now}: the alias of the written row, or
     * null for an insert's own columns).
     */
    static String returning(String now, String old, String kind) {
        String n = now == null ? "" : now + ".";
        StringBuilder sb = new StringBuilder(" RETURNING ").append(n).append("id, ").append(n).append("vmid, ")
                .append(n).append("owner_id, ").append(kind).append(" AS kind");
        for (String c : COLUMNS) {
            sb.append(", ").append(old == null ? "NULL::" + type(c) : old + "." + c).append(" AS old_").append(c);
            sb.append(", ").append(n).append(c).append(" AS new_").append(c);
        }
        return sb.toString();
    }

    private static String type(String column) {
        return switch (column) {
            case "cpu_cores", "memory_mb", "disk_gb" -> "integer";
            case "retired_at" -> "timestamptz";
            default -> "text";
        };
    }
}
