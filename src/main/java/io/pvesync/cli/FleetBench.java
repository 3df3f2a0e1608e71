package io.pvesync.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pvesync.bench.FleetReport;
import io.pvesync.bench.FleetWorker;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code pvesync bench --fleet 20x1000,100x100 [--fleet-minutes 3] [--fleet-nodes 4] [--xmx 256m]
 * [--db-url URL] [--db-user USER]}: many clusters in one instance. Each size (clusters x VMs per
 * cluster) runs the whole daemon in a worker JVM of its own, limited to {@code --xmx}, against that
 * many simulated clusters (in a JVM of their own) at a 30 s poll, and measures a window of
 * {@code --fleet-minutes} after a warm-up. The Markdown report goes to stdout, each size's
 * {@code RESULT} line too.
 */
final class FleetBench {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final PrintStream out;
    private final PrintStream err;

    FleetBench(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /** A size of the fleet: how many clusters, how many VMs each. */
    record Shape(int clusters, int vms) {
        static List<Shape> parse(String list) throws UsageException {
            List<Shape> out = new ArrayList<>();
            for (String one : list.split(",")) {
                String[] parts = one.strip().split("x");
                try {
                    if (parts.length != 2) {
                        throw new NumberFormatException(one);
                    }
                    Shape shape = new Shape(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
                    if (shape.clusters < 1 || shape.vms < 1) {
                        throw new NumberFormatException(one);
                    }
                    out.add(shape);
                } catch (NumberFormatException e) {
                    throw new UsageException("--fleet takes CLUSTERSxVMS sizes separated by commas, such as"
                            + " 20x1000,100x100: " + list);
                }
            }
            return out;
        }
    }

    int run(Arguments args) throws UsageException, IOException, InterruptedException {
        List<Shape> shapes = Shape.parse(args.value("--fleet").orElseThrow());
        String minutes = args.value("--fleet-minutes").orElse("3");
        String nodes = args.value("--fleet-nodes").orElse("4");
        try {
            if (Double.parseDouble(minutes) <= 0 || Integer.parseInt(nodes) < 1) {
                throw new NumberFormatException();
            }
        } catch (NumberFormatException e) {
            throw new UsageException("--fleet-minutes takes a positive number, --fleet-nodes a whole number of at"
                    + " least 1: " + minutes + ", " + nodes);
        }
        List<JsonNode> results = new ArrayList<>();
        for (Shape shape : shapes) {
            int code = worker(args, shape, minutes, nodes, results);
            if (code != 0) {
                err.println("pvesync: bench: the fleet worker for " + shape.clusters() + "x" + shape.vms()
                        + " failed (exit " + code + ")");
                return ExitCode.FAILED;
            }
        }
        out.print(new FleetReport(results).markdown());
        for (JsonNode r : results) {
            out.println("RESULT " + JSON.writeValueAsString(r));
        }
        return ExitCode.OK;
    }

    private int worker(Arguments args, Shape shape, String minutes, String nodes, List<JsonNode> results)
            throws IOException, InterruptedException {
        List<String> worker = List.of("--clusters", Integer.toString(shape.clusters()),
                "--vms", Integer.toString(shape.vms()), "--nodes", nodes, "--minutes", minutes,
                "--db-url", args.value("--db-url").orElse("jdbc:postgresql://127.0.0.1:5432/postgres"),
                "--db-user", args.value("--db-user").orElse("postgres"));
        return WorkerJvm.run(args.value("--xmx").orElse("256m"), FleetWorker.class, worker, err, json -> results.add(JSON.readTree(json)));
    }
}
