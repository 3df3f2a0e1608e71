package io.pvesync.proxmox;

/**
 * A {@link ApiCall.Scope#GUEST} call reached an endpoint, which proxies it to the guest's node, and
 * no answer came within the address timeout: the node (its pvedaemon, its storage, a hung guest
 * agent) is too slow right now. Every endpoint proxies to the same node, so no other endpoint is
 * tried; the caller leaves the node alone for the rest of its pass.
 */
public class NodeNotAnsweringException extends ProxmoxTransportException {
    private final String detail;

    public NodeNotAnsweringException(String cluster, String endpoint, String call, String detail, String message,
                                     Throwable cause) {
        super(cluster, endpoint, call, message, cause);
        this.detail = detail;
    }

    /** What happened, short: {@code read timed out after 10s}. */
    public String detail() {
        return detail;
    }
}
