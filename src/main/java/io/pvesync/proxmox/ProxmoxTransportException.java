package io.pvesync.proxmox;

/** No HTTP answer: connect refused or timed out, read timed out, TLS handshake failed. */
public class ProxmoxTransportException extends ProxmoxException {
    private final String endpoint;

    public ProxmoxTransportException(String cluster, String endpoint, String call, String message, Throwable cause) {
        super(cluster, call, message, cause);
        this.endpoint = endpoint;
    }

    public String endpoint() {
        return endpoint;
    }
}
