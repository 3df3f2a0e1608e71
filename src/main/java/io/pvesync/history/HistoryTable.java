package io.pvesync.history;

import io.pvesync.inventory.Printable;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * Changes as an aligned table for people, one line per change, newest first:
 * <pre>
 * CHANGED              CLUSTER  VMID  VM_ID  KIND     OWNER  CHANGES
 * 2026-12-04 18:02:11  lab      104   12     updated  42     status "running" -> "stopped"
 * </pre>
 * Times are UTC to the second (like the database's own view of them, whatever the operator's
 * zone); a change without an owner shows {@code -}.
 */
public final class HistoryTable {
    static final List<String> HEADER = List.of("CHANGED", "CLUSTER", "VMID", "VM_ID", "KIND", "OWNER", "CHANGES");
    private static final DateTimeFormatter CHANGED = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
            .withZone(ZoneOffset.UTC);
    private static final String GAP = "  ";

    private HistoryTable() {
    }

    /** The header and one line per entry, in the entries' order. */
    public static List<String> lines(List<HistoryEntry> entries) {
        List<List<String>> rows = new ArrayList<>();
        rows.add(HEADER);
        for (HistoryEntry e : entries) {
            rows.add(List.of(CHANGED.format(e.changedAt()), Printable.of(e.cluster()), Integer.toString(e.vmid()),
                    Integer.toString(e.vmId()), Printable.of(e.kind()),
                    e.ownerId() == null ? "-" : Integer.toString(e.ownerId()), ChangesText.of(e.changes())));
        }
        int[] widths = new int[HEADER.size()];
        for (List<String> row : rows) {
            for (int i = 0; i < widths.length; i++) {
                widths[i] = Math.max(widths[i], width(row.get(i)));
            }
        }
        List<String> lines = new ArrayList<>();
        for (List<String> row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < widths.length; i++) {
                line.append(row.get(i));
                if (i < widths.length - 1) {
                    // the last column is not padded: no trailing blanks
                    line.append(" ".repeat(widths[i] - width(row.get(i)))).append(GAP);
                }
            }
            lines.add(line.toString());
        }
        return lines;
    }

    private static int width(String cell) {
        return cell.codePointCount(0, cell.length());
    }
}
