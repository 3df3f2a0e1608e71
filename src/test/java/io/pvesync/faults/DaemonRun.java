package io.pvesync.faults;

import io.pvesync.testing.MutableClock;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pvesync.daemon.Daemon;
import io.pvesync.sim.ProxmoxSimulator;
import io.pvesync.testing.DaemonConfigFile;
import io.pvesync.testing.TestDatabase;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntSupplier;

/**
 * The whole daemon as {@code pvesync run} starts it, from a config file, against the simulator: one
 * cluster {@code lab}, a poll every second (the first pass, at start, is the only reconcile), the
 * status endpoint on a free port, and a
 * {@link MutableClock} that only the test moves (backoff, staleness and the start window follow it;
 * Quartz still fires on real time, and a fire whose cluster is resting is skipped).
 */
final class DaemonRun implements AutoCloseable {
    static final Duration POLL = Duration.ofSeconds(1);
    static final Duration STALE_AFTER = Duration.ofMinutes(5);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Daemon daemon;
    private final MutableClock clock;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private DaemonRun(Daemon daemon, MutableClock clock) {
        this.daemon = daemon;
        this.clock = clock;
    }

    /**
     * Writes the config into {@code dir} and starts the daemon.
     *
     * @param databaseUrl the JDBC URL the daemon connects to (the test database, or a proxy of it)
     * @param tokenSecret the secret the daemon presents (the simulator's, or a wrong one)
     */
    static DaemonRun start(Path dir, ProxmoxSimulator sim, TestDatabase db, String databaseUrl, String tokenSecret,
                           MutableClock clock) throws Exception {
        DaemonConfigFile file = new DaemonConfigFile(sim, db);
        file.databaseUrl = databaseUrl;
        file.tokenSecret = tokenSecret;
        // no reconcile within a test: refreshing last_seen_at would rewrite every row
        file.reconcile = "0 0 0 1 1 ? 2099";
        return new DaemonRun(Daemon.start(file.load(dir), clock), clock);
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + daemon.statusAddress().getPort()
                + path)).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The cluster's entry of {@code /status}. */
    JsonNode status() throws IOException, InterruptedException {
        return JSON.readTree(get("/status").body()).path("clusters").get(0);
    }

    /** An instant field of the cluster's {@code /status} entry. */
    Instant statusTime(String field) throws IOException, InterruptedException {
        return Instant.parse(status().path(field).asText());
    }

    int consecutiveFailures() throws IOException, InterruptedException {
        return status().path("consecutiveFailures").asInt();
    }

    /**
     * Proves that a failing cluster is tried less and less often: after each failure it rests the
     * poll interval doubled per failure ({@code backoffUntil}), while Quartz keeps firing every
     * second; fires during the rest are skipped, and only moving the clock past it lets the next
     * attempt through. Starts right after the first failure.
     *
     * @param attempts how many attempts were made so far (requests, failed passes...)
     * @param rounds   how many doublings to check
     */
    void assertAttemptsThinOut(IntSupplier attempts, int rounds) throws Exception {
        for (int failures = 1; failures <= rounds; failures++) {
            Duration rest = POLL.multipliedBy(1L << (failures - 1));
            int expectedFailures = failures;
            Await.until(() -> consecutiveFailures() == expectedFailures && status().path("backoffUntil").isTextual(),
                    failures + " failure(s) recorded");
            int made = attempts.getAsInt();
            if (!statusTime("backoffUntil").equals(clock.instant().plus(rest))) {
                throw new AssertionError("after " + failures + " failure(s) the cluster should rest " + rest + " from "
                        + clock.instant() + ", /status says until " + statusTime("backoffUntil"));
            }
            awaitScheduledFires(1);
            if (attempts.getAsInt() != made || consecutiveFailures() != failures) {
                throw new AssertionError("attempted while resting after " + failures + " failure(s): "
                        + attempts.getAsInt() + " attempts, was " + made);
            }
            if (failures > 1) {
                // half the rest is not enough
                clock.advance(rest.dividedBy(2));
                awaitScheduledFires(1);
                if (attempts.getAsInt() != made) {
                    throw new AssertionError("attempted halfway through a rest of " + rest);
                }
                clock.advance(rest.dividedBy(2));
            } else {
                clock.advance(rest);
            }
            Await.until(() -> attempts.getAsInt() > made && consecutiveFailures() == expectedFailures + 1,
                    "the attempt after a rest of " + rest);
        }
    }

    /** Waits until Quartz has fired the cluster's poll {@code count} more times (each moves {@code nextRun}). */
    void awaitScheduledFires(int count) throws Exception {
        AtomicReference<String> last = new AtomicReference<>(status().path("nextRun").asText());
        AtomicInteger seen = new AtomicInteger();
        Await.until(() -> {
            String next = status().path("nextRun").asText();
            if (!next.equals(last.getAndSet(next))) {
                seen.incrementAndGet();
            }
            return seen.get() >= count;
        }, count + " scheduled fires");
    }

    @Override
    public void close() {
        daemon.close();
    }
}
