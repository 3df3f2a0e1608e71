package io.pvesync.proxmox;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The short transport error texts, for causes a local test server cannot provoke. */
class TransportErrorsTest {

    private static final Duration CONNECT = Duration.ofSeconds(5);
    private static final Duration READ = Duration.ofMillis(1500);

    @Test
    void connectTimeoutNamesTheConnectTimeout() {
        IOException error = new SocketTimeoutException("Connect timed out");

        assertThat(TransportErrors.describe(error, CONNECT, READ)).isEqualTo("connect timed out after 5s");
    }

    @Test
    void readTimeoutNamesTheReadTimeout() {
        IOException error = new SocketTimeoutException("timeout");

        assertThat(TransportErrors.describe(error, CONNECT, READ)).isEqualTo("read timed out after 1500ms");
    }

    @Test
    void wrappedCauseIsDugOut() {
        IOException error = new ConnectException("Failed to connect to pve1/192.0.2.10:8006");
        error.initCause(new ConnectException("Connection refused"));

        assertThat(TransportErrors.describe(error, CONNECT, READ)).isEqualTo("Connection refused");
    }

    @Test
    void unknownHostIsNamed() {
        IOException error = new UnknownHostException("pve9: Name or service not known");

        assertThat(TransportErrors.describe(error, CONNECT, READ)).isEqualTo("unknown host: pve9: Name or service not known");
    }
}
