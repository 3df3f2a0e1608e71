package io.pvesync.proxmox;

/**
 * Builds the typed exception for an HTTP error status, with the message an operator acts on: a
 * rejected token says what to check, a missing privilege says which {@code pveum} command grants it.
 */
final class HttpErrors {

    private static final String AGENT_CALL_PREFIX = "qemu/agent";

    private HttpErrors() {
    }

    /**
     * @param tokenId the token's id (USER@REALM!TOKENID), named in auth errors; never its secret
     * @return {@link ProxmoxAuthException} for 401/403, {@link NodeUnreachableException} for
     *         595/596, {@link ProxmoxHttpException} otherwise
     */
    static ProxmoxHttpException of(String cluster, Endpoint endpoint, ApiCall call, int status, String reason,
                                   String tokenId) {
        String at = "cluster " + cluster + ": " + endpoint;
        String http = "(HTTP " + status + ": " + reason + ")";
        return switch (status) {
            case 401 -> new ProxmoxAuthException(cluster, endpoint.display(), call.name(), status, reason,
                    at + " rejected token " + tokenId + " for " + call + " " + http
                            + ": check token-id and token-secret (or token-secret-file),"
                            + " and that the token has not expired or been deleted");
            case 403 -> new ProxmoxAuthException(cluster, endpoint.display(), call.name(), status, reason,
                    at + " denied " + call + " to token " + tokenId + " " + http
                            + ": grant the token read access: pveum acl modify / -token '" + tokenId
                            + "' -role PVEAuditor (a privilege-separated token needs the ACL itself,"
                            + " and its user needs the same rights)" + agentHint(call));
            // AnyEvent::HTTP's connect (595) and request/TLS (596) errors when proxying to the node
            case 595, 596 -> new NodeUnreachableException(cluster, endpoint.display(), call.name(), status, reason,
                    at + " could not reach the node for " + call + " " + http
                            + ": the node is down or cut off from " + endpoint);
            default -> new ProxmoxHttpException(cluster, endpoint.display(), call.name(), status, reason,
                    at + " answered " + call + " with HTTP " + status + ": " + reason);
        };
    }

    /** PVE 8 guards the agent behind VM.Monitor, an admin privilege PVEAuditor lacks (PROXMOX-API.md 1.4). */
    private static String agentHint(ApiCall call) {
        if (!call.name().startsWith(AGENT_CALL_PREFIX)) {
            return "";
        }
        return "; on PVE 8 the guest agent also needs VM.Monitor, which PVEAuditor lacks:"
                + " pveum role add PvesyncRO --privs \"VM.Audit VM.Monitor Sys.Audit Pool.Audit\""
                + " and grant that role instead (on PVE 9 PVEAuditor's VM.GuestAgent.Audit suffices)";
    }
}
