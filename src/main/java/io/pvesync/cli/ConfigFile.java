package io.pvesync.cli;

import io.pvesync.config.ConfigException;
import io.pvesync.config.ConfigLoader;
import io.pvesync.config.PvesyncConfig;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Optional;

/** Loads {@code --config FILE} for a command, printing every problem on failure. */
final class ConfigFile {
    private ConfigFile() {
    }

    /** The config, or empty after printing its problems (the command then exits 2). */
    static Optional<PvesyncConfig> load(Arguments args, PrintStream err) throws UsageException {
        Path file = Path.of(args.required("--config"));
        try {
            return Optional.of(new ConfigLoader().load(file));
        } catch (ConfigException e) {
            err.println(e.getMessage());
            return Optional.empty();
        }
    }
}
