package io.pvesync.sim;

import java.lang.reflect.Field;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * What a running simulator's task lists hold right now, read straight from its memory (not over
 * HTTP, so neither a fault nor a slow answer changes what a soak learns, and no request is
 * counted): the soak uses it to tell whether a VMID's lifecycle tasks were still listed when the
 * daemon polled, or had been pushed out of their node's list before it could (DESIGN.md 3.1).
 */
public final class TaskProbe {

    /** DESIGN.md 3.1: the task types after which a VMID may name another guest. */
    private static final Set<String> LIFECYCLE = Set.of("qmcreate", "qmdestroy", "qmrestore", "vzcreate",
            "vzdestroy", "vzrestore");

    private static final Field CLUSTER;

    static {
        try {
            CLUSTER = ProxmoxSimulator.class.getDeclaredField("cluster");
            CLUSTER.setAccessible(true);
        } catch (NoSuchFieldException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private TaskProbe() {
    }

    /**
     * The creation numbers of the destroy, create and restore tasks of {@code vmid} that some
     * node's list, as {@code GET /cluster/tasks} would show it now, still holds. The numbers count
     * every task of the simulator in order, so they also tell which came after a moment.
     */
    public static Set<Long> lifecycleTasks(ProxmoxSimulator sim, int vmid) {
        SimCluster cluster = cluster(sim);
        String id = Integer.toString(vmid);
        Set<Long> seqs = new HashSet<>();
        for (SimNode node : cluster.nodes()) {
            for (Task task : cluster.tasks().broadcast(node.name())) {
                if (LIFECYCLE.contains(task.type()) && id.equals(task.id())) {
                    seqs.add(task.seq());
                }
            }
        }
        return seqs;
    }

    /** {@link #lifecycleTasks(ProxmoxSimulator, int)} of every VMID that has any, by VMID. */
    public static Map<Integer, Set<Long>> lifecycleTasks(ProxmoxSimulator sim) {
        SimCluster cluster = cluster(sim);
        Map<Integer, Set<Long>> byVmid = new HashMap<>();
        for (SimNode node : cluster.nodes()) {
            for (Task task : cluster.tasks().broadcast(node.name())) {
                if (LIFECYCLE.contains(task.type()) && task.id().matches("[0-9]+")) {
                    byVmid.computeIfAbsent(Integer.parseInt(task.id()), v -> new HashSet<>()).add(task.seq());
                }
            }
        }
        return byVmid;
    }

    /** The creation number of the newest task any node lists now (0 for none): a moment in task order. */
    public static long newest(ProxmoxSimulator sim) {
        SimCluster cluster = cluster(sim);
        long newest = 0;
        for (SimNode node : cluster.nodes()) {
            for (Task task : cluster.tasks().broadcast(node.name())) {
                newest = Math.max(newest, task.seq());
            }
        }
        return newest;
    }

    private static SimCluster cluster(ProxmoxSimulator sim) {
        try {
            return (SimCluster) CLUSTER.get(sim);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }
}
