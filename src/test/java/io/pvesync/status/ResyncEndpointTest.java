package io.pvesync.status;

import io.pvesync.testing.MutableClock;
import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pvesync.config.Secret;
import io.pvesync.sync.SyncOutcome;
import io.pvesync.testing.LogCapture;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code POST /resync}: the token, the cluster list handed to the scheduler, and waiting for the passes. */
class ResyncEndpointTest {
    private static final Instant START = Instant.parse("2026-03-01T10:00:00Z");
    private static final String TOKEN = "SECRET-resync-7c1f";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SyncHealth health = new SyncHealth(List.of("lab", "prod"), Duration.ofMinutes(5), new MutableClock(START));
    private final FakeTrigger trigger = new FakeTrigger();
    private final LogCapture log = new LogCapture(ResyncHandler.class);
    private StatusServer server;
    private StatusClient client;

    @AfterEach
    void stop() {
        server.close();
        log.close();
    }

    @Test
    void withoutATokenConfiguredAResyncQueuesEveryCluster() throws Exception {
        start(Optional.empty());

        HttpResponse<String> r = client.send("POST", "/resync", null);

        assertThat(r.statusCode()).isEqualTo(202);
        assertThat(r.headers().firstValue("Content-Type")).contains("application/json");
        assertThat(r.headers().firstValue("Cache-Control")).contains("no-store");
        assertThat(r.body()).isEqualTo("{\"queued\":[\"lab\",\"prod\"]}\n");
        assertThat(trigger.requests()).containsExactly(List.of("lab", "prod"));
    }

    @Test
    void clusterParameterQueuesOnlyThatCluster() throws Exception {
        start(Optional.empty());

        HttpResponse<String> r = client.send("POST", "/resync?cluster=prod", null);

        assertThat(r.statusCode()).isEqualTo(202);
        assertThat(r.body()).isEqualTo("{\"queued\":[\"prod\"]}\n");
        assertThat(trigger.requests()).containsExactly(List.of("prod"));
    }

    @Test
    void unknownClusterIs404NamingTheConfiguredOnes() throws Exception {
        start(Optional.empty());

        HttpResponse<String> r = client.send("POST", "/resync?cluster=lab&cluster=nope", null);

        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.body()).isEqualTo("unknown cluster nope; configured clusters: lab, prod\n");
        assertThat(trigger.requests()).isEmpty();
    }

    @Test
    void badQueryIs400AndQueuesNothing() throws Exception {
        start(Optional.empty());

        HttpResponse<String> typo = client.send("POST", "/resync?clustr=lab", null);
        HttpResponse<String> noUnit = client.send("POST", "/resync?wait=30", null);

        assertThat(typo.statusCode()).isEqualTo(400);
        assertThat(typo.body()).isEqualTo("unknown parameter clustr (known: cluster, wait)\n");
        assertThat(noUnit.statusCode()).isEqualTo(400);
        assertThat(noUnit.body()).isEqualTo("wait: \"30\" has no unit (try \"30s\")\n");
        assertThat(trigger.requests()).isEmpty();
    }

    @Test
    void missingTokenIs401WithAChallengeAndQueuesNothing() throws Exception {
        start(Optional.of(Secret.of(TOKEN)));

        HttpResponse<String> r = client.send("POST", "/resync?cluster=nope", null);

        // 401, not 404: a caller without the token learns nothing, not even the cluster names
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate")).contains("Bearer realm=\"pvesync\"");
        assertThat(r.body()).isEqualTo("POST /resync requires the resync token: Authorization: Bearer <token>\n");
        assertThat(trigger.requests()).isEmpty();
        assertThat(log.messages(Level.WARN)).containsExactly("status - refused POST /resync from 127.0.0.1: no bearer token");
    }

    @Test
    void wrongTokenIs401AndNeitherTokenAppearsInTheAnswerOrTheLog() throws Exception {
        start(Optional.of(Secret.of(TOKEN)));
        String sent = "SECRET-guess-0000";

        List<HttpResponse<String>> refused = new ArrayList<>();
        for (String authorization : List.of("Bearer " + sent, "Bearer " + TOKEN + "x", "Bearer " + TOKEN.substring(1),
                "Basic " + TOKEN, "Bearer", "Bearer ")) {
            refused.add(client.send("POST", "/resync", authorization));
        }

        for (HttpResponse<String> r : refused) {
            assertThat(r.statusCode()).isEqualTo(401);
            assertThat(r.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(
                    v -> assertThat(v).startsWith("Bearer realm=\"pvesync\""));
            assertThat(r.body()).doesNotContain("SECRET");
        }
        assertThat(refused.get(0).body()).isEqualTo("the bearer token is wrong\n");
        assertThat(refused.get(0).headers().firstValue("WWW-Authenticate"))
                .contains("Bearer realm=\"pvesync\", error=\"invalid_token\"");
        assertThat(trigger.requests()).isEmpty();
        assertThat(log.messages(Level.WARN)).hasSize(6)
                .first().isEqualTo("status - refused POST /resync from 127.0.0.1: wrong bearer token");
        assertThat(log.all()).noneMatch(line -> line.contains("SECRET"));
    }

    @Test
    void rightTokenQueuesTheResync() throws Exception {
        start(Optional.of(Secret.of(TOKEN)));

        HttpResponse<String> r = client.send("POST", "/resync?cluster=lab", "Bearer " + TOKEN);
        HttpResponse<String> lowerCaseScheme = client.send("POST", "/resync?cluster=prod", "bearer " + TOKEN);

        assertThat(r.statusCode()).isEqualTo(202);
        assertThat(r.body()).isEqualTo("{\"queued\":[\"lab\"]}\n");
        assertThat(lowerCaseScheme.statusCode()).isEqualTo(202);
        assertThat(trigger.requests()).containsExactly(List.of("lab"), List.of("prod"));
        assertThat(log.messages(Level.WARN)).isEmpty();
    }

    @Test
    void waitAnswersWithTheOutcomesOnceThePassesEnd() throws Exception {
        start(Optional.empty());
        CompletableFuture<HttpResponse<String>> answer = client.sendAsync("POST", "/resync?wait=30s", null);
        assertThat(trigger.awaitRequest()).containsExactly("lab", "prod");
        assertThat(answer).isNotDone();

        SyncOutcome ok = Outcomes.ok("lab", START);
        SyncOutcome failed = Outcomes.failed("prod", START, "Proxmox API: all 1 endpoints failed; rows left as they were");
        trigger.pass("lab").complete(ok);
        trigger.pass("prod").complete(failed);

        HttpResponse<String> r = answer.get(10, TimeUnit.SECONDS);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(r.body())).isEqualTo(JSON.readTree(JSON.writeValueAsString(Map.of(
                "outcomes", List.of(
                        outcome("lab", "ok", ok.summary(), null),
                        outcome("prod", "failed", failed.summary(), failed.problem().orElseThrow())),
                "running", List.of()))));
        assertThat(ok.summary()).isEqualTo("pass ok in 212 ms: 0 inserted, 1 updated, 40 unchanged, 0 missing, 2 skipped, 0 held");
    }

    @Test
    void waitThatRunsOutIs202NamingThePassesStillRunning() throws Exception {
        start(Optional.empty());
        SyncOutcome prod = Outcomes.ok("prod", START);
        trigger.pass("prod").complete(prod);

        // lab's pass never ends, so the 50 ms wait must run out
        HttpResponse<String> r = client.send("POST", "/resync?wait=50ms", null);

        assertThat(r.statusCode()).isEqualTo(202);
        assertThat(JSON.readTree(r.body())).isEqualTo(JSON.readTree(JSON.writeValueAsString(Map.of(
                "outcomes", List.of(outcome("prod", "ok", prod.summary(), null)),
                "running", List.of("lab")))));
    }

    @Test
    void passThatCannotRunIsReportedAsNotRun() throws Exception {
        start(Optional.empty());
        trigger.pass("lab").completeExceptionally(new IllegalStateException("the scheduler is shutting down"));

        HttpResponse<String> r = client.send("POST", "/resync?cluster=lab&wait=5s", null);

        assertThat(r.statusCode()).isEqualTo(200);
        String text = "the pass did not run: the scheduler is shutting down";
        assertThat(JSON.readTree(r.body())).isEqualTo(JSON.readTree(JSON.writeValueAsString(Map.of(
                "outcomes", List.of(outcome("lab", "not run", text, text)), "running", List.of()))));
    }

    @Test
    void waitingResyncsDoNotHoldUpHealth() throws Exception {
        health.finished(Outcomes.ok("lab", START));
        health.finished(Outcomes.ok("prod", START));
        start(Optional.empty());
        List<CompletableFuture<HttpResponse<String>>> waiting = new ArrayList<>();
        for (int i = 0; i < 4; i++) { // more than the server's threads
            waiting.add(client.sendAsync("POST", "/resync?cluster=lab&wait=5m", null));
            trigger.awaitRequest();
        }

        HttpResponse<String> h = client.get("/health");
        assertThat(h.statusCode()).isEqualTo(200);
        assertThat(waiting).noneMatch(CompletableFuture::isDone);

        trigger.pass("lab").complete(Outcomes.ok("lab", START));
        for (CompletableFuture<HttpResponse<String>> w : waiting) {
            assertThat(w.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void tooManyWaitingResyncsAre429() throws Exception {
        start(Optional.empty());
        List<CompletableFuture<HttpResponse<String>>> waiting = new ArrayList<>();
        for (int i = 0; i < ResyncHandler.MAX_WAITING; i++) {
            waiting.add(client.sendAsync("POST", "/resync?cluster=lab&wait=5m", null));
            trigger.awaitRequest();
        }

        HttpResponse<String> r = client.send("POST", "/resync?cluster=lab&wait=5m", null);

        assertThat(r.statusCode()).isEqualTo(429);
        assertThat(r.headers().firstValue("Retry-After")).contains("10");
        assertThat(r.body()).isEqualTo("16 resync requests are waiting already; retry later, or ask without wait\n");
        assertThat(trigger.requests()).hasSize(ResyncHandler.MAX_WAITING);
        // one that does not wait is still queued
        assertThat(client.send("POST", "/resync?cluster=lab", null).statusCode()).isEqualTo(202);

        trigger.pass("lab").complete(Outcomes.ok("lab", START));
        for (CompletableFuture<HttpResponse<String>> w : waiting) {
            assertThat(w.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void schedulerThatRefusesTheRequestIs503() throws Exception {
        ResyncTrigger refusing = clusters -> {
            throw new IllegalStateException("the scheduler is stopping");
        };
        server = new StatusServer(new InetSocketAddress("127.0.0.1", 0), Optional.empty(), health,
                new Metrics(List.of("lab", "prod")), refusing);
        server.start();
        client = new StatusClient(server.address());

        HttpResponse<String> r = client.send("POST", "/resync", null);

        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.body()).isEqualTo("the resync could not be queued: the scheduler is stopping\n");
    }

    @Test
    void closeWithAResyncWaitingStopsWithinASecondOrSo() throws Exception {
        start(Optional.empty());
        CompletableFuture<HttpResponse<String>> waiting = client.sendAsync("POST", "/resync?wait=5m", null);
        trigger.awaitRequest();

        long t0 = System.nanoTime();
        server.close();
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);

        assertThat(tookMs).isLessThan(2_000);
        assertThat(waiting).failsWithin(Duration.ofSeconds(10)).withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .withCauseInstanceOf(IOException.class);
    }

    private void start(Optional<Secret> token) throws IOException {
        server = new StatusServer(new InetSocketAddress("127.0.0.1", 0), token, health,
                new Metrics(List.of("lab", "prod")), trigger);
        server.start();
        client = new StatusClient(server.address());
    }

    private static Map<String, Object> outcome(String cluster, String result, String summary, String problem) {
        Map<String, Object> m = new java.util.HashMap<>();
        m.put("cluster", cluster);
        m.put("result", result);
        m.put("summary", summary);
        m.put("problem", problem);
        return m;
    }
}
