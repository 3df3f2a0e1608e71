package io.pvesync.cli;

import io.pvesync.config.PvesyncConfig;
import io.pvesync.daemon.Daemon;
import io.pvesync.daemon.StartupException;
import java.io.PrintStream;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code pvesync run --config FILE}: the daemon, until SIGTERM/SIGINT. SIGHUP requests a resync.
 */
final class RunCommand {
    private final PrintStream err;

    RunCommand(PrintStream err) {
        this.err = err;
    }

    int run(List<String> rest) throws UsageException {
        Arguments args = Arguments.parse("run", rest, Set.of("--config"), Set.of());
        Optional<PvesyncConfig> config = ConfigFile.load(args, err);
        if (config.isEmpty()) {
            return ExitCode.USAGE;
        }
        Daemon daemon;
        try {
            daemon = Daemon.start(config.get(), Clock.systemUTC());
        } catch (StartupException e) {
            err.println("pvesync: " + e.getMessage());
            return ExitCode.FAILED;
        }
        // SIGTERM (systemctl stop) and SIGINT run the hooks: stop cleanly before the JVM exits
        Runtime.getRuntime().addShutdownHook(new Thread(daemon::close, "pvesync-shutdown"));
        daemon.resyncOnHangup();
        try {
            daemon.awaitStop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            daemon.close();
        }
        return ExitCode.OK;
    }
}
