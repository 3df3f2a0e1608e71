package io.pvesync.inventory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * What one successful listing of a cluster showed. Immutable.
 *
 * @param cluster the configured cluster name
 * @param takenAt when the listing was read
 * @param vms     guests with usable data, one per VMID
 * @param nodes   every node the listing named, with its state
 * @param held    guests the listing named but whose values cannot be trusted (their node is not
 *                online, Proxmox had no data: {@code status: unknown}, or they cannot be told
 *                apart from another VM under the same VMID, see {@link io.pvesync.details.GuestDetails}), VMID to
 *                node; their rows keep every value and are never marked missing
 * @param skipped entries deliberately not synced: templates, containers when not enabled,
 *                entries that could not be read (each logged with the reason)
 */
public record Snapshot(
        String cluster,
        Instant takenAt,
        List<ObservedVm> vms,
        Map<String, NodeState> nodes,
        Map<Integer, String> held,
        int skipped) {

    public Snapshot {
        vms = List.copyOf(vms);
        nodes = Map.copyOf(nodes);
        held = Map.copyOf(held);
    }

    public boolean isOnline(String node) {
        return nodes.get(node) == NodeState.ONLINE;
    }

    /** Whether the cluster still has a node of that name at all. */
    public boolean hasNode(String node) {
        return nodes.containsKey(node);
    }

    /**
     * A copy in which these VMs are held instead of synced: their rows keep every value this pass
     * and are not taken for vanished.
     */
    public Snapshot holding(Set<Integer> vmids) {
        if (vmids.isEmpty()) {
            return this;
        }
        Map<Integer, String> moreHeld = new LinkedHashMap<>(held);
        List<ObservedVm> synced = new ArrayList<>();
        for (ObservedVm vm : vms) {
            if (vmids.contains(vm.vmid())) {
                moreHeld.put(vm.vmid(), vm.node());
            } else {
                synced.add(vm);
            }
        }
        return new Snapshot(cluster, takenAt, synced, nodes, moreHeld, skipped);
    }

    /** A copy with every VM passed through {@code change}. */
    public Snapshot mapVms(UnaryOperator<ObservedVm> change) {
        return new Snapshot(cluster, takenAt, vms.stream().map(change).toList(), nodes, held, skipped);
    }
}
