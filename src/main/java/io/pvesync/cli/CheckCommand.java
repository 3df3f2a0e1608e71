package io.pvesync.cli;

import io.pvesync.check.CheckResult;
import io.pvesync.check.DatabaseChecks;
import io.pvesync.check.ProxmoxChecks;
import io.pvesync.config.ClusterConfig;
import io.pvesync.config.PvesyncConfig;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code pvesync check --config FILE}: one line per check (config; per endpoint TLS, token, version,
 * privileges, listing; database connection, schema, RLS, the role's powers). Exit 1 when any fails.
 */
final class CheckCommand {
    private final PrintStream out;
    private final PrintStream err;

    CheckCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    int run(List<String> rest) throws UsageException {
        Arguments args = Arguments.parse("check", rest, Set.of("--config"), Set.of());
        Optional<PvesyncConfig> loaded = ConfigFile.load(args, err);
        if (loaded.isEmpty()) {
            out.println(new CheckResult(CheckResult.Level.FAIL, "config", "invalid (problems above)").line());
            return ExitCode.USAGE;
        }
        PvesyncConfig config = loaded.get();
        List<CheckResult> results = new ArrayList<>();
        results.add(new CheckResult(CheckResult.Level.OK, "config", config.source() + " is valid ("
                + config.clusters().size() + " cluster(s))"));
        for (ClusterConfig cluster : config.clusters()) {
            results.addAll(ProxmoxChecks.run(cluster));
        }
        results.addAll(DatabaseChecks.run(config.database()));
        results.forEach(r -> out.println(r.line()));
        long failed = results.stream().filter(r -> r.level() == CheckResult.Level.FAIL).count();
        out.println(failed == 0 ? "all checks passed" : failed + " check(s) failed");
        return failed == 0 ? ExitCode.OK : ExitCode.FAILED;
    }
}
