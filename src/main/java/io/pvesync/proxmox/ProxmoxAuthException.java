package io.pvesync.proxmox;

/**
 * 401 (token rejected) or 403 (privilege missing). Never retried in a loop and never a reason to
 * try another endpoint: every node checks the same token against the same ACL.
 */
public class ProxmoxAuthException extends ProxmoxHttpException {
    public ProxmoxAuthException(String cluster, String endpoint, String call, int status, String reason, String message) {
        super(cluster, endpoint, call, status, reason, message);
    }
}
