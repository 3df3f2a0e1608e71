package io.pvesync.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pvesync.bench.BenchReport;
import io.pvesync.bench.BenchWorker;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * {@code pvesync bench [--vms 1000,10000,50000] [--nodes 10,20,50] [--db-url URL] [--db-user USER]
 * [--repeat 3] [--warmup 10] [--xmx 256m] [--results FILE] [--timing realistic|none] [--no-baseline]}: the
 * performance benchmark. Each size runs in a worker JVM of its own, limited to {@code --xmx}, against
 * the simulator over HTTPS (answering in Proxmox's time, or with {@code --timing none} as fast as it
 * can) and the given PostgreSQL server (databases {@code pvesync_bench} and
 * {@code pvesync_bench_base} are created there, replacing earlier ones). Every measured pass is
 * appended to {@code --results} as one JSON line; the Markdown report goes to stdout.
 * {@code pvesync bench --report FILE} prints the report of saved results again.
 * {@code pvesync bench --fleet 20x1000,100x100} measures many clusters in one instance instead ({@link FleetBench}).
 */
final class BenchCommand {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final PrintStream out;
    private final PrintStream err;

    BenchCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    int run(List<String> rest) throws UsageException {
        Arguments args = Arguments.parse("bench", rest, Set.of("--vms", "--nodes", "--db-url", "--db-user", "--repeat",
                "--warmup", "--xmx", "--results", "--report", "--timing", "--fleet", "--fleet-minutes", "--fleet-nodes"),
                Set.of("--no-baseline"));
        try {
            if (args.value("--fleet").isPresent()) {
                return new FleetBench(out, err).run(args);
            }
            if (args.value("--report").isPresent()) {
                out.print(new BenchReport(read(Path.of(args.value("--report").get()))).markdown());
                return ExitCode.OK;
            }
            int[] vms = numbers(args.value("--vms").orElse("1000,10000,50000"), "--vms");
            int[] nodes = numbers(args.value("--nodes").orElse("10,20,50"), "--nodes");
            if (nodes.length != 1 && nodes.length != vms.length) {
                throw new UsageException("--nodes: one count, or one per --vms size");
            }
            String timing = args.value("--timing").orElse("realistic");
            if (!timing.equals("realistic") && !timing.equals("none")) {
                throw new UsageException("--timing: realistic (Proxmox's workers and service times, the default) or"
                        + " none (the simulator as fast as it can): " + timing);
            }
            Path results = Path.of(args.value("--results").orElse("bench-results.jsonl"));
            Files.deleteIfExists(results);
            List<JsonNode> all = new ArrayList<>();
            for (int i = 0; i < vms.length; i++) {
                int n = nodes.length == 1 ? nodes[0] : nodes[i];
                int code = worker(args, vms[i], n, timing, results, all);
                if (code != 0) {
                    err.println("pvesync: bench: the worker for " + vms[i] + " VMs failed (exit " + code + ")");
                    return ExitCode.FAILED;
                }
            }
            out.print(new BenchReport(all).markdown());
            err.println("bench: every measured pass is in " + results.toAbsolutePath());
            return ExitCode.OK;
        } catch (IOException e) {
            err.println("pvesync: bench: " + e.getMessage());
            return ExitCode.FAILED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ExitCode.FAILED;
        }
    }

    /** Runs one size in a JVM of its own with the heap limit, collecting its RESULT lines. */
    private int worker(Arguments args, int vms, int nodes, String timing, Path results, List<JsonNode> all)
            throws IOException, InterruptedException, UsageException {
        List<String> worker = new ArrayList<>(List.of("--vms", Integer.toString(vms),
                "--nodes", Integer.toString(nodes), "--timing", timing,
                "--repeat", Integer.toString(number(args.value("--repeat").orElse("3"), "--repeat")),
                "--warmup", Integer.toString(number(args.value("--warmup").orElse("10"), "--warmup")),
                "--db-url", args.value("--db-url").orElse("jdbc:postgresql://127.0.0.1:5432/postgres"),
                "--db-user", args.value("--db-user").orElse("postgres")));
        if (args.flag("--no-baseline")) {
            worker.add("--no-baseline");
        }
        return WorkerJvm.run(args.value("--xmx").orElse("256m"), BenchWorker.class, worker, err, json -> {
            all.add(JSON.readTree(json));
            Files.writeString(results, json + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        });
    }

    private static List<JsonNode> read(Path file) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (!line.isBlank()) {
                try {
                    out.add(JSON.readTree(line));
                } catch (IOException e) {
                    throw new UncheckedIOException(file + ": not a result line: " + line, e);
                }
            }
        }
        return out;
    }

    private static int[] numbers(String list, String option) throws UsageException {
        try {
            return Arrays.stream(list.split(",")).map(String::strip).mapToInt(Integer::parseInt).toArray();
        } catch (NumberFormatException e) {
            throw new UsageException(option + " takes whole numbers separated by commas: " + list);
        }
    }

    private static int number(String value, String option) throws UsageException {
        int[] n = numbers(value, option);
        if (n.length != 1 || n[0] < 1) {
            throw new UsageException(option + " takes one whole number of at least 1: " + value);
        }
        return n[0];
    }
}
