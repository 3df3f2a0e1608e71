package io.pvesync.proxmox;

/**
 * HTTP 595 (or 596): the endpoint answered, but could not reach the node the call was proxied to.
 * The node is down or cut off; other endpoints would say the same.
 */
public class NodeUnreachableException extends ProxmoxHttpException {
    public NodeUnreachableException(String cluster, String endpoint, String call, int status, String reason, String message) {
        super(cluster, endpoint, call, status, reason, message);
    }
}
