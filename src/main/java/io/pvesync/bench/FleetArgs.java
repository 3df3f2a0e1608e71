package io.pvesync.bench;

import java.util.HashMap;
import java.util.Map;

/** The {@code --name value} arguments of the fleet benchmark's JVMs (their parent passes them all). */
record FleetArgs(Map<String, String> values) {

    static FleetArgs parse(String[] argv) {
        Map<String, String> values = new HashMap<>();
        for (int i = 0; i + 1 < argv.length; i += 2) {
            values.put(argv[i], argv[i + 1]);
        }
        return new FleetArgs(values);
    }

    String text(String name) {
        String value = values.get(name);
        if (value == null) {
            throw new IllegalArgumentException("fleet benchmark: " + name + " is missing");
        }
        return value;
    }

    String text(String name, String orElse) {
        return values.getOrDefault(name, orElse);
    }

    int integer(String name) {
        return Integer.parseInt(text(name));
    }
}
