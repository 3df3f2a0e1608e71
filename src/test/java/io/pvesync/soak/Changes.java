package io.pvesync.soak;

import io.pvesync.sim.AgentState;
import io.pvesync.sim.Backup;
import io.pvesync.sim.ProxmoxSimulator;
import io.pvesync.sim.SimVm;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Predicate;

/**
 * What happens to one simulated cluster during a soak: mostly the simulator's own plausible steps
 * (create, start, stop, migrate, delete, rename, resize, and now and then a clone of a template, a
 * clone into a destroyed guest's VMID, a VMID reused under the same name and status, a backup, a
 * restore), and in one change of five what those seldom or never do: pause, hibernate, a VMID
 * deleted and reused at once, an agent that stops or starts answering, a QEMU error state, and
 * more of the lifecycle changes that put a guest's identity in question: clones of a template
 * into fresh or reused VMIDs, restores of a guest's own earlier backup (QEMU and LXC), same-name
 * reuses, and reuses whose tasks a flood of filler tasks pushes out of the node's list at once
 * (the daemon can then tell the newcomer only by its name or status, DESIGN.md 3.1). Clones and
 * restores started here end one to three changes later. Like the simulator's steps, these only
 * touch guests on online nodes.
 */
final class Changes {
    private static final String[] ERROR_STATES = {"io-error", "internal-error", "guest-panicked", "prelaunch"};

    private record Saved(Backup backup, String marker) {
    }

    private final ProxmoxSimulator sim;
    private final FaultInjector faults;
    private final Tally applied = new Tally();
    /** Clones and restores started here and not finished: VMID to the changes left. */
    private final Map<Integer, Integer> unfinished = new LinkedHashMap<>();
    private final Map<Integer, Saved> backups = new HashMap<>();

    Changes(ProxmoxSimulator sim, FaultInjector faults) {
        this.sim = sim;
        this.faults = faults;
    }

    /** Applies one change; returns what it did. */
    String applyOne(Random r) {
        String ended = finishOneDue();
        if (ended != null) {
            return ended;
        }
        if (r.nextInt(100) < 20) {
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
        switch (r.nextInt(10)) {
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
            case 4 -> {
                SimVm vm = pick(r, v -> v.kind() == SimVm.Kind.QEMU && "running".equals(v.status()));
                if (vm != null) {
                    String word = ERROR_STATES[r.nextInt(ERROR_STATES.length)];
                    sim.setStatus(vm.vmid(), word);
                    return done("status", vm) + " " + word;
                }
            }
            case 5 -> {
                SimVm vm = pick(r, v -> true);
                if (vm != null) {
                    sim.reuseVmidKeepingNameAndStatus(vm.vmid());
                    return done("lookalike", vm);
                }
            }
            case 6 -> {
                // the same, and the node's list loses the destroy and create at once: unseen until a full pass
                SimVm vm = pick(r, v -> true);
                if (vm != null) {
                    sim.reuseVmidKeepingNameAndStatus(vm.vmid());
                    faults.noise(vm.node(), r);
                    return done("lookalike+noise", vm);
                }
            }
            case 7 -> {
                // another name: the daemon must read the marker although the list no longer shows the tasks
                SimVm vm = pick(r, v -> true);
                if (vm != null) {
                    sim.reuseVmid(vm.vmid());
                    faults.noise(vm.node(), r);
                    return done("reuse+noise", vm);
                }
            }
            case 8 -> {
                return clone(r);
            }
            default -> {
                return backupOrRestore(r);
            }
        }
        return null;
    }

    /** A clone of a template, into the next free VMID or (the hoster's way) into a guest's it destroys first. */
    private String clone(Random r) {
        List<Integer> busy = sim.inProgress();
        List<SimVm> templates = sim.vms().stream().filter(v -> v.template() && v.kind() == SimVm.Kind.QEMU
                && !faults.isOffline(v.node()) && !busy.contains(v.vmid())).toList();
        if (templates.isEmpty()) {
            return null;
        }
        SimVm template = templates.get(r.nextInt(templates.size()));
        SimVm victim = r.nextBoolean() ? pick(r, v -> true) : null;
        int target;
        if (victim != null) {
            target = victim.vmid();
            sim.delete(target);
        } else {
            target = lowestFree();
        }
        sim.cloneStart(template.vmid(), target, "clone-" + target);
        unfinished.put(target, 1 + r.nextInt(3));
        String kind = victim != null ? "clone-reuse" : "clone";
        applied.add(kind);
        return kind + " vmid=" + template.vmid() + " to " + target;
    }

    /** The lowest unused VMID from 100, as {@code /cluster/nextid} hands it out. */
    private int lowestFree() {
        List<Integer> used = sim.vms().stream().map(SimVm::vmid).toList();
        int vmid = 100;
        while (used.contains(vmid)) {
            vmid++;
        }
        return vmid;
    }

    /** A restore of a guest's own earlier backup over it (stopped first), else a backup to restore later. */
    private String backupOrRestore(Random r) {
        List<Integer> busy = sim.inProgress();
        List<SimVm> restorable = sim.vms().stream().filter(v -> !v.template() && !busy.contains(v.vmid())
                && !faults.isOffline(v.node()) && backups.containsKey(v.vmid())
                && backups.get(v.vmid()).marker().equals(v.marker())).toList();
        if (!restorable.isEmpty() && r.nextInt(4) != 0) {
            SimVm vm = restorable.get(r.nextInt(restorable.size()));
            Saved saved = backups.remove(vm.vmid());
            if (!"stopped".equals(vm.status())) {
                sim.stop(vm.vmid());
            }
            sim.restoreStart(vm.vmid(), saved.backup());
            unfinished.put(vm.vmid(), 1 + r.nextInt(3));
            return done("restore", vm) + " from " + saved.backup().volid();
        }
        SimVm vm = pick(r, v -> true);
        if (vm == null) {
            return null;
        }
        backups.put(vm.vmid(), new Saved(sim.backup(vm.vmid()), vm.marker()));
        return done("backup", vm);
    }

    /** Counts the clones and restores started here down a change; ends the first that is due and whose node is up. */
    private String finishOneDue() {
        unfinished.replaceAll((vmid, left) -> left - 1);
        for (Iterator<Map.Entry<Integer, Integer>> it = unfinished.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Integer, Integer> e = it.next();
            int vmid = e.getKey();
            SimVm vm = sim.vm(vmid).orElse(null);
            if (e.getValue() > 0 || vm == null || faults.isOffline(vm.node())) {
                continue;
            }
            it.remove();
            return finish(vmid);
        }
        return null;
    }

    /**
     * Ends every clone and restore still running, the simulator's own included, so that every guest
     * has its whole config (and its marker) before the final comparison.
     *
     * @return how many were ended
     */
    int finishAll() {
        int ended = 0;
        for (int vmid : sim.inProgress()) {
            try {
                sim.cloneFinish(vmid);
            } catch (IllegalStateException notAClone) {
                sim.restoreFinish(vmid);
            }
            ended++;
        }
        unfinished.clear();
        return ended;
    }

    private String finish(int vmid) {
        try {
            sim.cloneFinish(vmid);
            applied.add("clone-finish");
            return "clone-finish vmid=" + vmid;
        } catch (IllegalStateException notAClone) {
            sim.restoreFinish(vmid);
            applied.add("restore-finish");
            return "restore-finish vmid=" + vmid;
        }
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
