package io.pvesync.store;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The nodes of the other configured clusters, as their last listings showed them (kept in
 * {@code pvesync.cluster_nodes} by every pass, so every instance and {@code pvesync sync} know
 * them). An application row names a node, not a cluster; it belongs provably to this cluster
 * only when its node is a node of this cluster and of no other (DESIGN.md 3.10): two clusters may
 * both have a {@code pve1}.
 *
 * @param names the other configured clusters
 * @param nodes the recorded nodes of those of them that have been listed, by cluster
 */
record OtherClusters(Set<String> names, Map<String, Set<String>> nodes) {

    OtherClusters {
        names = Set.copyOf(names);
        nodes = Map.copyOf(nodes);
    }

    /**
     * Why a row on {@code node} cannot be proven to be this cluster's, or empty when it can.
     *
     * @param thisCluster the cluster of the pass
     * @param thisNodes   the nodes this pass's listing named
     */
    Optional<String> whyNotProvable(String node, String thisCluster, Set<String> thisNodes) {
        if (names.isEmpty()) {
            return Optional.empty(); // the only configured cluster: a VMID is enough
        }
        if (node == null) {
            return Optional.of("it has no proxmox_node and several clusters are configured");
        }
        if (!thisNodes.contains(node)) {
            return Optional.of("its node " + node + " is not a node of cluster " + thisCluster);
        }
        Set<String> alsoThere = new TreeSet<>();
        Set<String> unlisted = new TreeSet<>();
        for (String other : names) {
            Set<String> theirs = nodes.get(other);
            if (theirs == null) {
                unlisted.add(other);
            } else if (theirs.contains(node)) {
                alsoThere.add(other);
            }
        }
        if (!alsoThere.isEmpty()) {
            return Optional.of("its node " + node + " is a node of cluster " + thisCluster + " and of "
                    + String.join(", ", alsoThere) + ", so which cluster's VM it means is ambiguous");
        }
        if (!unlisted.isEmpty()) {
            return Optional.of("cluster " + String.join(", ", unlisted) + " has not been listed yet, so it may have a"
                    + " node " + node + " too");
        }
        return Optional.empty();
    }
}
