package io.pvesync.config;

import java.util.List;

/**
 * The configuration file cannot be used. The message holds every problem found, one per line,
 * each naming the file and the key ({@code pvesync.yaml: clusters[1].token-secret: required}).
 */
public final class ConfigException extends Exception {
    private final List<String> problems;

    public ConfigException(String file, List<String> problems) {
        super(format(file, problems));
        this.problems = List.copyOf(problems);
    }

    /** Each problem as {@code key: what is wrong}, without the file name. */
    public List<String> problems() {
        return problems;
    }

    private static String format(String file, List<String> problems) {
        StringBuilder sb = new StringBuilder();
        for (String p : problems) {
            if (sb.length() > 0) {
                sb.append('\n');
            }
            sb.append(file).append(": ").append(p);
        }
        return sb.toString();
    }
}
