package io.pvesync.inventory;

import java.util.Map;
import java.util.Set;

/**
 * What one pass's task list showed, per node: the tasks (by UPID) and the start of the newest, in
 * that node's own clock. A later list's task is new when the mark does not have its UPID: no
 * clock is compared with another, neither pvesync's with a node's nor two nodes' with each other.
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
     * @param upids  every task the list showed for the node
     */
    public record NodeMark(long newest, Set<String> upids) {
        public NodeMark {
            upids = Set.copyOf(upids);
        }
    }

    /** Whether a task of {@code node} is new since this mark. */
    boolean isNew(String node, String upid) {
        NodeMark mark = nodes.get(node);
        return mark == null || !mark.upids().contains(upid);
    }
}
