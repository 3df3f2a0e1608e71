package io.pvesync.cli;

import io.pvesync.config.ConfigException;
import io.pvesync.config.ConfigLoader;
import io.pvesync.config.PvesyncConfig;
import io.pvesync.logging.SwitchableEncoder;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Optional;

/** Loads {@code --config FILE} for a command, printing every problem on failure. */
final class ConfigFile {
    private ConfigFile() {
    }

    /** The config, or empty after printing its problems (the command then exits 2). */
    static Optional<PvesyncConfig> load(Arguments args, PrintStream err) throws UsageException {
        return load(Path.of(args.required("--config")), err);
    }

    /** {@code file}'s config, or empty after printing its problems: for a command with a default file. */
    static Optional<PvesyncConfig> load(Path file, PrintStream err) {
        try {
            PvesyncConfig config = new ConfigLoader().load(file);
            // from here on, log lines are in the format the config asks for (logback.xml starts with text)
            SwitchableEncoder.use(config.logging().format());
            return Optional.of(config);
        } catch (ConfigException e) {
            err.println(e.getMessage());
            return Optional.empty();
        }
    }
}
