package io.pvesync.status;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;

/**
 * {@code GET /}: reads what {@code /health} and {@code /status} read (one {@link SyncHealth}),
 * renders it with {@link StatusPage} and sends it with headers that keep the page to itself: its
 * Content-Security-Policy, no referrer, and the common ones of {@link Responses}.
 */
final class StatusPageHandler {
    static final String HTML = "text/html; charset=utf-8";

    private final SyncHealth health;
    private final String version;

    StatusPageHandler(SyncHealth health, String version) {
        this.health = health;
        this.version = version;
    }

    void handle(HttpExchange exchange) throws IOException {
        StatusPage.View view = new StatusPage.View(health.health(), health.clusters(), health.instance(), version,
                health.now(), health.staleAfter(), health.startedAt());
        exchange.getResponseHeaders().set("Content-Security-Policy", StatusPage.CONTENT_SECURITY_POLICY);
        exchange.getResponseHeaders().set("Referrer-Policy", "no-referrer");
        Responses.send(exchange, 200, HTML, StatusPage.render(view));
    }

    /** pvesync's version, as {@code pvesync --version} prints it. */
    static String version() {
        return io.pvesync.cli.Version.current();
    }
}
