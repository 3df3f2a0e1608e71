package io.pvesync.sync;

import com.fasterxml.jackson.databind.JsonNode;
import io.pvesync.inventory.NodeState;
import io.pvesync.inventory.Snapshot;
import io.pvesync.proxmox.ApiCall;
import io.pvesync.proxmox.ProxmoxApi;
import io.pvesync.proxmox.ProxmoxAuthException;
import io.pvesync.proxmox.ProxmoxDataException;
import io.pvesync.proxmox.ProxmoxException;
import io.pvesync.proxmox.ProxmoxHttpException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refuses a listing from a node that lost quorum (DESIGN.md 3.11). Such a node still answers 200,
 * from its own pmxcfs, showing every peer it cannot reach as offline: every guest there would be
 * held, pass after pass, while the rest of the cluster runs on. So when a listing shows nodes that
 * are not online, the endpoint that gave it is asked ({@code GET /cluster/status}, one more
 * request, only then) whether it is quorate; a non-quorate endpoint is a failed endpoint and the
 * next one is tried. A listing with every node online needs no question: a node without quorum
 * sees at most half of them.
 */
final class QuorumCheck implements ProxmoxApi.AnswerCheck<Snapshot> {
    private static final Logger log = LoggerFactory.getLogger(QuorumCheck.class);

    private final String cluster;
    /** Whether the missing Sys.Audit was logged already: said once, not every pass. */
    private volatile boolean refusedLogged;

    QuorumCheck(String cluster) {
        this.cluster = cluster;
    }

    @Override
    public Optional<String> reject(Snapshot listing, ProxmoxApi sameEndpoint) throws ProxmoxException {
        List<String> notOnline = listing.nodes().entrySet().stream()
                .filter(e -> e.getValue() != NodeState.ONLINE)
                .map(Map.Entry::getKey)
                .sorted()
                .toList();
        if (notOnline.isEmpty()) {
            return Optional.empty();
        }
        JsonNode status;
        try {
            status = sameEndpoint.get(ApiCall.clusterStatus());
        } catch (ProxmoxHttpException | ProxmoxDataException e) {
            // it answered, but not the question: believe the listing (as before this check) and say so
            // once; only an endpoint that stops answering (a transport failure) is a failed one
            if (!refusedLogged) {
                refusedLogged = true;
                log.warn("cluster={} - cannot ask whether the endpoint is quorate ({}); a node that lost quorum"
                        + " would be believed{}", cluster, e.getMessage(), e instanceof ProxmoxAuthException
                        ? ": grant the token Sys.Audit on / (role PVEAuditor)" : "");
            }
            return Optional.empty();
        }
        for (JsonNode entry : status) {
            if ("cluster".equals(entry.path("type").asText()) && Boolean.FALSE.equals(quorate(entry.get("quorate")))) {
                return Optional.of("it is not quorate (it shows " + notOnline.size() + " of " + listing.nodes().size()
                        + " nodes offline: " + String.join(", ", notOnline) + "), so its view of the cluster cannot"
                        + " be trusted; check corosync on it (pvecm status)");
            }
        }
        return Optional.empty(); // quorate, or a single node without a cluster: its offline nodes are real
    }

    /** Perl's 0/1, sometimes a string; anything else is not an answer. */
    private static Boolean quorate(JsonNode value) {
        if (value == null || value.isNull()) {
            return null;
        }
        String text = value.asText();
        return "1".equals(text) ? Boolean.TRUE : "0".equals(text) ? Boolean.FALSE : null;
    }
}
