package io.pvesync.logging;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The subject a log line starts with, as fields. Every line pvesync logs names its subject first
 * (STYLE.md: {@code cluster=lab node=pve2 vmid=104 - text}, or a word: {@code database - text}), so
 * the fields are read from that prefix rather than put in the MDC at each of the ~60 places that
 * log: the prefix is already the contract, it is right in lines logged from any thread, and the text
 * format keeps showing exactly what it showed.
 *
 * <p>A prefix counts only when everything before the first {@code " - "} is subject words and
 * {@code key=value} pairs; anything else (a sentence that happens to contain a dash) has no subject.
 */
final class Subject {
    /** The keys that become fields; other {@code key=value} pairs stay in the message only. */
    static final Set<String> FIELDS = Set.of("cluster", "node", "vmid", "endpoint");
    private static final Pattern WORD = Pattern.compile("[a-zA-Z][a-zA-Z0-9_]*");
    private static final Pattern PAIR = Pattern.compile("[a-z]+=[^\\s=]+");
    private static final int MAX_PREFIX = 300;

    private Subject() {
    }

    /** The subject's fields in the order written; empty when the message has no subject prefix. */
    static Map<String, String> of(String message) {
        if (message == null) {
            return Map.of();
        }
        int end = message.indexOf(" - ");
        if (end <= 0 || end > MAX_PREFIX) {
            return Map.of();
        }
        Map<String, String> fields = new LinkedHashMap<>();
        for (String token : message.substring(0, end).split(" ", -1)) {
            if (PAIR.matcher(token).matches()) {
                int eq = token.indexOf('=');
                String key = token.substring(0, eq);
                if (FIELDS.contains(key)) {
                    fields.putIfAbsent(key, token.substring(eq + 1));
                }
            } else if (!WORD.matcher(token).matches()) {
                return Map.of();
            }
        }
        return fields;
    }
}
