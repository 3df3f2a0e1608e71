package io.pvesync.faults;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A TCP proxy on 127.0.0.1 in front of the test's PostgreSQL server, so the database can vanish for
 * the daemon without touching the server that other builds share. {@link #cut()} closes every
 * proxied connection and the listening port (new connections are refused, as by a stopped server);
 * {@link #restore()} listens on the same port again. {@link #freeze()} is the silent partition:
 * connections stay open but every byte is dropped, until {@link #thaw()} ends them.
 */
final class PgProxy implements AutoCloseable {
    private static final Pattern HOST_PORT = Pattern.compile("^(jdbc:postgresql://)([^/]+)(/.*)$");
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final InetSocketAddress target;
    private final int port;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger accepted = new AtomicInteger();
    private ServerSocket listener; // guarded by this
    private volatile boolean frozen;

    private PgProxy(InetSocketAddress target) {
        this.target = target;
        this.listener = bind(0);
        this.port = listener.getLocalPort();
        acceptOn(listener);
    }

    /** A proxy to the server of {@code jdbcUrl}, listening on a free port. */
    static PgProxy to(String jdbcUrl) {
        Matcher m = HOST_PORT.matcher(jdbcUrl);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a jdbc:postgresql://host[:port]/db URL: " + jdbcUrl);
        }
        String hostPort = m.group(2);
        int colon = hostPort.lastIndexOf(':');
        String host = colon < 0 ? hostPort : hostPort.substring(0, colon);
        int port = colon < 0 ? 5432 : Integer.parseInt(hostPort.substring(colon + 1));
        return new PgProxy(new InetSocketAddress(host, port));
    }

    /** {@code jdbcUrl} with its host and port replaced by the proxy's. */
    String url(String jdbcUrl) {
        Matcher m = HOST_PORT.matcher(jdbcUrl);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a jdbc:postgresql://host[:port]/db URL: " + jdbcUrl);
        }
        return m.group(1) + "127.0.0.1:" + port + m.group(3);
    }

    /** Connections accepted since the start, cut ones included. */
    int accepted() {
        return accepted.get();
    }

    /** The database disappears: open connections are closed, new ones refused. */
    synchronized void cut() {
        if (listener != null) {
            closeQuietly(listener);
            listener = null;
        }
        open.forEach(PgProxy::closeQuietly);
        open.clear();
    }

    /**
     * The network drops every packet without closing anything: open connections stay open, new
     * ones are accepted, and no byte gets through in either direction. Neither side hears of it:
     * only a timeout of its own ends a wait.
     */
    void freeze() {
        frozen = true;
    }

    /**
     * The network is back. The connections that lived through the freeze lost bytes, so they are
     * dead to both sides: they are closed (the server rolls back their open transactions), as TCP
     * would reset them once its retransmissions reach the other end.
     */
    synchronized void thaw() {
        frozen = false;
        open.forEach(PgProxy::closeQuietly);
        open.clear();
    }

    /** The database is back on the same port. */
    synchronized void restore() {
        if (listener == null) {
            listener = bind(port);
            acceptOn(listener);
        }
    }

    @Override
    public void close() {
        cut();
    }

    private static ServerSocket bind(int port) {
        try {
            ServerSocket socket = new ServerSocket();
            socket.setReuseAddress(true); // the same port again right after a cut
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return socket;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on 127.0.0.1:" + port, e);
        }
    }

    private void acceptOn(ServerSocket server) {
        thread("accept", () -> {
            while (!server.isClosed()) {
                Socket client;
                try {
                    client = server.accept();
                } catch (IOException e) {
                    return; // cut or closed
                }
                accepted.incrementAndGet();
                connect(client);
            }
        });
    }

    private void connect(Socket client) {
        Socket upstream = new Socket();
        try {
            upstream.connect(target, 5000);
        } catch (IOException e) {
            closeQuietly(client);
            closeQuietly(upstream);
            return;
        }
        synchronized (this) {
            if (listener == null) { // cut while connecting
                closeQuietly(client);
                closeQuietly(upstream);
                return;
            }
            open.add(client);
            open.add(upstream);
        }
        thread("up", () -> pump(client, upstream));
        thread("down", () -> pump(upstream, client));
    }

    /** Copies one direction until either side ends, then closes both: a half-open pair is no use. */
    private void pump(Socket from, Socket to) {
        byte[] buffer = new byte[16 * 1024];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                if (frozen) {
                    continue; // dropped on the wire
                }
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (SocketException e) {
            // closed by a cut or by the other direction's end
        } catch (IOException e) {
            // the peer went away
        } finally {
            closeQuietly(from);
            closeQuietly(to);
            open.remove(from);
            open.remove(to);
        }
    }

    private static void thread(String role, Runnable body) {
        Thread t = new Thread(body, "pg-proxy-" + role + "-" + THREADS.incrementAndGet());
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(Closeable c) {
        try {
            c.close();
        } catch (IOException e) {
            // closing is all that was wanted
        }
    }
}
