package io.pvesync.inventory;

import java.util.Map;
import java.util.Set;

/**
 * How far one pass's task list went, per node, in that node's own clock: the start of the newest
 * task it showed and the tasks that started in that second. A later list's task is new when it
 * started after, or in that second without being among those. Comparing a node's times only with
 * that node's times needs no agreement between pvesync's clock and the Proxmox nodes' clocks.
 *
 * @param nodes per node that showed any task; a node without an entry showed none
 */
public record TaskMark(Map<String, NodeMark> nodes) {

    /** Nothing known: every task is new, and no node can vouch. */
    public static final TaskMark NONE = new TaskMark(Map.of());

    public TaskMark {
        nodes = Map.copyOf(nodes);
    }

    /**
     * @param newest the start (epoch seconds, the node's clock) of its newest task
     * @param upids  the tasks that started in that second
     */
    public record NodeMark(long newest, Set<String> upids) {
        public NodeMark {
            upids = Set.copyOf(upids);
        }
    }

    /** Whether a task of {@code node} started after this mark. */
    boolean isAfter(String node, long start, String upid) {
        NodeMark mark = nodes.get(node);
        if (mark == null) {
            return true;
        }
        return start > mark.newest() || start == mark.newest() && !mark.upids().contains(upid);
    }
}
