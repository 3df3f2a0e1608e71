package io.pvesync.proxmox;

/** An answer that is not the JSON expected: malformed, truncated, or without {@code data}. */
public class ProxmoxDataException extends ProxmoxException {
    private final String endpoint;

    public ProxmoxDataException(String cluster, String endpoint, String call, String message, Throwable cause) {
        super(cluster, call, message, cause);
        this.endpoint = endpoint;
    }

    public String endpoint() {
        return endpoint;
    }
}
