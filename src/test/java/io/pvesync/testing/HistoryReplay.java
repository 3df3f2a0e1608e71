package io.pvesync.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An oracle for the change history (DESIGN.md 4.5), independent of the code that writes it: every
 * row's changes, replayed in id order, must follow on from each other (each change's old value is
 * what the change before it left, or NULL before an insert) and end at what the row holds now.
 * A change written without its history, a history row with made-up old values or one of a write
 * that rolled back all break the chain. Valid while nobody but pvesync writes these columns.
 */
public final class HistoryReplay {
    /** The columns a history row may name, as the README lists them: the oracle's own copy. */
    private static final List<String> COLUMNS = List.of("name", "ip_address", "status", "cpu_cores", "memory_mb",
            "disk_gb", "proxmox_node", "incarnation", "proxmox_cluster", "retired_at");
    private static final ObjectMapper JSON = new ObjectMapper();

    private HistoryReplay() {
    }

    /** What breaks the chain, one line each; empty when every row's history replays to it. Reads past RLS. */
    public static List<String> mismatches(Connection owner) throws SQLException {
        Map<Integer, JsonNode> rows = new HashMap<>();
        StringBuilder object = new StringBuilder("jsonb_build_object(");
        for (int i = 0; i < COLUMNS.size(); i++) {
            object.append(i == 0 ? "" : ", ").append('\'').append(COLUMNS.get(i)).append("', ").append(COLUMNS.get(i));
        }
        object.append(")::text");
        List<String> out = new ArrayList<>();
        try (Statement st = owner.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT id, " + object + " FROM public.vms")) {
                while (rs.next()) {
                    rows.put(rs.getInt(1), json(rs.getString(2)));
                }
            }
            Map<Integer, Map<String, JsonNode>> replayed = new HashMap<>();
            try (ResultSet rs = st.executeQuery("SELECT id, vm_id, kind, changes::text FROM public.vm_changes ORDER BY id")) {
                while (rs.next()) {
                    replay(replayed, rs.getLong(1), rs.getInt(2), rs.getString(3), json(rs.getString(4)), out);
                }
            }
            replayed.forEach((vmId, state) -> {
                JsonNode row = rows.get(vmId);
                if (row == null) {
                    return; // the application deleted the row; its history stays (retention)
                }
                state.forEach((column, value) -> {
                    if (!row.path(column).equals(value)) {
                        out.add("vms id " + vmId + ": " + column + " is " + row.path(column) + ", but its history's last"
                                + " change left " + value);
                    }
                });
            });
        }
        return out;
    }

    private static void replay(Map<Integer, Map<String, JsonNode>> replayed, long id, int vmId, String kind,
                               JsonNode changes, List<String> out) {
        Map<String, JsonNode> state = replayed.computeIfAbsent(vmId, k -> new HashMap<>());
        if (kind.equals("inserted")) {
            if (!state.isEmpty()) {
                out.add("change " + id + ": an insert of vms id " + vmId + ", which already had changes");
            }
            COLUMNS.forEach(c -> state.put(c, NullNode.getInstance()));
        }
        if (changes.isEmpty() && !kind.equals("retired")) {
            out.add("change " + id + " (" + kind + ") of vms id " + vmId + " changes nothing");
        }
        for (Map.Entry<String, JsonNode> change : changes.properties()) {
            JsonNode old = change.getValue().get(0);
            JsonNode now = change.getValue().get(1);
            JsonNode before = state.get(change.getKey());
            if (!COLUMNS.contains(change.getKey())) {
                out.add("change " + id + " of vms id " + vmId + " names " + change.getKey() + ", not a column it may name");
            } else if (old.equals(now)) {
                out.add("change " + id + " of vms id " + vmId + ": " + change.getKey() + " did not change (" + old + ")");
            } else if (before != null && !before.equals(old)) {
                out.add("change " + id + " (" + kind + ") of vms id " + vmId + ": " + change.getKey() + " was " + old
                        + " by this change, but the change before it left " + before);
            }
            state.put(change.getKey(), now);
        }
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("PostgreSQL sent JSON that does not parse: " + text, e);
        }
    }
}
