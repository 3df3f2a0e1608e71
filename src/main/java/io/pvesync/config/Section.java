package io.pvesync.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One mapping of the YAML file, read key by key. Every problem is recorded under the key's full
 * path instead of thrown, so the loader can report all of them at once; keys never asked for are
 * reported as unknown by {@link #finish()}, with a suggestion when one is close.
 */
final class Section {
    private final String path;
    private final JsonNode node;
    private final List<String> problems;
    private final Set<String> known = new LinkedHashSet<>();

    Section(String path, JsonNode node, List<String> problems) {
        this.path = path;
        this.node = node;
        this.problems = problems;
    }

    /** The full path of a key of this section, e.g. {@code clusters[0].tls.ca-file}. */
    String key(String name) {
        if (name.isEmpty()) {
            return path;
        }
        return path.isEmpty() ? name : path + "." + name;
    }

    void problem(String key, String message) {
        problems.add(key(key) + ": " + message);
    }

    boolean has(String name) {
        known.add(name);
        JsonNode value = node.get(name);
        return value != null && !value.isNull();
    }

    /** A scalar as text, or empty when absent; a mapping or list here is a problem. */
    Optional<String> text(String name) {
        known.add(name);
        JsonNode value = node.get(name);
        if (value == null || value.isNull()) {
            return Optional.empty();
        }
        if (!value.isValueNode()) {
            problem(name, "must be a single value, not a " + (value.isArray() ? "list" : "mapping"));
            return Optional.empty();
        }
        String text = value.asText().trim();
        if (text.isEmpty()) {
            problem(name, "is empty");
            return Optional.empty();
        }
        return Optional.of(text);
    }

    Optional<String> requiredText(String name) {
        Optional<String> value = text(name);
        if (value.isEmpty() && !has(name)) {
            problem(name, "required");
        }
        return value;
    }

    boolean flag(String name, boolean fallback) {
        known.add(name);
        JsonNode value = node.get(name);
        if (value == null || value.isNull()) {
            return fallback;
        }
        if (value.isBoolean()) {
            return value.booleanValue();
        }
        problem(name, "must be true or false, not " + describe(value));
        return fallback;
    }

    int integer(String name, int fallback, int min, int max) {
        known.add(name);
        JsonNode value = node.get(name);
        if (value == null || value.isNull()) {
            return fallback;
        }
        if (value.isIntegralNumber() && value.canConvertToInt() && value.intValue() >= min && value.intValue() <= max) {
            return value.intValue();
        }
        problem(name, "must be a whole number from " + min + " to " + max + ", not " + describe(value));
        return fallback;
    }

    /** A nested mapping, or an empty one when absent. */
    Section section(String name) {
        known.add(name);
        JsonNode value = node.get(name);
        if (value != null && !value.isNull() && !value.isObject()) {
            problem(name, "must be a mapping of keys, not " + describe(value));
            value = null;
        }
        return new Section(key(name), value == null || value.isNull()
                ? com.fasterxml.jackson.databind.node.MissingNode.getInstance() : value, problems);
    }

    /** The items of a list, each as a section if it is a mapping; problems recorded otherwise. */
    List<Section> sections(String name) {
        known.add(name);
        JsonNode value = node.get(name);
        List<Section> out = new ArrayList<>();
        if (value == null || value.isNull()) {
            return out;
        }
        if (!value.isArray()) {
            problem(name, "must be a list, not " + describe(value));
            return out;
        }
        for (int i = 0; i < value.size(); i++) {
            JsonNode item = value.get(i);
            String itemPath = key(name) + "[" + i + "]";
            if (!item.isObject()) {
                problems.add(itemPath + ": must be a mapping of keys, not " + describe(item));
                continue;
            }
            out.add(new Section(itemPath, item, problems));
        }
        return out;
    }

    /** A list of scalars; a single scalar is taken as a list of one. */
    List<String> texts(String name) {
        known.add(name);
        JsonNode value = node.get(name);
        List<String> out = new ArrayList<>();
        if (value == null || value.isNull()) {
            return out;
        }
        if (value.isValueNode()) {
            out.add(value.asText().trim());
            return out;
        }
        if (!value.isArray()) {
            problem(name, "must be a list of values, not a mapping");
            return out;
        }
        for (int i = 0; i < value.size(); i++) {
            JsonNode item = value.get(i);
            if (!item.isValueNode() || item.asText().isBlank()) {
                problems.add(key(name) + "[" + i + "]: must be a non-empty value");
            } else {
                out.add(item.asText().trim());
            }
        }
        return out;
    }

    /** Reports every key of this mapping that no reader asked for. */
    void finish() {
        if (!node.isObject()) {
            return;
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!known.contains(name)) {
                String hint = Suggest.closest(name, known).map(s -> " (did you mean \"" + s + "\"?)").orElse("");
                problems.add(key(name) + ": unknown key" + hint);
            }
        }
    }

    private static String describe(JsonNode value) {
        if (value.isArray()) {
            return "a list";
        }
        if (value.isObject()) {
            return "a mapping";
        }
        return "\"" + value.asText() + "\"";
    }
}
