package io.pvesync.proxmox;

/**
 * A failed call to a Proxmox VE API. The message names the cluster, the endpoint and the call;
 * it never contains the token secret.
 */
public abstract class ProxmoxException extends Exception {
    private final String cluster;
    private final String call;

    protected ProxmoxException(String cluster, String call, String message, Throwable cause) {
        super(message, cause);
        this.cluster = cluster;
        this.call = call;
    }

    public String cluster() {
        return cluster;
    }

    /** The {@link ApiCall#name()} of the failed call. */
    public String call() {
        return call;
    }
}
