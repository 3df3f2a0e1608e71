package io.pvesync.cli;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The parsed command line: {@code pvesync COMMAND [--option VALUE | --flag]...}. Each command
 * declares its options; anything else is a usage error naming the offending word.
 */
final class Arguments {
    private final String command;
    private final Map<String, String> values;

    private Arguments(String command, Map<String, String> values) {
        this.command = command;
        this.values = values;
    }

    String command() {
        return command;
    }

    /**
     * @param valued options that take a value ({@code --config FILE})
     * @param flags  options without a value ({@code --dry-run})
     */
    static Arguments parse(String command, List<String> rest, Set<String> valued, Set<String> flags)
            throws UsageException {
        Map<String, String> values = new HashMap<>();
        for (int i = 0; i < rest.size(); i++) {
            String word = rest.get(i);
            String name = word;
            String inline = null;
            int eq = word.indexOf('=');
            if (word.startsWith("--") && eq > 0) {
                name = word.substring(0, eq);
                inline = word.substring(eq + 1);
            }
            if (valued.contains(name)) {
                String value = inline;
                if (value == null) {
                    if (i + 1 >= rest.size()) {
                        throw new UsageException(name + " needs a value");
                    }
                    value = rest.get(++i);
                }
                values.put(name, value);
            } else if (flags.contains(word)) {
                values.put(word, "true");
            } else {
                throw new UsageException("pvesync " + command + ": unknown argument \"" + word + "\"");
            }
        }
        return new Arguments(command, values);
    }

    Optional<String> value(String name) {
        return Optional.ofNullable(values.get(name));
    }

    String required(String name) throws UsageException {
        return value(name).orElseThrow(() -> new UsageException("pvesync " + command + " needs " + name));
    }

    boolean flag(String name) {
        return values.containsKey(name);
    }
}
