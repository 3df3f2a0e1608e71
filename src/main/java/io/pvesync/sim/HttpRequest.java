package io.pvesync.sim;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One HTTP/1.1 request head, read from a socket.
 *
 * @param path    the path of the request target, without the query
 * @param query   decoded query parameters (the last one wins for a repeated name)
 * @param headers header values by lower-case name (the last one wins)
 */
record HttpRequest(String method, String path, Map<String, String> query, Map<String, String> headers,
                   boolean http10) {

    // pveproxy's limits (pve-http-server AnyEvent.pm $limit_max_headers, $limit_max_header_size)
    private static final int MAX_LINE = 8 * 1024;
    private static final int MAX_HEADERS = 64;

    /** A request head that breaks HTTP; answered with 400 and a closed connection. */
    static final class BadRequestException extends IOException {
        private static final long serialVersionUID = 1L;

        BadRequestException(String message) {
            super(message);
        }
    }

    String header(String name) {
        return headers.get(name.toLowerCase(Locale.ROOT));
    }

    /** Whether the client asked to close the connection after this answer. */
    boolean wantsClose() {
        String connection = header("connection");
        if (connection != null && connection.toLowerCase(Locale.ROOT).contains("close")) {
            return true;
        }
        return http10 && (connection == null || !connection.toLowerCase(Locale.ROOT).contains("keep-alive"));
    }

    /** The declared body length; a GET's body is read and dropped. */
    long contentLength() throws BadRequestException {
        String value = header("content-length");
        if (value == null) {
            return 0;
        }
        try {
            return Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            throw new BadRequestException("bad Content-Length " + value);
        }
    }

    /**
     * Reads the next request head.
     *
     * @return null when the client closed the connection before sending anything
     * @throws BadRequestException when the head is not HTTP/1.x or exceeds the limits
     */
    static HttpRequest read(InputStream in) throws IOException {
        String requestLine = line(in, true);
        if (requestLine == null) {
            return null;
        }
        String[] parts = requestLine.split(" ");
        if (parts.length != 3 || !parts[2].startsWith("HTTP/1.")) {
            throw new BadRequestException("bad request line");
        }
        Map<String, String> headers = new HashMap<>();
        for (String header = line(in, false); !header.isEmpty(); header = line(in, false)) {
            if (headers.size() >= MAX_HEADERS) {
                throw new BadRequestException("too many headers");
            }
            int colon = header.indexOf(':');
            if (colon <= 0) {
                throw new BadRequestException("bad header line");
            }
            headers.put(header.substring(0, colon).strip().toLowerCase(Locale.ROOT), header.substring(colon + 1).strip());
        }
        String target = parts[1];
        int q = target.indexOf('?');
        String path = q < 0 ? target : target.substring(0, q);
        Map<String, String> query = q < 0 ? Map.of() : query(target.substring(q + 1));
        return new HttpRequest(parts[0], path, query, headers, parts[2].equals("HTTP/1.0"));
    }

    private static Map<String, String> query(String text) {
        Map<String, String> result = new HashMap<>();
        for (String pair : text.split("[&;]")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            try {
                result.put(URLDecoder.decode(key, StandardCharsets.UTF_8), URLDecoder.decode(value, StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                result.put(key, value); // a stray '%': keep it raw, as a lenient server would
            }
        }
        return result;
    }

    /** One CRLF- (or LF-) terminated line; null at a clean end of stream if {@code eofAllowed}. */
    private static String line(InputStream in, boolean eofAllowed) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
        while (true) {
            int b = in.read();
            if (b < 0) {
                if (eofAllowed && bytes.size() == 0) {
                    return null;
                }
                throw new BadRequestException("connection closed in the middle of a request head");
            }
            if (b == '\n') {
                break;
            }
            if (bytes.size() >= MAX_LINE) {
                throw new BadRequestException("header line longer than " + MAX_LINE + " bytes");
            }
            bytes.write(b);
        }
        String text = bytes.toString(StandardCharsets.ISO_8859_1);
        return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
    }
}
