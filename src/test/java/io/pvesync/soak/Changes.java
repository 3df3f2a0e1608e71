package io.pvesync.soak;

import io.pvesync.sim.AgentState;
import io.pvesync.sim.ProxmoxSimulator;
import io.pvesync.sim.SimVm;
import java.util.List;
import java.util.Random;
import java.util.function.Predicate;

/**
 * What happens to the simulated cluster during a soak: mostly the simulator's own plausible steps
 * (create, start, stop, migrate, delete, rename, resize), and now and then what those never do:
 * pause, hibernate, a VMID deleted and reused at once, an agent that stops or starts answering, a
 * QEMU error state. Like the simulator's steps, these only touch guests on online nodes.
 */
final class Changes {
    private static final String[] ERROR_STATES = {"io-error", "internal-error", "guest-panicked", "prelaunch"};

    private final ProxmoxSimulator sim;
    private final FaultInjector faults;
    private final Tally applied = new Tally();

    Changes(ProxmoxSimulator sim, FaultInjector faults) {
        this.sim = sim;
        this.faults = faults;
    }

    /** Applies one change; returns what it did. */
    String applyOne(Random r) {
        if (r.nextInt(100) < 15) {
            String done = special(r);
            if (done != null) {
                return done;
            }
        }
        String step = sim.randomStep(r);
        applied.add(step.split("[ :]")[0]);
        return step;
    }

    private String special(Random r) {
        switch (r.nextInt(5)) {
            case 0 -> {
                SimVm vm = pick(r, v -> v.kind() == SimVm.Kind.QEMU && "running".equals(v.status()));
                if (vm != null) {
                    sim.pause(vm.vmid());
                    return done("pause", vm);
                }
            }
            case 1 -> {
                SimVm vm = pick(r, v -> v.kind() == SimVm.Kind.QEMU && !"stopped".equals(v.status()));
                if (vm != null) {
                    sim.hibernate(vm.vmid());
                    return done("hibernate", vm);
                }
            }
            case 2 -> {
                SimVm vm = pick(r, v -> true);
                if (vm != null) {
                    sim.reuseVmid(vm.vmid());
                    return done("reuse", vm);
                }
            }
            case 3 -> {
                SimVm vm = pick(r, v -> v.kind() == SimVm.Kind.QEMU);
                if (vm != null) {
                    AgentState[] states = AgentState.values();
                    AgentState agent = states[r.nextInt(states.length)];
                    sim.setAgent(vm.vmid(), agent);
                    return done("agent", vm) + " " + agent;
                }
            }
            default -> {
                SimVm vm = pick(r, v -> v.kind() == SimVm.Kind.QEMU && "running".equals(v.status()));
                if (vm != null) {
                    String word = ERROR_STATES[r.nextInt(ERROR_STATES.length)];
                    sim.setStatus(vm.vmid(), word);
                    return done("status", vm) + " " + word;
                }
            }
        }
        return null;
    }

    private SimVm pick(Random r, Predicate<SimVm> which) {
        List<Integer> busy = sim.inProgress(); // a clone or restore holds the guest's config lock
        List<SimVm> candidates = sim.vms().stream()
                .filter(v -> !v.template() && !faults.isOffline(v.node()) && !busy.contains(v.vmid()) && which.test(v))
                .toList();
        return candidates.isEmpty() ? null : candidates.get(r.nextInt(candidates.size()));
    }

    private String done(String kind, SimVm vm) {
        applied.add(kind);
        return kind + " vmid=" + vm.vmid();
    }

    Tally applied() {
        return applied;
    }
}
