package io.pvesync.store;

import io.pvesync.inventory.NodeState;
import io.pvesync.inventory.ObservedVm;
import io.pvesync.inventory.Snapshot;
import io.pvesync.inventory.VmKind;
import io.pvesync.inventory.VmStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Builds snapshots for tests: nodes of listed VMs are online unless said otherwise. */
final class Snap {
    private final String cluster;
    private final List<ObservedVm> vms = new ArrayList<>();
    private final Map<String, NodeState> nodes = new HashMap<>();
    private final Map<Integer, String> held = new HashMap<>();

    private Snap(String cluster) {
        this.cluster = cluster;
    }

    static Snap of(String cluster) {
        return new Snap(cluster);
    }

    /** A running QEMU VM with 2 cores, 2048 MB, 32 GB; address and incarnation unknown. */
    static ObservedVm vm(int vmid, String node, String name) {
        return new ObservedVm(vmid, VmKind.QEMU, node, name, VmStatus.RUNNING, 2, 2048, 32, null, null);
    }

    static ObservedVm vm(int vmid, String node, String name, VmStatus status, Integer cores, Integer memoryMb,
            Integer diskGb, String ip, String incarnation) {
        return new ObservedVm(vmid, VmKind.QEMU, node, name, status, cores, memoryMb, diskGb, ip, incarnation);
    }

    Snap vm(ObservedVm vm) {
        vms.add(vm);
        nodes.putIfAbsent(vm.node(), NodeState.ONLINE);
        return this;
    }

    Snap vms(List<ObservedVm> list) {
        list.forEach(this::vm);
        return this;
    }

    Snap node(String name, NodeState state) {
        nodes.put(name, state);
        return this;
    }

    Snap held(int vmid, String node) {
        held.put(vmid, node);
        nodes.putIfAbsent(node, NodeState.OFFLINE);
        return this;
    }

    Snapshot build() {
        return new Snapshot(cluster, Instant.parse("2026-01-01T00:00:00Z"), vms, nodes, held, 0);
    }
}
