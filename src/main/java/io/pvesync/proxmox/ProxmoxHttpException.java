package io.pvesync.proxmox;

/**
 * An HTTP error status. {@link #reason()} is the reason phrase, which is where Proxmox puts the
 * error text (the JSON body carries it only since pve-http-server 5.2.0).
 */
public class ProxmoxHttpException extends ProxmoxException {
    private final String endpoint;
    private final int status;
    private final String reason;

    public ProxmoxHttpException(String cluster, String endpoint, String call, int status, String reason, String message) {
        super(cluster, call, message, null);
        this.endpoint = endpoint;
        this.status = status;
        this.reason = reason;
    }

    public String endpoint() {
        return endpoint;
    }

    public int status() {
        return status;
    }

    /** The error text, reason phrase first; never null. */
    public String reason() {
        return reason;
    }
}
