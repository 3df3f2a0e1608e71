package io.pvesync.proxmox;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The leak check itself must find a secret wherever an exception could carry it. */
class SecretLeakCheckTest {

    @Test
    void findsTheSecretInTheCauseOfAnEndpointFailure() {
        ProxmoxTransportException failure = new ProxmoxTransportException("lab", "https://pve1:8006", "version",
                "no answer", new IOException("header PVEAPIToken=x=" + TestClusters.SECRET));
        ProxmoxUnavailableException error = new ProxmoxUnavailableException("lab", "version", "all failed", List.of(failure));

        assertThat(SecretLeakCheck.texts(error)).anyMatch(text -> text.contains("SECRET"));
    }

    @Test
    void findsTheSecretInASuppressedException() {
        ProxmoxAuthException error = new ProxmoxAuthException("lab", "https://pve1:8006", "version", 401, "no", "no");
        error.addSuppressed(new IllegalStateException(TestClusters.SECRET));

        assertThat(SecretLeakCheck.texts(error)).anyMatch(text -> text.contains("SECRET"));
    }
}
