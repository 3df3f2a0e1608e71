package io.pvesync.proxmox;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Locale;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * Turns an I/O failure into the short text an operator needs ({@code connect timed out after 5s},
 * {@code Connection refused}, {@code TLS: ...}). OkHttp and the JDK wrap the real cause in one or two
 * layers whose messages say little, so this digs it out.
 */
final class TransportErrors {

    private static final String UNTRUSTED_HINT = " (the server's certificate is not signed by a CA this client trusts:"
            + " set tls.ca-file to the cluster's /etc/pve/pve-root-ca.pem, or pin tls.fingerprints)";
    private static final String HOSTNAME_HINT = " (connect by a name or address the certificate lists,"
            + " or pin tls.fingerprints, which checks the certificate itself instead of its names)";

    private TransportErrors() {
    }

    /**
     * The root cause of {@code error}, worded for an operator.
     *
     * @param connectTimeout the connect timeout in force, named when the connect timed out
     * @param readTimeout    the read timeout in force, named when a read timed out
     */
    static String describe(IOException error, Duration connectTimeout, Duration readTimeout) {
        SocketTimeoutException timeout = find(error, SocketTimeoutException.class);
        if (timeout != null) {
            // the JDK says "Connect timed out" for connect; reads say "Read timed out" or okio's "timeout"
            String text = String.valueOf(timeout.getMessage()).toLowerCase(Locale.ROOT);
            return text.contains("connect")
                    ? "connect timed out after " + format(connectTimeout)
                    : "read timed out after " + format(readTimeout);
        }
        SSLException tls = find(error, SSLException.class);
        if (tls != null) {
            String root = rootMessage(tls);
            if (root.contains("unable to find valid certification path")) {
                return "TLS: " + root + UNTRUSTED_HINT;
            }
            if (tls instanceof SSLPeerUnverifiedException && root.startsWith("Hostname ")) {
                return "TLS: " + root + HOSTNAME_HINT;
            }
            return "TLS: " + root;
        }
        UnknownHostException unknownHost = find(error, UnknownHostException.class);
        if (unknownHost != null) {
            return "unknown host: " + unknownHost.getMessage();
        }
        return rootMessage(error);
    }

    /** Whether a timeout lies anywhere in the causes of {@code error}. */
    static boolean timedOut(IOException error) {
        return find(error, SocketTimeoutException.class) != null;
    }

    /** {@code 5s}, {@code 300ms}: the way the config file writes durations. */
    static String format(Duration duration) {
        long millis = duration.toMillis();
        return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
    }

    /** The message of the deepest cause that has one, else the deepest cause's type. */
    static String rootMessage(Throwable error) {
        String message = null;
        Throwable deepest = error;
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            deepest = t;
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                message = t.getMessage();
            }
        }
        return message != null ? message : deepest.getClass().getSimpleName();
    }

    private static <T extends Throwable> T find(Throwable error, Class<T> type) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }
}
