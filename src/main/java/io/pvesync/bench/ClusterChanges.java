package io.pvesync.bench;

import io.pvesync.inventory.StatusMapping;
import io.pvesync.sim.ProxmoxSimulator;
import io.pvesync.sim.SimVm;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * The changes the benchmark makes to the simulated cluster between passes, and what the changed
 * rows must show once a pass has written them (computed from the simulator's own view of each
 * guest after the change, not from anything pvesync says).
 */
final class ClusterChanges {
    private final ProxmoxSimulator sim;
    private final Random random;

    ClusterChanges(ProxmoxSimulator sim, Random random) {
        this.sim = sim;
        this.random = random;
    }

    /** What a changed VM's row must show: the values the listing carries. */
    record Expected(int vmid, String status, String name, String node, int cores, int memoryMb) {
    }

    /** The VMs one change touched, by kind of change, and what their rows must show. */
    record Changed(Map<String, Integer> kinds, List<Expected> rows) {
    }

    /** Changes {@code share} of the VMs the way a busy cluster does: start/stop, resize, rename, migrate. */
    Changed change(double share) {
        List<SimVm> all = new ArrayList<>(sim.vms());
        Collections.shuffle(all, random);
        int count = (int) Math.round(share * all.size());
        Map<String, Integer> kinds = new TreeMap<>();
        List<Integer> changed = new ArrayList<>();
        int nodes = sim.nodes().size();
        for (SimVm vm : all.subList(0, count)) {
            int dice = random.nextInt(20);
            String kind;
            if (dice < 8) {
                toggle(vm);
                kind = "start/stop";
            } else if (dice < 14) {
                sim.resize(vm.vmid(), vm.cores() % 8 + 1, vm.memoryMb() + 1024, vm.diskGb() + 8);
                kind = "resize";
            } else if (dice < 17) {
                sim.rename(vm.vmid(), "renamed-" + vm.vmid() + "-" + random.nextInt(1000));
                kind = "rename";
            } else {
                String to = sim.nodes().get(random.nextInt(nodes));
                if (to.equals(vm.node())) {
                    to = sim.nodes().get((sim.nodes().indexOf(to) + 1) % nodes);
                }
                sim.migrate(vm.vmid(), to);
                kind = "migrate";
            }
            kinds.merge(kind, 1, Integer::sum);
            changed.add(vm.vmid());
        }
        return new Changed(kinds, expected(changed));
    }

    /** Starts a stopped VM or stops a running one, picked at random: the smallest change a poll sees. */
    Changed changeOne() {
        List<SimVm> all = sim.vms();
        SimVm vm = all.get(random.nextInt(all.size()));
        toggle(vm);
        return new Changed(Map.of("start/stop", 1), expected(List.of(vm.vmid())));
    }

    /** Deletes {@code share} of the VMs; returns how many. */
    int vanish(double share) {
        List<SimVm> all = new ArrayList<>(sim.vms());
        Collections.shuffle(all, random);
        int count = (int) Math.round(share * all.size());
        all.subList(0, count).forEach(vm -> sim.delete(vm.vmid()));
        return count;
    }

    private void toggle(SimVm vm) {
        if ("running".equals(vm.status())) {
            sim.stop(vm.vmid());
        } else {
            sim.start(vm.vmid());
        }
    }

    private List<Expected> expected(List<Integer> vmids) {
        List<Expected> out = new ArrayList<>(vmids.size());
        for (int vmid : vmids) {
            SimVm vm = sim.vm(vmid).orElseThrow(() -> new IllegalStateException("VM " + vmid
                    + " vanished from the simulator right after the benchmark changed it"));
            out.add(new Expected(vmid, StatusMapping.of(vm.status(), vm.lock()).column(), vm.name(), vm.node(),
                    vm.cores(), vm.memoryMb()));
        }
        return out;
    }
}
