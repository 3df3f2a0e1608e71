package io.pvesync.cli;

import io.pvesync.config.Durations;
import io.pvesync.daemon.Demo;
import io.pvesync.daemon.StartupException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/**
 * {@code pvesync demo [--db-url URL] [--db-user USER] [--port 9187] [--vms 40]}: the daemon against
 * the built-in simulated cluster and a demo database on the local PostgreSQL, until Ctrl-C.
 */
final class DemoCommand {
    static final String DEFAULT_DB_URL = "jdbc:postgresql://127.0.0.1:5432/pvesync_demo";

    private final PrintStream out;
    private final PrintStream err;
    private final Map<String, String> env;

    DemoCommand(PrintStream out, PrintStream err, Map<String, String> env) {
        this.out = out;
        this.err = err;
        this.env = env;
    }

    int run(List<String> rest) throws UsageException {
        Arguments args = Arguments.parse("demo", rest,
                Set.of("--db-url", "--db-user", "--port", "--vms", "--poll", "--change-every"), Set.of());
        Demo.Options options;
        try {
            options = new Demo.Options(
                    args.value("--db-url").orElse(env.getOrDefault("PVESYNC_DEMO_DB_URL", DEFAULT_DB_URL)),
                    args.value("--db-user").orElse(env.getOrDefault("PVESYNC_DEMO_DB_USER", "postgres")),
                    env.get("PVESYNC_DEMO_DB_PASSWORD"),
                    Integer.parseInt(args.value("--port").orElse("9187")),
                    Integer.parseInt(args.value("--vms").orElse("40")),
                    Durations.parse(args.value("--poll").orElse("5s")),
                    Durations.parse(args.value("--change-every").orElse("4s")),
                    Files.createTempDirectory("pvesync-demo"));
        } catch (NumberFormatException e) {
            throw new UsageException("--port and --vms take whole numbers (" + e.getMessage() + ")");
        } catch (IllegalArgumentException e) {
            throw new UsageException("--poll/--change-every: " + e.getMessage());
        } catch (java.io.IOException e) {
            err.println("pvesync: demo: cannot create a temporary directory: " + e.getMessage());
            return ExitCode.FAILED;
        }
        if (options.statusPort() != 0) {
            // before the start's log lines: the first thing the demo says is where to look
            out.println(Demo.pageLine(options.statusPort()));
        }
        Demo demo;
        try {
            demo = Demo.start(options);
        } catch (StartupException e) {
            err.println("pvesync: " + e.getMessage() + "\n(is PostgreSQL running on the demo URL "
                    + options.databaseUrl() + "? set --db-url / PVESYNC_DEMO_DB_URL, --db-user)");
            return ExitCode.FAILED;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            demo.close();
            stopped.countDown();
        }, "pvesync-demo-shutdown"));
        out.println(demo.instructions());
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return ExitCode.OK;
    }
}
