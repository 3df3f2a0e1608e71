package io.pvesync.sync;

import io.pvesync.inventory.NodeState;
import io.pvesync.inventory.Snapshot;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs a node's change of state once (offline, back online, gone), not on every poll. The first
 * listing only reports nodes that are not online.
 */
final class NodeWatch {
    private static final Logger log = LoggerFactory.getLogger(NodeWatch.class);

    private final String cluster;
    private Map<String, NodeState> previous;

    NodeWatch(String cluster) {
        this.cluster = cluster;
    }

    void observe(Snapshot snapshot) {
        Map<String, NodeState> now = snapshot.nodes();
        for (Map.Entry<String, NodeState> e : now.entrySet()) {
            NodeState before = previous == null ? null : previous.get(e.getKey());
            if (e.getValue() == before) {
                continue;
            }
            if (e.getValue() == NodeState.ONLINE) {
                if (before != null) {
                    log.info("cluster={} node={} - node is online again; its guests sync again", cluster, e.getKey());
                }
            } else {
                long guests = snapshot.held().values().stream().filter(e.getKey()::equals).count();
                log.warn("cluster={} node={} - node is {}: its {} guest(s) keep their rows as they are until it"
                        + " returns (check the node and corosync: pvecm status)", cluster, e.getKey(),
                        e.getValue().name().toLowerCase(java.util.Locale.ROOT), guests);
            }
        }
        if (previous != null) {
            for (String gone : previous.keySet()) {
                if (!now.containsKey(gone)) {
                    log.info("cluster={} node={} - node no longer in the cluster; guests still listed on it are"
                            + " marked missing", cluster, gone);
                }
            }
        }
        previous = new HashMap<>(now);
    }
}
