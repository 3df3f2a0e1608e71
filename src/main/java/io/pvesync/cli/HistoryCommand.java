package io.pvesync.cli;

import com.zaxxer.hikari.HikariDataSource;
import io.pvesync.config.ClusterConfig;
import io.pvesync.config.DatabaseConfig;
import io.pvesync.config.Durations;
import io.pvesync.config.PvesyncConfig;
import io.pvesync.history.HistoryException;
import io.pvesync.history.HistoryFilter;
import io.pvesync.history.HistoryJson;
import io.pvesync.history.HistoryPage;
import io.pvesync.history.HistoryReader;
import io.pvesync.history.HistoryTable;
import io.pvesync.inventory.Printable;
import io.pvesync.store.Database;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@code pvesync history [--config FILE] [--cluster NAME] [--vmid N] [--since DURATION] [--limit N] [--json]}:
 * the changes pvesync made to {@code public.vms}, newest first, as a table or as JSON. Reads as the
 * daemon's role ({@code database.username}) under the admin context, so it shows every change;
 * the config defaults to /etc/pvesync/pvesync.yaml.
 */
final class HistoryCommand {
    private static final String CLUSTER = "--cluster";
    private static final String VMID = "--vmid";
    private static final String SINCE = "--since";
    private static final String LIMIT = "--limit";
    private static final String CONFIG = "--config";
    private static final String JSON = "--json";

    private final PrintStream out;
    private final PrintStream err;

    HistoryCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    int run(List<String> rest) throws UsageException {
        Arguments args = Arguments.parse("history", rest, Set.of(CONFIG, CLUSTER, VMID, SINCE, LIMIT), Set.of(JSON));
        HistoryFilter filter = filter(args);
        Path file = args.value(CONFIG).map(Path::of).orElse(ResyncCommand.DEFAULT_CONFIG);
        Optional<PvesyncConfig> loaded = ConfigFile.load(file, err);
        if (loaded.isEmpty()) {
            if (args.value(CONFIG).isEmpty()) {
                err.println("pvesync history: give the daemon's config with --config FILE");
            }
            return ExitCode.USAGE;
        }
        PvesyncConfig config = loaded.get();
        DatabaseConfig db = config.database();
        HistoryPage page;
        try (HikariDataSource pool = Database.open(db, "pvesync-history")) {
            page = new HistoryReader(pool, db.statementTimeout()).read(filter);
        } catch (HistoryException e) {
            err.println(describe(config, e));
            return ExitCode.FAILED;
        } catch (RuntimeException e) {
            // the pool could not connect: the driver's reason (refused, unknown host, password rejected)
            err.println(DatabaseErrors.describe(db, e));
            return ExitCode.FAILED;
        }
        if (args.flag(JSON)) {
            out.println(HistoryJson.of(page.entries()));
        } else {
            print(page, args, config);
        }
        return ExitCode.OK;
    }

    private static HistoryFilter filter(Arguments args) throws UsageException {
        Optional<String> cluster = args.value(CLUSTER);
        if (cluster.isPresent() && cluster.get().isBlank()) {
            throw new UsageException(CLUSTER + " needs a cluster name (clusters[].name of the config)");
        }
        OptionalInt vmid = OptionalInt.empty();
        if (args.value(VMID).isPresent()) {
            String text = args.value(VMID).get();
            vmid = OptionalInt.of(number(text).filter(n -> n > 0).orElseThrow(() -> new UsageException(
                    VMID + " \"" + Printable.of(text) + "\" is not a VMID (a positive whole number such as 104)")));
        }
        Optional<Duration> since = Optional.empty();
        if (args.value(SINCE).isPresent()) {
            since = Optional.of(since(args.value(SINCE).get()));
        }
        int limit = HistoryFilter.DEFAULT_LIMIT;
        if (args.value(LIMIT).isPresent()) {
            String text = args.value(LIMIT).get();
            limit = number(text).filter(n -> n >= HistoryFilter.MIN_LIMIT && n <= HistoryFilter.MAX_LIMIT)
                    .orElseThrow(() -> new UsageException(LIMIT + " \"" + Printable.of(text) + "\" is not a number from "
                            + HistoryFilter.MIN_LIMIT + " to " + HistoryFilter.MAX_LIMIT));
        }
        return new HistoryFilter(cluster, vmid, since, limit);
    }

    private static Duration since(String text) throws UsageException {
        Duration since;
        try {
            since = Durations.parse(text);
        } catch (IllegalArgumentException e) {
            throw new UsageException(SINCE + " " + Printable.of(e.getMessage()));
        }
        if (since.isZero()) {
            throw new UsageException(SINCE + " \"" + Printable.of(text) + "\" is no time at all (examples: 30m, 7d)");
        }
        if (since.compareTo(HistoryFilter.MAX_SINCE) > 0) {
            throw new UsageException(SINCE + " \"" + Printable.of(text) + "\" reaches back further than the database can count"
                    + " (at most " + Durations.format(HistoryFilter.MAX_SINCE) + ")");
        }
        return since;
    }

    private static Optional<Integer> number(String text) {
        try {
            return Optional.of(Integer.parseInt(text.strip()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private void print(HistoryPage page, Arguments args, PvesyncConfig config) {
        if (page.entries().isEmpty()) {
            out.println(nothing(args, config));
            return;
        }
        HistoryTable.lines(page.entries()).forEach(out::println);
        if (page.more()) {
            out.println("(the newest " + page.entries().size() + " shown; older changes match too: --limit up to "
                    + HistoryFilter.MAX_LIMIT + ", or narrow with --cluster, --vmid, --since)");
        }
    }

    /** The line for an empty result, repeating the filters so the operator sees what was asked. */
    private static String nothing(Arguments args, PvesyncConfig config) {
        List<String> filters = new ArrayList<>();
        for (String option : List.of(CLUSTER, VMID, SINCE)) {
            args.value(option).ifPresent(v -> filters.add(option + " " + Printable.of(v.strip())));
        }
        if (filters.isEmpty()) {
            return "no changes recorded in public.vm_changes";
        }
        String line = "no changes match " + String.join(" ", filters);
        Optional<String> cluster = args.value(CLUSTER);
        if (cluster.isPresent() && config.cluster(cluster.get()).isEmpty()) {
            // not an error: a cluster removed from the config keeps its history until retention
            line += " (" + config.source() + " configures no cluster " + Printable.of(cluster.get()) + "; it has "
                    + config.clusters().stream().map(ClusterConfig::name).collect(Collectors.joining(", ")) + ")";
        }
        return line;
    }

    private static String describe(PvesyncConfig config, HistoryException e) {
        DatabaseConfig db = config.database();
        String where = "database " + db.displayUrl() + " as " + db.username() + ": " + e.getMessage();
        return switch (e.reason()) {
            case NOT_MIGRATED -> where + "; run: pvesync migrate --config " + config.source();
            case NOT_GRANTED -> where + ": run config/grants.sql as the owner of public.vms"
                    + " (README \"Database roles and GRANTs\")";
            case DATABASE -> where;
        };
    }
}
