package io.pvesync.status;

import io.pvesync.testing.MutableClock;
import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pvesync.inventory.AddressLookups;
import io.pvesync.sync.SyncMode;
import io.pvesync.testing.LogCapture;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static io.pvesync.status.Outcomes.applied;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every route of the status endpoint over real HTTP, on a random port of 127.0.0.1. */
class StatusServerTest {
    private static final Instant START = Instant.parse("2026-03-01T10:00:00Z");
    private static final String API_DOWN = "Proxmox API: cluster lab: all 2 endpoints failed; rows left as they were";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final MutableClock clock = new MutableClock(START);
    private final SyncHealth health = new SyncHealth(List.of("lab", "prod"), Duration.ofMinutes(5), clock);
    private final Metrics metrics = new Metrics(List.of("lab", "prod"));
    private final LogCapture log = new LogCapture(StatusServer.class);
    private StatusServer server;
    private StatusClient client;

    @BeforeEach
    void start() throws IOException {
        server = new StatusServer(new InetSocketAddress("127.0.0.1", 0), Optional.empty(), health, metrics,
                new FakeTrigger());
        server.start();
        client = new StatusClient(server.address());
    }

    @AfterEach
    void stop() {
        server.close();
        log.close();
    }

    @Test
    void startBindsARandomPortAndLogsWhereItListens() {
        assertThat(server.address().getPort()).isPositive();
        assertThat(log.messages(Level.INFO)).containsExactly("status - listening on 127.0.0.1:" + server.address().getPort());
    }

    @Test
    void healthIsOkWhileEveryClusterIsFresh() throws Exception {
        syncBoth();

        HttpResponse<String> r = client.get("/health");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("ok\n");
        assertThat(r.headers().firstValue("Content-Type")).contains("text/plain; charset=utf-8");
        assertThat(r.headers().firstValue("Cache-Control")).contains("no-store");
    }

    @Test
    void healthIs503WithOneReasonPerLineWhenClustersAreStale() throws Exception {
        clock.advance(Duration.ofMinutes(6));

        HttpResponse<String> r = client.get("/health");

        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.body()).isEqualTo("cluster lab has not synced yet (started 6m ago)\n"
                + "cluster prod has not synced yet (started 6m ago)\n");
    }

    @Test
    void healthIs503WhenAPassIsDegraded() throws Exception {
        health.finished(Outcomes.ok("lab", START));
        health.finished(Outcomes.degraded("prod", START));

        HttpResponse<String> r = client.get("/health");

        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.body()).isEqualTo("cluster prod is degraded: " + Outcomes.GUARD_TEXT + "\n");
    }

    @Test
    void healthIs503WhileStopping() throws Exception {
        syncBoth();
        health.stopping();

        HttpResponse<String> r = client.get("/health");

        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.body()).isEqualTo("shutting down\n");
    }

    @Test
    void healthGoesDownWhenPassesFailLongerThanStaleAfterAndUpAfterAnOkPass() throws Exception {
        syncBoth();
        for (int minute = 2; minute <= 6; minute += 2) {
            clock.advance(Duration.ofMinutes(2));
            health.finished(Outcomes.failed("lab", clock.instant(), API_DOWN));
            health.finished(Outcomes.ok("prod", clock.instant()));
            assertThat(client.get("/health").statusCode()).as("after %d min", minute).isEqualTo(minute < 6 ? 200 : 503);
        }
        assertThat(client.get("/health").body())
                .isEqualTo("cluster lab has not synced for 5m 59s; last error: " + API_DOWN + "\n");

        health.finished(Outcomes.ok("lab", clock.instant()));

        HttpResponse<String> r = client.get("/health");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("ok\n");
    }

    @Test
    void headHealthAnswersTheCodeWithoutABody() throws Exception {
        syncBoth();
        HttpResponse<String> up = client.send("HEAD", "/health", null);
        clock.advance(Duration.ofMinutes(6));
        HttpResponse<String> down = client.send("HEAD", "/health", null);
        HttpResponse<String> metricsHead = client.send("HEAD", "/metrics", null);

        assertThat(metricsHead.statusCode()).isEqualTo(200);
        assertThat(metricsHead.body()).isEmpty();
        assertThat(up.statusCode()).isEqualTo(200);
        assertThat(down.statusCode()).isEqualTo(503);
        assertThat(up.body()).isEmpty();
        assertThat(down.body()).isEmpty();
    }

    @Test
    void statusShowsEachClusterAfterOkFailedAndDegradedPasses() throws Exception {
        health.finished(Outcomes.ok("lab", START, Duration.ofMillis(212), applied(0, 1, 40, 0, 0),
                Map.of(231, "no address configured", 104, "guest agent not running"), new AddressLookups(1, 2, 0), 4));
        health.finished(Outcomes.failed("lab", START.plusSeconds(30), API_DOWN));
        health.scheduled("lab", START.plusSeconds(60));
        health.backingOff("lab", START.plusSeconds(90));
        health.finished(Outcomes.degraded("prod", START));

        HttpResponse<String> r = client.get("/status");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).contains("application/json");
        assertThat(r.headers().firstValue("Cache-Control")).contains("no-store");
        assertThat(JSON.readTree(r.body())).isEqualTo(JSON.readTree("""
                {"healthy": false,
                 "reasons": ["cluster prod is degraded: %2$s"],
                 "clusters": [
                  {"name": "lab", "state": "failed", "running": false, "runningMode": null,
                   "lastAttempt": "2026-03-01T10:00:30Z", "lastSuccess": "2026-03-01T10:00:00.212Z",
                   "lastResult": "failed", "lastMode": "poll", "lastDurationMs": 5000, "apiRequests": 0,
                   "consecutiveFailures": 1, "lastError": "%1$s", "lastErrorAt": "2026-03-01T10:00:30Z",
                   "lastPassBy": null, "runningOn": null,
                   "nextRun": "2026-03-01T10:01:00Z", "backoffUntil": "2026-03-01T10:01:30Z",
                   "counts": {"inserted": 0, "updated": 1, "unchanged": 40, "missing": 0, "held": 0, "skipped": 2},
                   "addressLookups": {"found": 1, "none": 2, "failed": 0},
                   "lookupsSkipped": {"total": 0, "node": 0, "deadline": 0, "api": 0},
                   "nodesLeftAlone": {},
                   "lookupQueue": {"done": 3, "waiting": 0, "oldestWaiting": null},
                   "vmsWithoutAddress": {"count": 2, "truncated": 0,
                     "vms": {"104": "guest agent not running", "231": "no address configured"}}},
                  {"name": "prod", "state": "degraded", "running": false, "runningMode": null,
                   "lastAttempt": "2026-03-01T10:00:00Z", "lastSuccess": "2026-03-01T10:00:01.500Z",
                   "lastResult": "degraded", "lastMode": "reconcile", "lastDurationMs": 1500, "apiRequests": 3,
                   "consecutiveFailures": 0, "lastError": "%2$s", "lastErrorAt": "2026-03-01T10:00:00Z",
                   "lastPassBy": null, "runningOn": null,
                   "nextRun": null, "backoffUntil": null,
                   "counts": {"inserted": 0, "updated": 0, "unchanged": 28, "missing": 0, "held": 0, "skipped": 0},
                   "addressLookups": {"found": 0, "none": 0, "failed": 0},
                   "lookupsSkipped": {"total": 0, "node": 0, "deadline": 0, "api": 0},
                   "nodesLeftAlone": {},
                   "lookupQueue": {"done": 0, "waiting": 0, "oldestWaiting": null},
                   "vmsWithoutAddress": {"count": 0, "truncated": 0, "vms": {}}}
                 ]}
                """.formatted(API_DOWN, Outcomes.GUARD_TEXT)));
    }

    @Test
    void statusShowsStartingThenRunningBeforeTheFirstPassEnds() throws Exception {
        health.started("prod", SyncMode.RECONCILE);

        var clusters = JSON.readTree(client.get("/status").body()).get("clusters");

        assertThat(JSON.readTree(client.get("/status").body()).get("healthy").asBoolean()).isFalse();
        HttpResponse<String> h = client.get("/health");
        assertThat(h.statusCode()).isEqualTo(503);
        assertThat(h.body()).isEqualTo("starting\n"
                + "cluster lab is starting: no pass has finished since pvesync started 0s ago\n"
                + "cluster prod is starting: no pass has finished since pvesync started 0s ago;"
                + " a pass has been running for 0s\n");
        assertThat(clusters.get(0).get("state").asText()).isEqualTo("starting");
        assertThat(clusters.get(0).get("lastAttempt").isNull()).isTrue();
        assertThat(clusters.get(0).get("counts").isNull()).isTrue();
        assertThat(clusters.get(1).get("state").asText()).isEqualTo("running");
        assertThat(clusters.get(1).get("running").asBoolean()).isTrue();
        assertThat(clusters.get(1).get("runningMode").asText()).isEqualTo("reconcile");
        assertThat(clusters.get(1).get("lastAttempt").asText()).isEqualTo("2026-03-01T10:00:00Z");
    }

    @Test
    void statusListsAtMost500VmsWithoutAddressAndCountsTheRest() throws Exception {
        Map<Integer, String> notes = new HashMap<>();
        for (int vmid = 100; vmid < 700; vmid++) {
            notes.put(vmid, "guest agent not running");
        }
        health.finished(Outcomes.ok("lab", START, Duration.ofSeconds(1), applied(600, 0, 0, 0, 0), notes,
                new AddressLookups(0, 600, 0), 1201));

        var without = JSON.readTree(client.get("/status").body()).get("clusters").get(0).get("vmsWithoutAddress");

        assertThat(without.get("count").asInt()).isEqualTo(600);
        assertThat(without.get("truncated").asInt()).isEqualTo(100);
        assertThat(without.get("vms").size()).isEqualTo(500);
        assertThat(without.get("vms").has("100")).isTrue();
        assertThat(without.get("vms").has("599")).isTrue();
        assertThat(without.get("vms").has("600")).isFalse();
    }

    @Test
    void statusAndMetricsNameTheNodeLeftAloneAndTheSkippedLookups() throws Exception {
        String why = "not answering in time: read timed out after 5s on GET /nodes/pve2/qemu/101/config;"
                + " 14 lookups skipped";
        AddressLookups lookups = new AddressLookups(18, 0, 2, new AddressLookups.Skipped(14, 5, 0),
                Map.of("pve2", why), Optional.of(START.minusSeconds(90)));
        var outcome = Outcomes.ok("lab", START, Duration.ofSeconds(6), applied(0, 3, 37, 0, 0),
                Map.of(101, "node pve2 not answering in time (read timed out after 5s on GET"
                        + " /nodes/pve2/qemu/101/config)"), lookups, 23);
        health.finished(outcome);
        metrics.record(outcome);

        var lab = JSON.readTree(client.get("/status").body()).get("clusters").get(0);
        PromText text = PromText.parse(client.get("/metrics").body());

        assertThat(lab.get("lookupsSkipped")).isEqualTo(JSON.readTree(
                "{\"total\": 19, \"node\": 14, \"deadline\": 5, \"api\": 0}"));
        assertThat(lab.get("nodesLeftAlone").size()).isEqualTo(1);
        assertThat(lab.get("nodesLeftAlone").get("pve2").asText()).isEqualTo(why);
        assertThat(text.value("pvesync_lookups_skipped_total", "cluster", "lab", "reason", "node")).isEqualTo(14);
        assertThat(text.value("pvesync_lookups_skipped_total", "cluster", "lab", "reason", "deadline")).isEqualTo(5);
        assertThat(text.value("pvesync_lookups_skipped_total", "cluster", "lab", "reason", "api")).isZero();
        assertThat(text.value("pvesync_lookups_skipped_total", "cluster", "prod", "reason", "node")).isZero();
        assertThat(text.value("pvesync_nodes_left_alone", "cluster", "lab")).isEqualTo(1);
        assertThat(text.value("pvesync_nodes_left_alone", "cluster", "prod")).isZero();
        // the slow path's queue: made, left for later, and since when the oldest waits
        assertThat(lab.get("lookupQueue")).isEqualTo(JSON.readTree(
                "{\"done\": 20, \"waiting\": 19, \"oldestWaiting\": \"2026-03-01T09:58:30Z\"}"));
        assertThat(text.value("pvesync_lookups_waiting", "cluster", "lab")).isEqualTo(19);
        assertThat(text.value("pvesync_lookups_waiting", "cluster", "prod")).isZero();
    }

    @Test
    void metricsServesPrometheusTextWithTheRecordedValues() throws Exception {
        metrics.record(Outcomes.ok("lab", START));
        metrics.apiListener("lab").requested("cluster/resources");
        syncBoth();

        HttpResponse<String> r = client.get("/metrics");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).contains("text/plain; version=0.0.4; charset=utf-8");
        assertThat(r.headers().firstValue("Cache-Control")).contains("no-store");
        PromText text = PromText.parse(r.body());
        assertThat(text.value("pvesync_sync_total", "cluster", "lab", "result", "ok")).isEqualTo(1);
        assertThat(text.value("pvesync_api_requests_total", "cluster", "lab", "call", "cluster/resources")).isEqualTo(1);
        assertThat(text.value("pvesync_healthy")).isEqualTo(1);
    }

    @Test
    void metricsServesOpenMetricsWhenTheScraperAsksForIt() throws Exception {
        HttpResponse<String> r = client.send(client.builder("/metrics")
                .header("Accept", "application/openmetrics-text; version=1.0.0; charset=utf-8").GET().build());

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(
                t -> assertThat(t).startsWith("application/openmetrics-text"));
        assertThat(r.body()).contains("pvesync_sync_total{cluster=\"lab\",result=\"ok\"} 0").endsWith("# EOF\n");
    }

    @Test
    void rootServesTheStatusPageWithHeadersThatKeepItToItself() throws Exception {
        health.finished(Outcomes.ok("lab", START));
        health.finished(Outcomes.failed("prod", START, API_DOWN));

        HttpResponse<String> r = client.get("/");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).contains("text/html; charset=utf-8");
        assertThat(r.headers().firstValue("Content-Security-Policy")).contains(StatusPage.CONTENT_SECURITY_POLICY);
        assertThat(r.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
        assertThat(r.headers().firstValue("Cache-Control")).contains("no-store");
        assertThat(r.headers().firstValue("Referrer-Policy")).contains("no-referrer");
        var page = org.jsoup.Jsoup.parse(r.body());
        assertThat(page.select("section.cluster").eachAttr("data-state")).containsExactly("ok", "failed");
        assertThat(page.getElementById("health").select("li").eachText())
                .containsExactlyElementsOf(health.health().reasons());
        assertThat(page.selectFirst("header .meta").text()).startsWith("instance (unnamed) · pvesync " + io.pvesync.cli.Version.current() + " · ");
    }

    @Test
    void rootAnswersHeadAndRefusesPost() throws Exception {
        HttpResponse<String> head = client.send("HEAD", "/", null);
        HttpResponse<String> post = client.send("POST", "/", null);

        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
        assertThat(head.headers().firstValue("Content-Type")).contains("text/html; charset=utf-8");
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("Allow")).contains("GET, HEAD");
    }

    @Test
    void unknownPathsAre404() throws Exception {
        for (String path : List.of("/index.html", "/nope", "/healthz", "/health/", "/status.json")) {
            HttpResponse<String> r = client.get(path);
            assertThat(r.statusCode()).as(path).isEqualTo(404);
            assertThat(r.body()).as(path)
                    .isEqualTo("no such path: " + path + " (try /, /health, /status, /metrics, POST /resync)\n");
        }
    }

    @Test
    void wrongMethodsAre405WithAllow() throws Exception {
        HttpResponse<String> postHealth = client.send("POST", "/health", null);
        HttpResponse<String> deleteStatus = client.send("DELETE", "/status", null);
        HttpResponse<String> putMetrics = client.send("PUT", "/metrics", null);
        HttpResponse<String> getResync = client.get("/resync");

        assertThat(postHealth.statusCode()).isEqualTo(405);
        assertThat(postHealth.headers().firstValue("Allow")).contains("GET, HEAD");
        assertThat(postHealth.body()).isEqualTo("method POST not allowed on /health; allowed: GET, HEAD\n");
        assertThat(deleteStatus.statusCode()).isEqualTo(405);
        assertThat(deleteStatus.headers().firstValue("Allow")).contains("GET, HEAD");
        assertThat(putMetrics.statusCode()).isEqualTo(405);
        assertThat(putMetrics.headers().firstValue("Allow")).contains("GET, HEAD");
        assertThat(getResync.statusCode()).isEqualTo(405);
        assertThat(getResync.headers().firstValue("Allow")).contains("POST");
    }

    @Test
    void addressInUseIsRefusedNamingTheAddress() {
        int port = server.address().getPort();
        try (StatusServer second = new StatusServer(new InetSocketAddress("127.0.0.1", port), Optional.empty(),
                health, metrics, new FakeTrigger())) {
            assertThatThrownBy(second::start)
                    .isInstanceOf(IOException.class)
                    .hasMessageStartingWith("status endpoint cannot listen on 127.0.0.1:" + port + ": ");
        }
    }

    @Test
    void closeStopsListening() throws Exception {
        InetSocketAddress address = server.address();

        server.close();

        assertThat(log.messages(Level.INFO)).last().isEqualTo("status - stopped");
        assertThatThrownBy(() -> new StatusClient(address).get("/health")).isInstanceOf(ConnectException.class);
    }

    private void syncBoth() {
        health.finished(Outcomes.ok("lab", clock.instant()));
        health.finished(Outcomes.ok("prod", clock.instant()));
    }
}
