package io.pvesync.bench;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pvesync.inventory.ResourceMapper;
import io.pvesync.inventory.Snapshot;
import io.pvesync.sim.ProxmoxSimulator;
import io.pvesync.sim.SimulatorBuilder;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * JSON to snapshot: a {@code /cluster/resources} answer as the simulator serves it (its shapes and
 * quirks: numbers as strings, node entries after the guests), mapped from a whole JSON tree (the
 * way before streaming) and streamed entry by entry (what the client does now). No network: the
 * answer's bytes are read once in the setup. Run: see BENCHMARKS.md.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx256m"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class ListingBench {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant AT = Instant.parse("2026-01-01T00:00:00Z");

    @Param({"10000", "50000"})
    public int vms;

    private byte[] body;
    private ResourceMapper mapper;

    @Setup
    public void fetch() throws IOException, InterruptedException {
        try (ProxmoxSimulator sim = ProxmoxSimulator.builder().nodes(vms / 500).vms(vms).containers(0).templates(0)
                .seed(7).tls(false).start()) {
            HttpRequest request = HttpRequest.newBuilder(URI.create(sim.endpoints().get(0) + "/api2/json/cluster/resources"))
                    .header("Authorization", "PVEAPIToken=pvesync@pve!inventory=" + SimulatorBuilder.DEFAULT_TOKEN_SECRET)
                    .build();
            body = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofByteArray()).body();
        }
        mapper = new ResourceMapper("bench", false);
    }

    @Benchmark
    public Snapshot wholeTree() throws IOException {
        return mapper.map(JSON.readTree(body).get("data"), AT);
    }

    @Benchmark
    public Snapshot streamed() throws IOException {
        try (JsonParser parser = JSON.createParser(body)) {
            parser.nextToken(); // {
            parser.nextToken(); // "data"
            parser.nextToken(); // [
            return mapper.mapStreamed(parser, AT);
        }
    }
}
