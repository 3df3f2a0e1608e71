package io.pvesync.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a secret given either inline ({@code token-secret}) or from a file ({@code token-secret-file}).
 * File paths may use environment variables, so systemd credentials work as
 * {@code ${CREDENTIALS_DIRECTORY}/token}; relative paths are relative to the config file. Problems
 * name the key and the path, never the content.
 */
final class SecretReader {
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");
    private final Path baseDir;
    private final Map<String, String> env;

    SecretReader(Path baseDir, Map<String, String> env) {
        this.baseDir = baseDir;
        this.env = env;
    }

    /** Reads {@code name} or {@code name-file}; at most one may be given. */
    Optional<Secret> read(Section section, String name, boolean required) {
        boolean inline = section.has(name);
        boolean file = section.has(name + "-file");
        if (inline && file) {
            section.problem(name, "give either " + name + " or " + name + "-file, not both");
            return Optional.empty();
        }
        if (inline) {
            return section.text(name).map(Secret::of);
        }
        if (file) {
            return section.text(name + "-file").flatMap(path -> readFile(section, name + "-file", path));
        }
        if (required) {
            section.problem(name, "required (or " + name + "-file)");
        }
        return Optional.empty();
    }

    Optional<Path> path(Section section, String key, String text) {
        Matcher m = VARIABLE.matcher(text);
        StringBuilder expanded = new StringBuilder();
        while (m.find()) {
            String value = env.get(m.group(1));
            if (value == null) {
                section.problem(key, "environment variable " + m.group(1) + " is not set (used in \"" + text + "\")");
                return Optional.empty();
            }
            m.appendReplacement(expanded, Matcher.quoteReplacement(value));
        }
        m.appendTail(expanded);
        return Optional.of(baseDir.resolve(expanded.toString()).normalize());
    }

    private Optional<Secret> readFile(Section section, String key, String text) {
        Optional<Path> resolved = path(section, key, text);
        if (resolved.isEmpty()) {
            return Optional.empty();
        }
        Path path = resolved.get();
        try {
            String content = Files.readString(path, StandardCharsets.UTF_8).strip();
            if (content.isEmpty()) {
                section.problem(key, "file " + path + " is empty");
                return Optional.empty();
            }
            return Optional.of(Secret.of(content));
        } catch (NoSuchFileException e) {
            section.problem(key, "file " + path + " does not exist");
        } catch (IOException e) {
            section.problem(key, "cannot read " + path + " (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
        }
        return Optional.empty();
    }
}
