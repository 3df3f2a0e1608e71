package io.pvesync.sim;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The shape of a recorded JSON value: which keys an object has, and the JSON type of each value
 * (string, number, object, array, null). {@link #differencesFrom} lists how another value departs
 * from it, recursing into objects and into array items (each compared with the recorded first item).
 * Integers and floats are both "number": Perl prints 0 where a fraction is zero.
 */
final class Shape {

    private final JsonNode recorded;
    private final Set<String> mayLack;
    private final Set<String> mayAdd;

    private Shape(JsonNode recorded, Set<String> mayLack, Set<String> mayAdd) {
        this.recorded = recorded;
        this.mayLack = mayLack;
        this.mayAdd = mayAdd;
    }

    static Shape of(JsonNode recorded) {
        return new Shape(recorded, Set.of(), Set.of());
    }

    /** Keys the recorded value has that the other may lack (at any depth). */
    Shape mayLack(String... keys) {
        return new Shape(recorded, union(mayLack, keys), mayAdd);
    }

    /** Keys the other value may have beyond the recorded ones (at any depth). */
    Shape mayAdd(String... keys) {
        return new Shape(recorded, mayLack, union(mayAdd, keys));
    }

    /** Every departure, as {@code path: what}; empty when {@code actual} has the recorded shape. */
    List<String> differencesFrom(JsonNode actual) {
        List<String> out = new ArrayList<>();
        compare("$", recorded, actual, out);
        return out;
    }

    static String type(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return "absent";
        }
        if (node.isNumber()) {
            return "number";
        }
        return node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    }

    private void compare(String path, JsonNode expected, JsonNode actual, List<String> out) {
        if (!type(expected).equals(type(actual))) {
            out.add(path + ": " + type(actual) + " instead of " + type(expected));
            return;
        }
        if (expected.isObject()) {
            Set<String> keys = new TreeSet<>();
            expected.fieldNames().forEachRemaining(keys::add);
            actual.fieldNames().forEachRemaining(keys::add);
            for (String key : keys) {
                boolean inExpected = expected.has(key);
                boolean inActual = actual.has(key);
                if (inExpected && !inActual && !mayLack.contains(key)) {
                    out.add(path + "." + key + ": absent");
                } else if (!inExpected && inActual && !mayAdd.contains(key)) {
                    out.add(path + "." + key + ": not in the recorded answer");
                } else if (inExpected && inActual) {
                    compare(path + "." + key, expected.get(key), actual.get(key), out);
                }
            }
        } else if (expected.isArray() && expected.size() > 0) {
            int i = 0;
            for (Iterator<JsonNode> it = actual.elements(); it.hasNext(); i++) {
                compare(path + "[" + i + "]", expected.get(0), it.next(), out);
            }
        }
    }

    private static Set<String> union(Set<String> set, String... more) {
        Set<String> result = new TreeSet<>(set);
        result.addAll(List.of(more));
        return Set.copyOf(result);
    }
}
