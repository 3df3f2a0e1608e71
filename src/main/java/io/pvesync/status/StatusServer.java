package io.pvesync.status;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.prometheus.metrics.exporter.httpserver.MetricsHandler;
import io.pvesync.config.Secret;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The status endpoint on the JDK's HTTP server:
 * <ul>
 *   <li>{@code GET /}: the status page for people ({@link StatusPage});</li>
 *   <li>{@code GET /health}: 200 {@code ok}, or 503 with one reason per line ({@link SyncHealth});</li>
 *   <li>{@code GET /status}: every cluster's sync state as JSON;</li>
 *   <li>{@code GET /metrics}: Prometheus text format (OpenMetrics when the scraper asks for it);</li>
 *   <li>{@code POST /resync[?cluster=NAME][&wait=30s]}: a pass now, see {@link ResyncHandler}.</li>
 * </ul>
 * Paths match exactly; anything else is 404, a wrong method 405 with {@code Allow}. It only reads
 * what {@link SyncHealth} and {@link Metrics} recorded, so it answers at once even while a cluster
 * hangs. No request is logged at INFO; a refused resync is logged at WARN.
 *
 * <p>Shut the daemon down in this order: {@link SyncHealth#stopping()} (so /health says so while
 * work drains), stop the scheduler, then {@link #close()} this.
 */
public final class StatusServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StatusServer.class);
    /** A monitor, a scraper and an operator at once; more requests queue, they are all quick. */
    private static final int THREADS = 2;

    private final InetSocketAddress listen;
    private final SyncHealth health;
    private final MetricsHandler metricsHandler;
    private final ExecutorService executor;
    private final ResyncHandler resync;
    private final StatusPageHandler page;
    private HttpServer server; // set by start

    /**
     * @param listen      where to listen; port 0 picks a free port ({@link #address()} tells which)
     * @param resyncToken the token {@code POST /resync} requires; empty = none required
     * @param health      the sync state to serve; its clusters are the ones /resync accepts
     * @param metrics     the metrics to serve; it is made to report {@code health} as {@code pvesync_healthy}
     * @param trigger     how /resync reaches the scheduler
     */
    public StatusServer(InetSocketAddress listen, Optional<Secret> resyncToken, SyncHealth health, Metrics metrics,
                        ResyncTrigger trigger) {
        this.listen = listen;
        this.health = health;
        this.metricsHandler = new MetricsHandler(metrics.registry());
        this.executor = new ThreadPoolExecutor(THREADS, THREADS, 0, TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(), named());
        this.resync = new ResyncHandler(resyncToken, health.clusterNames(), trigger, executor);
        this.page = new StatusPageHandler(health, StatusPageHandler.version());
        metrics.watch(health);
    }

    /**
     * Binds and starts serving.
     *
     * @throws IOException when the address cannot be bound (in use, not local); the message names it
     * @throws IllegalStateException when already started
     */
    public synchronized void start() throws IOException {
        if (server != null) {
            throw new IllegalStateException("status server already started");
        }
        HttpServer s;
        try {
            s = HttpServer.create(listen, 0);
        } catch (IOException e) {
            throw new IOException("status endpoint cannot listen on " + format(listen) + ": " + e.getMessage(), e);
        }
        s.setExecutor(executor);
        s.createContext("/", this::route);
        s.start();
        server = s;
        log.info("status - listening on {}", format(s.getAddress()));
    }

    /** The address bound, with the real port when 0 was asked for. */
    public synchronized InetSocketAddress address() {
        if (server == null) {
            throw new IllegalStateException("status server not started");
        }
        return server.getAddress();
    }

    /**
     * Stops listening and drops open connections at once (a resync being waited for is not answered),
     * then gives the request threads up to a second to finish. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (server != null) {
            server.stop(0);
        }
        executor.shutdown();
        try {
            if (!executor.awaitTermination(1, TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
        if (server != null) {
            server = null;
            log.info("status - stopped");
        }
    }

    private void route(HttpExchange exchange) throws IOException {
        try {
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            switch (path) {
                case "/" -> {
                    if (allowed(exchange, method, "GET", "HEAD")) {
                        page.handle(exchange);
                    }
                }
                case "/health" -> {
                    if (allowed(exchange, method, "GET", "HEAD")) {
                        health(exchange);
                    }
                }
                case "/status" -> {
                    if (allowed(exchange, method, "GET", "HEAD")) {
                        Responses.json(exchange, 200, StatusJson.status(health.health(), health.clusters()));
                    }
                }
                case "/metrics" -> {
                    if (allowed(exchange, method, "GET", "HEAD")) {
                        Responses.commonHeaders(exchange);
                        metricsHandler.handle(exchange);
                    }
                }
                case "/resync" -> {
                    if (allowed(exchange, method, "POST")) {
                        resync.handle(exchange);
                    }
                }
                default -> Responses.text(exchange, 404, "no such path: " + path
                        + " (try /, /health, /status, /metrics, POST /resync)\n");
            }
        } catch (IOException e) {
            // the client went away mid-answer; nothing to tell it, nothing for the operator to do
            log.debug("status - {} {}: {}", exchange.getRequestMethod(), exchange.getRequestURI(), e.toString());
            exchange.close();
        } catch (RuntimeException e) {
            log.error("status - {} {} failed", exchange.getRequestMethod(), exchange.getRequestURI().getPath(), e);
            try {
                Responses.text(exchange, 500, "internal error: " + e.getClass().getSimpleName() + "\n");
            } catch (IOException | RuntimeException ignored) {
                exchange.close(); // the headers may be gone already; dropping the connection is all that is left
            }
        }
    }

    private void health(HttpExchange exchange) throws IOException {
        Health verdict = health.health(); // read once, so the code and the reasons agree
        if (verdict.healthy()) {
            Responses.text(exchange, 200, "ok\n");
        } else {
            // "starting" first, so a monitor can tell "not known yet" from "known bad" by one line
            String head = verdict.starting() ? "starting\n" : "";
            Responses.text(exchange, 503, head + String.join("\n", verdict.reasons()) + "\n");
        }
    }

    private static boolean allowed(HttpExchange exchange, String method, String... allowed) throws IOException {
        for (String a : allowed) {
            if (a.equals(method)) {
                return true;
            }
        }
        String list = String.join(", ", allowed);
        exchange.getResponseHeaders().set("Allow", list);
        Responses.text(exchange, 405, "method " + method + " not allowed on " + exchange.getRequestURI().getPath()
                + "; allowed: " + list + "\n");
        return false;
    }

    private static ThreadFactory named() {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "pvesync-status-" + n.incrementAndGet());
            t.setDaemon(true); // never the reason the JVM stays up; close() still shuts the pool down
            return t;
        };
    }

    /** {@code 127.0.0.1:9187} or {@code [::1]:9187}: the form an operator types, not {@code /127.0.0.1:9187}. */
    static String format(InetSocketAddress address) {
        String host = address.getAddress() == null ? address.getHostString()
                : address.getAddress() instanceof Inet6Address ? "[" + address.getAddress().getHostAddress() + "]"
                : address.getAddress().getHostAddress();
        return host + ":" + address.getPort();
    }
}
