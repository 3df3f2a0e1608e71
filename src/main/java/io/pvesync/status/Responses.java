package io.pvesync.status;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** Writing a whole response in one go, the same way for every route. */
final class Responses {
    static final String TEXT = "text/plain; charset=utf-8";
    static final String JSON = "application/json";

    private Responses() {
    }

    /**
     * Adds what every response carries: the state changes from one request to the next, so no cache
     * may keep it, and a browser must not guess a type for it.
     */
    static void commonHeaders(HttpExchange exchange) {
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
    }

    static void text(HttpExchange exchange, int code, String body) throws IOException {
        send(exchange, code, TEXT, body);
    }

    static void json(HttpExchange exchange, int code, String body) throws IOException {
        send(exchange, code, JSON, body);
    }

    /**
     * Sends the status, the headers and the body, then closes the exchange. The request body is never
     * read: on close the JDK server discards at most a small amount of it (64 KiB by default) and
     * drops the connection when more is left, so a large body costs the server nothing.
     */
    static void send(HttpExchange exchange, int code, String contentType, String body) throws IOException {
        try (exchange) {
            commonHeaders(exchange);
            exchange.getResponseHeaders().set("Content-Type", contentType);
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            if ("HEAD".equals(exchange.getRequestMethod())) {
                exchange.sendResponseHeaders(code, -1); // -1: no body follows
                return;
            }
            exchange.sendResponseHeaders(code, bytes.length == 0 ? -1 : bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }
}
