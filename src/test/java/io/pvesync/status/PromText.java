package io.pvesync.status;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text exposition format (version 0.0.4), written for the tests
 * because the client library only writes it. It rejects, with the line number, what Prometheus
 * would reject or mis-read: bad metric or label names, bad label syntax or escapes, unparsable
 * values, a HELP or TYPE line after its family's samples or given twice, a family's samples split
 * up, and a sample given twice.
 *
 * <p>Public for the check that the monitoring files use only what {@code /metrics} exposes.
 */
public final class PromText {
    private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Pattern META = Pattern.compile("# (HELP|TYPE) (\\S+)(?: (.*))?");
    private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");

    private final Map<String, Double> samples = new LinkedHashMap<>();
    private final Map<String, String> types = new HashMap<>();
    private final Map<String, String> helps = new HashMap<>();
    private final Set<String> families = new java.util.LinkedHashSet<>();
    private final Map<String, Map<String, Set<String>>> series = new TreeMap<>();

    private PromText() {
    }

    /** @throws IllegalArgumentException naming the line and what is wrong with it */
    public static PromText parse(String text) {
        PromText p = new PromText();
        Set<String> familiesWithSamples = new HashSet<>();
        Set<String> closedFamilies = new HashSet<>();
        String currentFamily = null;
        String[] lines = text.split("\n", -1);
        if (!text.endsWith("\n")) {
            throw new IllegalArgumentException("the exposition does not end with a line feed");
        }
        for (int i = 0; i < lines.length - 1; i++) {
            String line = lines[i];
            String where = "line " + (i + 1) + " \"" + line + "\": ";
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("#")) {
                Matcher m = META.matcher(line);
                if (!m.matches()) {
                    continue; // a plain comment
                }
                String family = m.group(2);
                requireName(METRIC_NAME, family, where);
                if (familiesWithSamples.contains(family)) {
                    throw new IllegalArgumentException(where + m.group(1) + " after the family's samples");
                }
                Map<String, String> meta = m.group(1).equals("HELP") ? p.helps : p.types;
                String value = m.group(3) == null ? "" : m.group(3);
                if (meta.put(family, value) != null) {
                    throw new IllegalArgumentException(where + m.group(1) + " given twice");
                }
                if (m.group(1).equals("TYPE") && !TYPES.contains(value)) {
                    throw new IllegalArgumentException(where + "unknown type " + value);
                }
                continue;
            }
            Sample s = Sample.read(line, where);
            String family = p.familyOf(s.name);
            if (!family.equals(currentFamily)) {
                if (closedFamilies.contains(family)) {
                    throw new IllegalArgumentException(where + "samples of " + family + " are split up");
                }
                if (currentFamily != null) {
                    closedFamilies.add(currentFamily);
                }
                currentFamily = family;
            }
            familiesWithSamples.add(family);
            p.families.add(family);
            if (p.samples.put(s.key(), s.value) != null) {
                throw new IllegalArgumentException(where + "sample given twice");
            }
            Map<String, Set<String>> labels = p.series.computeIfAbsent(s.name, n -> new TreeMap<>());
            s.labels.forEach((k, v) -> labels.computeIfAbsent(k, x -> new java.util.TreeSet<>()).add(v));
        }
        return p;
    }

    /** The value of the sample with exactly these labels (name, value, name, value, ...), or null. */
    Double value(String name, String... labels) {
        Map<String, String> l = new TreeMap<>();
        for (int i = 0; i < labels.length; i += 2) {
            l.put(labels[i], labels[i + 1]);
        }
        return samples.get(new Sample(name, l, 0).key());
    }

    String type(String family) {
        return types.get(family);
    }

    String help(String family) {
        return helps.get(family);
    }

    /** The families that have samples, in order of appearance. */
    Set<String> families() {
        return Set.copyOf(families);
    }

    Map<String, Double> samples() {
        return Map.copyOf(samples);
    }

    /**
     * Every sample name ({@code _bucket}, {@code _sum} and {@code _count} as they are written) with
     * its label names and the values each takes; a name without labels maps to an empty map.
     */
    public Map<String, Map<String, Set<String>>> series() {
        return java.util.Collections.unmodifiableMap(series);
    }

    /** A histogram's or summary's _bucket, _sum and _count belong to the family named without them. */
    private String familyOf(String sample) {
        for (String suffix : new String[] {"_bucket", "_sum", "_count"}) {
            if (sample.endsWith(suffix)) {
                String base = sample.substring(0, sample.length() - suffix.length());
                String type = types.get(base);
                if ("histogram".equals(type) || "summary".equals(type) && !suffix.equals("_bucket")) {
                    return base;
                }
            }
        }
        return sample;
    }

    private static void requireName(Pattern form, String name, String where) {
        if (!form.matcher(name).matches()) {
            throw new IllegalArgumentException(where + "invalid name " + name);
        }
    }

    private record Sample(String name, Map<String, String> labels, double value) {
        String key() {
            StringBuilder sb = new StringBuilder(name).append('{');
            labels.forEach((k, v) -> sb.append(k).append("=\"").append(v).append("\","));
            return sb.append('}').toString();
        }

        static Sample read(String line, String where) {
            int i = 0;
            while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') {
                i++;
            }
            String name = line.substring(0, i);
            requireName(METRIC_NAME, name, where);
            Map<String, String> labels = new TreeMap<>();
            if (i < line.length() && line.charAt(i) == '{') {
                i = readLabels(line, i + 1, labels, where);
            }
            if (i >= line.length() || line.charAt(i) != ' ') {
                throw new IllegalArgumentException(where + "no value");
            }
            String[] rest = line.substring(i + 1).split(" ", -1);
            if (rest.length > 2) {
                throw new IllegalArgumentException(where + "trailing text after value and timestamp");
            }
            if (rest.length == 2 && !rest[1].matches("-?\\d+")) {
                throw new IllegalArgumentException(where + "bad timestamp " + rest[1]);
            }
            return new Sample(name, labels, value(rest[0], where));
        }

        /** Reads {@code a="x",b="y"}} from just after the brace; returns the index after the closing brace. */
        private static int readLabels(String line, int i, Map<String, String> labels, String where) {
            while (true) {
                if (i < line.length() && line.charAt(i) == '}') {
                    return i + 1;
                }
                int eq = line.indexOf('=', i);
                if (eq < 0) {
                    throw new IllegalArgumentException(where + "label without '='");
                }
                String labelName = line.substring(i, eq);
                requireName(LABEL_NAME, labelName, where);
                if (eq + 1 >= line.length() || line.charAt(eq + 1) != '"') {
                    throw new IllegalArgumentException(where + "label value of " + labelName + " not quoted");
                }
                StringBuilder value = new StringBuilder();
                int j = eq + 2;
                for (; ; j++) {
                    if (j >= line.length()) {
                        throw new IllegalArgumentException(where + "unterminated label value");
                    }
                    char c = line.charAt(j);
                    if (c == '"') {
                        break;
                    }
                    if (c == '\\') {
                        char next = j + 1 < line.length() ? line.charAt(j + 1) : ' ';
                        switch (next) {
                            case '\\', '"' -> value.append(next);
                            case 'n' -> value.append('\n');
                            default -> throw new IllegalArgumentException(where + "bad escape \\" + next);
                        }
                        j++;
                    } else {
                        value.append(c);
                    }
                }
                if (labels.put(labelName, value.toString()) != null) {
                    throw new IllegalArgumentException(where + "label " + labelName + " given twice");
                }
                i = j + 1;
                if (i < line.length() && line.charAt(i) == ',') {
                    i++;
                } else if (i >= line.length() || line.charAt(i) != '}') {
                    throw new IllegalArgumentException(where + "expected ',' or '}' after a label");
                }
            }
        }

        private static double value(String text, String where) {
            switch (text) {
                case "+Inf", "Inf" -> {
                    return Double.POSITIVE_INFINITY;
                }
                case "-Inf" -> {
                    return Double.NEGATIVE_INFINITY;
                }
                case "NaN" -> {
                    return Double.NaN;
                }
                default -> {
                    if (!text.matches("[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?")) {
                        throw new IllegalArgumentException(where + "bad value " + text);
                    }
                    return Double.parseDouble(text);
                }
            }
        }
    }
}
