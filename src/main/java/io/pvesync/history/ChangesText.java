package io.pvesync.history;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pvesync.inventory.Printable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * A change's {@code {"column": [old, new]}} as one line for a terminal:
 * {@code status "running" -> "stopped", memory_mb 2048 -> 4096}.
 *
 * <p>String values are quoted, with backslash and quote escaped, and made printable: a VM's name is
 * its owner's text, and a newline or an escape sequence in it must not reach the operator's
 * terminal as itself, nor a {@code " -> "} in it pass for another change. SQL NULL is {@code NULL}.
 */
public final class ChangesText {
    /** The columns in the order of the vms table, so that every line reads alike; others follow by name. */
    private static final List<String> ORDER = List.of("name", "ip_address", "status", "cpu_cores", "memory_mb",
            "disk_gb", "proxmox_node", "incarnation", "proxmox_cluster", "retired_at");

    private ChangesText() {
    }

    /** The changes, or {@code -} when there are none. */
    public static String of(ObjectNode changes) {
        List<Map.Entry<String, JsonNode>> columns = new ArrayList<>(changes.properties());
        if (columns.isEmpty()) {
            return "-";
        }
        columns.sort(Comparator.comparingInt((Map.Entry<String, JsonNode> e) -> rank(e.getKey()))
                .thenComparing(Map.Entry::getKey));
        List<String> parts = new ArrayList<>();
        for (Map.Entry<String, JsonNode> column : columns) {
            parts.add(Printable.of(column.getKey()) + " " + pair(column.getValue()));
        }
        return String.join(", ", parts);
    }

    private static int rank(String column) {
        int i = ORDER.indexOf(column);
        return i < 0 ? ORDER.size() : i;
    }

    /** {@code old -> new}; a value of another shape than pvesync writes is shown as its JSON. */
    private static String pair(JsonNode oldAndNew) {
        if (oldAndNew.isArray() && oldAndNew.size() == 2) {
            return value(oldAndNew.get(0)) + " -> " + value(oldAndNew.get(1));
        }
        return Printable.of(oldAndNew.toString());
    }

    /** One value: NULL, a quoted string, or a number (or any other JSON) as written. */
    static String value(JsonNode node) {
        if (node == null || node.isNull()) {
            return "NULL";
        }
        if (node.isTextual()) {
            return quote(node.textValue());
        }
        return Printable.of(node.toString());
    }

    /** Escaped so that the quotes always end where the value ends, then made printable. */
    static String quote(String text) {
        return '"' + Printable.of(text.replace("\\", "\\\\").replace("\"", "\\\"")) + '"';
    }
}
