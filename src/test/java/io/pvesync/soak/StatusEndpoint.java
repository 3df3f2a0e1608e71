package io.pvesync.soak;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The daemon's status endpoint as an operator uses it: {@code POST /resync?wait=} and {@code /metrics}. */
final class StatusEndpoint {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;

    StatusEndpoint(InetSocketAddress address) {
        this.base = "http://127.0.0.1:" + address.getPort();
    }

    /**
     * Asks for a full pass and waits for it, as {@code pvesync resync} does.
     *
     * @return the pass's outcome: {@code result}, {@code summary}, {@code problem}
     */
    JsonNode resync(String cluster, Duration wait) throws IOException, InterruptedException {
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(base + "/resync?cluster=" + cluster
                        + "&wait=" + wait.toSeconds() + "s")).timeout(wait.plusSeconds(10))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() != 200) {
            throw new IllegalStateException("POST /resync answered " + answer.statusCode() + ": " + answer.body());
        }
        return JSON.readTree(answer.body()).path("outcomes").path(0);
    }

    /** Passes so far by result ({@code ok}, {@code degraded}, {@code failed}), from {@code pvesync_sync_total}. */
    Map<String, Long> passes(String cluster) throws IOException, InterruptedException {
        return passes().getOrDefault(cluster, Map.of());
    }

    /** {@link #passes(String)} of every cluster, by cluster, from one look at the metrics. */
    Map<String, Map<String, Long>> passes() throws IOException, InterruptedException {
        return counters("pvesync_sync_total", "result");
    }

    /** Rows inserted, updated and marked missing so far, from {@code pvesync_rows_written_total}. */
    long rowsWritten(String cluster) throws IOException, InterruptedException {
        return counters("pvesync_rows_written_total", "kind").getOrDefault(cluster, Map.of()).values().stream()
                .mapToLong(Long::longValue).sum();
    }

    /** A counter's values by cluster, then by the value of {@code label}. */
    private Map<String, Map<String, Long>> counters(String metric, String label)
            throws IOException, InterruptedException {
        String body = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Pattern series = Pattern.compile("(?m)^" + metric + "\\{(?=[^}]*\\bcluster=\"([^\"]+)\")(?=[^}]*\\b" + label
                + "=\"([^\"]+)\")[^}]*} (\\S+)$");
        Map<String, Map<String, Long>> values = new TreeMap<>();
        Matcher m = series.matcher(body);
        while (m.find()) {
            values.computeIfAbsent(m.group(1), c -> new TreeMap<>())
                    .merge(m.group(2), (long) Double.parseDouble(m.group(3)), Long::sum);
        }
        return values;
    }
}
