package io.pvesync.cli;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;

/**
 * {@code pvesync COMMAND ...}: the entry point of the jar. Exit codes: 0 success, 1 a sync failed,
 * 2 bad usage or configuration.
 */
public final class Main {
    static final String USAGE = """
            usage: pvesync COMMAND [OPTIONS]

            commands:
              run     --config FILE
                      the daemon: polls every cluster, serves /health /status /metrics /resync
              sync    --config FILE [--cluster NAME] [--dry-run] [--accept-missing]
                      one full reconciliation now; prints a summary per cluster;
                      --dry-run prints what would change and writes nothing
                      --accept-missing marks absent VMs missing even past the
                      mass-disappearance guard (after VMs were really deleted)
              check   --config FILE
                      checks the config, each endpoint (TLS, token, privileges) and the
                      database (schema, row-level security, the role's powers)
              resync  [--cluster NAME] [--config FILE] [--url URL] [--wait 2m]
                      asks the running daemon for a full pass now and prints its outcome
                      (endpoint and token from --config, default /etc/pvesync/pvesync.yaml)
              history [--config FILE] [--cluster NAME] [--vmid N] [--since 7d] [--limit 50] [--json]
                      the changes pvesync made to public.vms, newest first (UTC), as a table
                      or as a JSON array (config default /etc/pvesync/pvesync.yaml)
              migrate --config FILE [--keep-owner-changes]
                      apply the database migrations (as database.migrate-username) and exit;
                      stops, applying nothing, at a policy or view of public.vms that its owners
                      changed from the seed's definition; --keep-owner-changes leaves such
                      objects exactly as they are (one warning each) and applies the rest

              demo    [--db-url URL] [--db-user USER] [--port 9187] [--vms 40]
                      the daemon against a built-in simulated cluster that keeps changing, and
                      a demo database on the local PostgreSQL (created if absent)
              bench   [--vms 1000,10000,50000] [--nodes 10,20,50] [--db-url URL] [--db-user USER]
                      [--repeat 3] [--xmx 256m] [--timing realistic|none] [--no-baseline] [--report FILE]
                      the performance benchmark against the simulator (in Proxmox's time unless
                      --timing none) and a PostgreSQL server;
                      prints a Markdown report (see BENCHMARKS.md);
                      with --fleet 20x1000,100x100 [--fleet-minutes 3] [--fleet-nodes 4]: many
                      clusters (CLUSTERSxVMS) in one daemon at a 30 s poll, each its own simulator

            pvesync --version prints the version.

            exit codes: 0 success, 1 a sync failed, 2 bad usage or configuration
            """;

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs a command in-process and returns its exit code; used by main and by tests. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || List.of("-h", "--help", "help").contains(args[0])) {
            (args.length == 0 ? err : out).print(USAGE);
            return args.length == 0 ? ExitCode.USAGE : ExitCode.OK;
        }
        if (List.of("--version", "version").contains(args[0])) {
            out.println("pvesync " + Version.current());
            return ExitCode.OK;
        }
        List<String> rest = Arrays.asList(args).subList(1, args.length);
        try {
            return switch (args[0]) {

                case "run" -> new RunCommand(err).run(rest);
                case "sync" -> new SyncCommand(out, err).run(rest);
                case "check" -> new CheckCommand(out, err).run(rest);
                case "resync" -> new ResyncCommand(out, err, System.getenv()).run(rest);
                case "history" -> new HistoryCommand(out, err).run(rest);
                case "migrate" -> new MigrateCommand(out, err).run(rest);
                case "demo" -> new DemoCommand(out, err, System.getenv()).run(rest);
                case "bench" -> new BenchCommand(out, err).run(rest);
                default -> throw new UsageException("unknown command \"" + args[0] + "\"");
            };
        } catch (UsageException e) {
            err.println("pvesync: " + e.getMessage());
            err.print(USAGE);
            return ExitCode.USAGE;
        }
    }
}
