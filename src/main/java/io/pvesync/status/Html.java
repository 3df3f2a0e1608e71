package io.pvesync.status;

/**
 * Escaping for the status page. Everything the page shows that pvesync did not write itself (a
 * cluster's name from the config, Proxmox's error texts, a guest agent's error text, which the
 * guest's owner controls) goes through here, so no such text can become markup. One place, with
 * its own tests, rather than a {@code replace} at each use.
 */
final class Html {
    private Html() {
    }

    /**
     * {@code value} for the text content of an element ({@code <td>HERE</td>}): {@code &}, {@code <}
     * and {@code >} as character references. NUL becomes U+FFFD, as the HTML parser would make it
     * anyway. Null is written as the empty string.
     */
    static String text(String value) {
        return escape(value, false);
    }

    /**
     * {@code value} for a double-quoted attribute value ({@code title="HERE"}): also {@code "} and
     * {@code '}, so the value cannot end the attribute whichever quote a later edit picks.
     */
    static String attribute(String value) {
        return escape(value, true);
    }

    private static String escape(String value, boolean attribute) {
        if (value == null) {
            return "";
        }
        StringBuilder out = null; // only when something needs escaping: most values are plain
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            String replacement = switch (c) {
                case '&' -> "&amp;";
                case '<' -> "&lt;";
                case '>' -> "&gt;";
                case '"' -> attribute ? "&quot;" : null;
                case '\'' -> attribute ? "&#39;" : null;
                case '\0' -> "\uFFFD";
                default -> null;
            };
            if (replacement != null && out == null) {
                out = new StringBuilder(value.length() + 16).append(value, 0, i);
            }
            if (out != null) {
                if (replacement != null) {
                    out.append(replacement);
                } else {
                    out.append(c);
                }
            }
        }
        return out == null ? value : out.toString();
    }
}
