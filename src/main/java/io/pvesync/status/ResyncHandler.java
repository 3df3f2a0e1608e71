package io.pvesync.status;

import com.sun.net.httpserver.HttpExchange;
import io.pvesync.config.Secret;
import io.pvesync.sync.SyncOutcome;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /resync[?cluster=NAME][&wait=30s]}: asks the scheduler for a pass now.
 *
 * <p>The order of checks is deliberate: the token first, so a caller without it learns nothing
 * (not even the cluster names a 404 would list); then the query; then the request is queued.
 *
 * <p>A waiting request does not hold one of the status server's few threads: the response is
 * written when the passes end or the wait runs out, so {@code /health} keeps answering while a
 * resync is being waited for. At most {@link #MAX_WAITING} requests wait at once.
 */
final class ResyncHandler {
    private static final Logger log = LoggerFactory.getLogger(ResyncHandler.class);
    /** Each waiting request holds a connection for up to five minutes; a loop of them must not pile up. */
    static final int MAX_WAITING = 16;

    private final Optional<BearerToken> token;
    private final List<String> clusters;
    private final ResyncTrigger trigger;
    private final Executor executor;
    private final AtomicInteger waiting = new AtomicInteger();

    /**
     * @param executor where a waited-for response is written: never the thread that completes the
     *                 pass, which belongs to the scheduler and must not block on a slow client
     */
    ResyncHandler(Optional<Secret> resyncToken, List<String> clusters, ResyncTrigger trigger, Executor executor) {
        this.token = resyncToken.map(BearerToken::new);
        this.clusters = List.copyOf(clusters);
        this.trigger = trigger;
        this.executor = executor;
    }

    void handle(HttpExchange exchange) throws IOException {
        if (token.isPresent()) {
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            if (!token.get().accepts(authorization)) {
                refuse(exchange, authorization == null);
                return;
            }
        }
        ResyncRequest request;
        try {
            request = ResyncRequest.parse(exchange.getRequestURI().getRawQuery());
        } catch (IllegalArgumentException e) {
            Responses.text(exchange, 400, e.getMessage() + "\n");
            return;
        }
        List<String> unknown = request.clusters().stream().filter(c -> !clusters.contains(c)).toList();
        if (!unknown.isEmpty()) {
            Responses.text(exchange, 404, "unknown cluster " + String.join(", ", unknown)
                    + "; configured clusters: " + String.join(", ", clusters) + "\n");
            return;
        }
        List<String> names = request.clusters().isEmpty() ? clusters : request.clusters();
        if (request.waitFor().isPresent() && waiting.incrementAndGet() > MAX_WAITING) {
            waiting.decrementAndGet();
            exchange.getResponseHeaders().set("Retry-After", "10");
            Responses.text(exchange, 429, MAX_WAITING + " resync requests are waiting already; retry later,"
                    + " or ask without wait\n");
            return;
        }
        Map<String, CompletableFuture<SyncOutcome>> futures = new LinkedHashMap<>();
        try {
            Map<String, CompletableFuture<SyncOutcome>> queued = trigger.request(names);
            for (String name : names) {
                futures.put(name, queued.getOrDefault(name, CompletableFuture.failedFuture(
                        new IllegalStateException("the scheduler queued no pass for it"))));
            }
        } catch (RuntimeException e) {
            request.waitFor().ifPresent(w -> waiting.decrementAndGet());
            log.warn("status - resync of {} could not be queued: {}", names, e.getMessage());
            Responses.text(exchange, 503, "the resync could not be queued: " + e.getMessage() + "\n");
            return;
        }
        log.debug("status - resync queued for {}", names);
        if (request.waitFor().isEmpty()) {
            Responses.json(exchange, 202, StatusJson.queued(names));
            return;
        }
        CompletableFuture.allOf(futures.values().toArray(CompletableFuture[]::new))
                .completeOnTimeout(null, request.waitFor().get().toMillis(), TimeUnit.MILLISECONDS)
                .handleAsync((ignored, failure) -> {
                    waiting.decrementAndGet();
                    answer(exchange, names, futures);
                    return null;
                }, executor);
    }

    /** 200 when every pass ended, else 202 naming those still running. */
    private static void answer(HttpExchange exchange, List<String> names,
                               Map<String, CompletableFuture<SyncOutcome>> futures) {
        List<StatusJson.ResyncResult> done = new ArrayList<>();
        List<String> running = new ArrayList<>();
        for (String name : names) {
            CompletableFuture<SyncOutcome> f = futures.get(name);
            if (!f.isDone()) {
                running.add(name);
                continue;
            }
            try {
                done.add(StatusJson.ResyncResult.of(f.join()));
            } catch (RuntimeException e) { // CompletionException or CancellationException
                done.add(StatusJson.ResyncResult.notRun(name, e.getCause() != null ? e.getCause() : e));
            }
        }
        try {
            Responses.json(exchange, running.isEmpty() ? 200 : 202, StatusJson.waited(done, running));
        } catch (IOException e) {
            // the client went away while waiting; nothing left to tell it
            log.debug("status - resync answer not delivered: {}", e.toString());
        } catch (RuntimeException e) {
            log.error("status - resync answer failed", e);
            exchange.close();
        }
    }

    private static void refuse(HttpExchange exchange, boolean missing) throws IOException {
        // say which, never what: neither the configured token nor the one sent appears anywhere
        log.warn("status - refused POST /resync from {}: {}", exchange.getRemoteAddress().getAddress().getHostAddress(),
                missing ? "no bearer token" : "wrong bearer token");
        exchange.getResponseHeaders().set("WWW-Authenticate",
                missing ? "Bearer realm=\"pvesync\"" : "Bearer realm=\"pvesync\", error=\"invalid_token\"");
        Responses.text(exchange, 401, missing
                ? "POST /resync requires the resync token: Authorization: Bearer <token>\n"
                : "the bearer token is wrong\n");
    }
}
