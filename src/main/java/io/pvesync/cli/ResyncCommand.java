package io.pvesync.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pvesync.config.Durations;
import io.pvesync.config.PvesyncConfig;
import io.pvesync.config.Secret;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code pvesync resync [--cluster NAME] [--config FILE] [--url URL] [--wait DURATION]}: asks the
 * running daemon for a full pass now through its status endpoint, waits for it, and prints each
 * cluster's outcome. The endpoint's address and token come from the config (default
 * /etc/pvesync/pvesync.yaml when readable), the token also from {@code PVESYNC_RESYNC_TOKEN}.
 */
final class ResyncCommand {
    static final Path DEFAULT_CONFIG = Path.of("/etc/pvesync/pvesync.yaml");
    private static final String DEFAULT_URL = "http://127.0.0.1:9187";

    private final PrintStream out;
    private final PrintStream err;
    private final Map<String, String> env;

    ResyncCommand(PrintStream out, PrintStream err, Map<String, String> env) {
        this.out = out;
        this.err = err;
        this.env = env;
    }

    int run(List<String> rest) throws UsageException {
        Arguments args = Arguments.parse("resync", rest, Set.of("--cluster", "--config", "--url", "--wait"), Set.of());
        Optional<PvesyncConfig> config = Optional.empty();
        if (args.value("--config").isPresent() || (args.value("--url").isEmpty() && Files.isReadable(DEFAULT_CONFIG))) {
            Arguments withConfig = args.value("--config").isPresent() ? args
                    : Arguments.parse("resync", List.of("--config", DEFAULT_CONFIG.toString()), Set.of("--config"), Set.of());
            config = ConfigFile.load(withConfig, err);
            if (config.isEmpty()) {
                return ExitCode.USAGE;
            }
        }
        return send(args, config);
    }

    private int send(Arguments args, Optional<PvesyncConfig> config) throws UsageException {
        String base = args.value("--url").orElseGet(() -> config.map(ResyncCommand::urlOf).orElse(DEFAULT_URL));
        Optional<String> token = config.flatMap(c -> c.status().resyncToken()).map(Secret::reveal)
                .or(() -> Optional.ofNullable(env.get("PVESYNC_RESYNC_TOKEN")));
        Duration wait;
        try {
            wait = Durations.parse(args.value("--wait").orElse("2m"));
        } catch (IllegalArgumentException e) {
            throw new UsageException("--wait " + e.getMessage());
        }
        String query = "?wait=" + Durations.format(wait) + args.value("--cluster").map(c -> "&cluster=" + c).orElse("");
        URI uri = URI.create(base.replaceAll("/+$", "") + "/resync" + query);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.noBody())
                .timeout(wait.plusSeconds(10));
        token.ifPresent(t -> request.header("Authorization", "Bearer " + t));
        HttpResponse<String> response;
        try {
            response = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()
                    .send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            err.println("pvesync: no daemon answered at " + base + " (" + (e.getMessage() == null ? e.getClass()
                    .getSimpleName() : e.getMessage()) + "); is pvesync running"
                    + " (systemctl status pvesync), and does --url or status.listen name its endpoint?");
            return ExitCode.FAILED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ExitCode.FAILED;
        }
        return report(response);
    }

    private int report(HttpResponse<String> response) {
        int code = response.statusCode();
        if (code == 401) {
            err.println("pvesync: the daemon requires its resync token: give --config with status.resync-token(-file)"
                    + " or set PVESYNC_RESYNC_TOKEN");
            return ExitCode.FAILED;
        }
        if (code == 404) {
            err.println("pvesync: " + response.body().strip());
            return ExitCode.USAGE;
        }
        if (code != 200 && code != 202) {
            err.println("pvesync: the daemon answered HTTP " + code + ": " + response.body().strip());
            return ExitCode.FAILED;
        }
        JsonNode body;
        try {
            body = new ObjectMapper().readTree(response.body());
        } catch (IOException e) {
            err.println("pvesync: the daemon's answer is not JSON: " + e.getMessage());
            return ExitCode.FAILED;
        }
        boolean allOk = true;
        for (JsonNode outcome : body.path("outcomes")) {
            out.println(outcome.path("cluster").asText() + ": " + outcome.path("summary").asText(
                    outcome.path("result").asText()));
            allOk &= "ok".equals(outcome.path("result").asText());
        }
        for (JsonNode running : body.path("running")) {
            out.println(running.asText() + ": still running (see /status)");
        }
        for (JsonNode queued : body.path("queued")) {
            out.println(queued.asText() + ": queued");
        }
        return allOk ? ExitCode.OK : ExitCode.FAILED;
    }

    private static String urlOf(PvesyncConfig config) {
        String host = config.status().listen().getHostString();
        if (host.equals("0.0.0.0") || host.equals("::") || host.isEmpty()) {
            host = "127.0.0.1";
        }
        if (host.contains(":")) {
            host = "[" + host + "]";
        }
        return "http://" + host + ":" + config.status().listen().getPort();
    }
}
