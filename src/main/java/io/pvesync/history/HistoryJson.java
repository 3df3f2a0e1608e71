package io.pvesync.history;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pvesync.inventory.Printable;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;

/**
 * Changes as a JSON array for programs, newest first: {@code [{"id": 1003, "vm_id": 12, "vmid": 104,
 * "cluster": "lab", "changed_at": "2026-12-04T18:02:11.204518Z", "kind": "updated", "owner_id": 42,
 * "changes": {"status": ["running", "stopped"]}}]}; {@code []} when nothing matched.
 *
 * <p>The values are exactly what is stored. Characters that drive a terminal (C0 and C1 controls,
 * DEL, line separators, bidirectional controls) are written as backslash-u escapes, as JSON
 * writes its own, which every JSON reader turns back into the same text: the output is also safe
 * to look at.
 */
public final class HistoryJson {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectWriter WRITER = JSON.writer(new TerminalSafeEscapes())
            .with(SerializationFeature.INDENT_OUTPUT);

    private HistoryJson() {
    }

    /** The entries as one JSON array, indented. */
    public static String of(List<HistoryEntry> entries) {
        ArrayNode array = JSON.createArrayNode();
        for (HistoryEntry e : entries) {
            ObjectNode o = array.addObject();
            o.put("id", e.id());
            o.put("vm_id", e.vmId());
            o.put("vmid", e.vmid());
            o.put("cluster", e.cluster());
            o.put("changed_at", e.changedAt().toString());
            o.put("kind", e.kind());
            o.put("owner_id", e.ownerId());
            o.set("changes", e.changes());
        }
        try {
            return WRITER.writeValueAsString(array);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e); // a tree of plain values always serialises
        }
    }

    /** JSON's own escapes, plus backslash-u escapes for what JSON allows raw but a terminal obeys. */
    private static final class TerminalSafeEscapes extends CharacterEscapes {
        private final int[] ascii = standardAsciiEscapesForJSON();

        TerminalSafeEscapes() {
            ascii[0x7f] = ESCAPE_STANDARD; // DEL
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return ascii;
        }

        @Override
        public SerializableString getEscapeSequence(int ch) {
            // called for non-ASCII only: C1 controls, separators and bidirectional controls
            return Printable.needsEscape(ch) ? new SerializedString(String.format(Locale.ROOT, "\\u%04X", ch))
                    : null;
        }
    }
}
