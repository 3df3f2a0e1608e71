package io.pvesync.sim;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves one client connection on a worker thread: HTTP/1.1 keep-alive, closed after an error
 * status, after 100 requests, or after 5 s idle, as pveproxy does (PROXMOX-API.md §0).
 */
final class Connection implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(Connection.class);

    static final int IDLE_TIMEOUT_MILLIS = 5_000;
    static final int MAX_REQUESTS = 100;
    private static final JsonFactory JSON = new JsonFactory();
    // a body buffer this big is dropped after use rather than kept per connection
    private static final int KEEP_BUFFER_BYTES = 1 << 20;

    private final Socket socket;
    private final Listener listener;
    private final Api api;
    private final Faults faults;
    private Buffer buffer = new Buffer();

    Connection(Socket socket, Listener listener, Api api, Faults faults) {
        this.socket = socket;
        this.listener = listener;
        this.api = api;
        this.faults = faults;
    }

    @Override
    public void run() {
        try (Socket s = socket) {
            s.setSoTimeout(IDLE_TIMEOUT_MILLIS);
            s.setTcpNoDelay(true);
            InputStream in = new BufferedInputStream(s.getInputStream(), 8192);
            OutputStream out = new BufferedOutputStream(s.getOutputStream(), 64 * 1024);
            for (int served = 1; served <= MAX_REQUESTS; served++) {
                if (!serveOne(in, out, served == MAX_REQUESTS)) {
                    break;
                }
            }
        } catch (SocketTimeoutException e) {
            log.debug("sim endpoint={} - idle connection closed", listener.index());
        } catch (IOException e) {
            log.debug("sim endpoint={} - connection ended: {}", listener.index(), e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the simulator is closing
        } finally {
            listener.forget(socket);
        }
    }

    /** @return whether the connection stays open for another request */
    private boolean serveOne(InputStream in, OutputStream out, boolean last) throws IOException, InterruptedException {
        HttpRequest request;
        try {
            request = HttpRequest.read(in);
        } catch (HttpRequest.BadRequestException e) {
            write(out, Reply.empty(400, "Bad Request"), false);
            return false;
        }
        if (request == null) {
            return false;
        }
        in.skipNBytes(request.contentLength());
        long started = System.nanoTime();
        Reply reply;
        try {
            reply = api.handle(request, listener.index());
        } catch (RuntimeException e) {
            // a bug of the simulator: say so on the wire rather than dropping the connection silently
            log.error("sim endpoint={} - {} {} failed", listener.index(), request.method(), request.path(), e);
            reply = Reply.empty(500, "simulator error: " + e);
        }
        Duration wait = faults.slow().plus(reply.delay());
        if (!wait.isZero()) {
            // this connection's own thread waits: other connections, other nodes, are not held up
            TimeUnit.NANOSECONDS.sleep(wait.toNanos());
        }
        boolean keepAlive = reply.status() < 400 && !request.wantsClose() && !last;
        int sent = write(out, reply, keepAlive);
        if (log.isDebugEnabled()) {
            log.debug("sim endpoint={} - {} {} -> {} {} ({} bytes, {} ms)", listener.index(), request.method(),
                    request.path(), reply.status(), reply.reason(), sent, (System.nanoTime() - started) / 1_000_000);
        }
        return keepAlive;
    }

    /** Writes the answer; returns the body bytes sent. */
    private int write(OutputStream out, Reply reply, boolean keepAlive) throws IOException {
        int length = 0;
        if (reply.body() != null) {
            buffer.reset();
            try (JsonGenerator json = JSON.createGenerator(buffer)) {
                reply.body().write(json);
            }
            // a cut body with a Content-Length that matches what is sent: the JSON itself is broken
            length = reply.truncate() ? buffer.size() / 2 : buffer.size();
        }
        String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC));
        StringBuilder head = new StringBuilder(256)
                .append("HTTP/1.1 ").append(reply.status()).append(' ').append(oneLine(reply.reason())).append("\r\n")
                .append("Cache-Control: max-age=0\r\n")
                .append("Connection: ").append(keepAlive ? "Keep-Alive" : "close").append("\r\n")
                .append("Date: ").append(date).append("\r\n")
                .append("Pragma: no-cache\r\n")
                .append("Server: pve-api-daemon/3.0\r\n");
        if (reply.body() != null) {
            head.append("Content-Length: ").append(length).append("\r\n")
                    .append("Content-Type: application/json;charset=UTF-8\r\n");
        }
        head.append("Expires: ").append(date).append("\r\n\r\n");
        out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        if (reply.body() != null) {
            out.write(buffer.array(), 0, length);
            if (buffer.size() > KEEP_BUFFER_BYTES) {
                buffer = new Buffer();
            }
        }
        out.flush();
        return length;
    }

    private static String oneLine(String reason) {
        return reason.replace('\r', ' ').replace('\n', ' ');
    }

    /** A byte buffer whose array can be written out without a copy. */
    private static final class Buffer extends ByteArrayOutputStream {
        Buffer() {
            super(16 * 1024);
        }

        byte[] array() {
            return buf;
        }
    }
}
