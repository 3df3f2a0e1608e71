package io.pvesync.sim;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.RejectedExecutionException;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One endpoint: a listening socket on 127.0.0.1, like one node's pveproxy. It can be taken down
 * (the port refuses connections and open connections are cut, like a dead node) and brought back
 * on the same port.
 */
final class Listener {

    private static final Logger log = LoggerFactory.getLogger(Listener.class);
    private static final int BACKLOG = 128;

    private final int index;
    private final SSLContext tls;
    private final ExecutorService workers;
    private final Api api;
    private final Faults faults;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger accepted = new AtomicInteger();
    private int port;
    private ServerSocket server;

    /**
     * @param port the port to listen on, 0 for any free one (kept for later reopening)
     * @param tls  the server's TLS context, or null for plain HTTP
     */
    Listener(int index, int port, SSLContext tls, ExecutorService workers, Api api, Faults faults) {
        this.index = index;
        this.port = port;
        this.tls = tls;
        this.workers = workers;
        this.api = api;
        this.faults = faults;
    }

    int index() {
        return index;
    }

    /** TCP connections accepted so far (each one a TLS handshake on an https endpoint). */
    int accepted() {
        return accepted.get();
    }

    synchronized URI uri() {
        return URI.create((tls == null ? "http" : "https") + "://127.0.0.1:" + port);
    }

    synchronized boolean up() {
        return server != null;
    }

    /** Starts listening (again, on the same port); does nothing when already up. */
    synchronized void open() {
        if (server != null) {
            return;
        }
        try {
            ServerSocket socket = tls == null ? new ServerSocket() : tls.getServerSocketFactory().createServerSocket();
            socket.setReuseAddress(true); // reopening right after a close must not wait for TIME_WAIT
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), BACKLOG);
            port = socket.getLocalPort();
            server = socket;
        } catch (IOException e) {
            throw new UncheckedIOException("sim endpoint " + index + ": cannot listen on 127.0.0.1:" + port, e);
        }
        ServerSocket accepting = server;
        Thread thread = new Thread(() -> accept(accepting), "pvesim-accept-" + port);
        thread.setDaemon(true);
        thread.start();
    }

    /** Stops listening and cuts every open connection; does nothing when already down. */
    synchronized void close() {
        if (server == null) {
            return;
        }
        closeQuietly(server);
        server = null;
        open.forEach(Listener::closeQuietly);
        open.clear();
    }

    void forget(Socket socket) {
        open.remove(socket);
    }

    private void accept(ServerSocket accepting) {
        while (!accepting.isClosed()) {
            Socket socket;
            try {
                socket = accepting.accept();
            } catch (IOException e) {
                if (!accepting.isClosed()) {
                    log.debug("sim endpoint={} - accept failed: {}", index, e.toString());
                }
                continue;
            }
            open.add(socket);
            if (accepting.isClosed()) { // taken down while this one came in
                forget(socket);
                closeQuietly(socket);
                continue;
            }
            try {
                accepted.incrementAndGet();
                workers.execute(new Connection(socket, this, api, faults));
            } catch (RejectedExecutionException e) {
                // every worker busy (or shutting down): refuse like an overloaded server
                log.debug("sim endpoint={} - no free worker, connection dropped", index);
                forget(socket);
                closeQuietly(socket);
            }
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            // closing is all that is wanted; a failure to close leaves nothing to do
        }
    }
}
