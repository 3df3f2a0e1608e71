package io.pvesync.inventory;

import java.util.Locale;

/**
 * Text that guests and their owners control (a VM's name, its guest agent's error text), made
 * safe for one log line: a newline in it would start a forged line in the journal, ESC drives the
 * operator's terminal, and the bidirectional controls reorder what the operator reads. Those are
 * shown as Java-style escapes (a newline as backslash-n, ESC as backslash-u001b); everything else,
 * emoji and other scripts included, stays as it is. Stored values never change, only what is logged.
 */
public final class Printable {
    private Printable() {
    }

    /** {@code text} with control and bidirectional-control characters escaped; null stays null. */
    public static String of(String text) {
        if (text == null || !anyNeedsEscape(text)) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length() + 16);
        text.codePoints().forEach(cp -> {
            switch (cp) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (needsEscape(cp)) {
                        out.append(String.format(Locale.ROOT, "\\u%04x", cp));
                    } else {
                        out.appendCodePoint(cp);
                    }
                }
            }
        });
        return out.toString();
    }

    /** Like {@link #of(String)}, cut to {@code max} code points first (marked with "..."). */
    public static String of(String text, int max) {
        if (text == null || text.codePointCount(0, text.length()) <= max) {
            return of(text);
        }
        return of(text.substring(0, text.offsetByCodePoints(0, max))) + "...";
    }

    /** A plain loop: called for every guest's name on every pass, where a stream per call showed. */
    private static boolean anyNeedsEscape(String text) {
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            if (needsEscape(cp)) {
                return true;
            }
            i += Character.charCount(cp);
        }
        return false;
    }

    /**
     * Whether {@link #of(String)} escapes {@code cp}: a control character, a line or paragraph
     * separator, or a bidirectional control. For writers with escapes of their own (JSON's).
     */
    public static boolean needsEscape(int cp) {
        return Character.getType(cp) == Character.CONTROL // C0, DEL, C1
                || cp == 0x2028 || cp == 0x2029 // line and paragraph separators: line breaks to some viewers
                || cp == 0x061C || cp == 0x200E || cp == 0x200F // bidirectional marks
                || (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069); // embeddings, overrides, isolates
    }
}
