package io.pvesync.proxmox;

import java.util.List;

/**
 * Every endpoint of the cluster failed. {@link #failures()} holds each endpoint's own failure, in
 * the order tried; the message lists them all.
 */
public class ProxmoxUnavailableException extends ProxmoxException {
    private final List<ProxmoxException> failures;

    public ProxmoxUnavailableException(String cluster, String call, String message, List<ProxmoxException> failures) {
        super(cluster, call, message, failures.isEmpty() ? null : failures.get(failures.size() - 1));
        this.failures = List.copyOf(failures);
    }

    public List<ProxmoxException> failures() {
        return failures;
    }
}
