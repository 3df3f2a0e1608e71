package io.pvesync.inventory;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * What {@code GET /cluster/tasks} tells about the VMIDs' lifecycles (DESIGN.md 3.1, PROXMOX-API.md
 * §11): which VMIDs were destroyed, created or restored since an earlier pass ({@link TaskMark}),
 * and whether the list reaches back far enough to vouch that nothing else happened.
 *
 * <p>Each node broadcasts its own list: every running task, then its newest finished ones by start
 * time, 25 entries in all (pve-common {@code PVE::RESTEnvironment::active_workers}), cut further to
 * 32 KB by dropping the last (pve-cluster {@code PVE::Cluster::broadcast_tasklist}). So a busy
 * node's list reaches back less far, and only as far as its oldest finished task: a long-running
 * task says nothing about what finished before it. A node vouches for the time since an earlier
 * pass ({@link TaskMark}) only when it is online and still lists a finished task that pass saw:
 * every task that started after that one is then in the list, as long as the node's clock did not
 * go back (a new task that started before the earlier pass's newest is taken for that, and the
 * node vouches for nothing). A node that shows no finished task (an empty list, or a token
 * without {@code Sys.Audit}, which sees no task at all), or that the earlier pass saw nothing
 * from, vouches for nothing. A guest whose lifecycle task still runs is held
 * (io.pvesync.details.IdentityCheck), so no row is confirmed mid-lifecycle.
 *
 * <p>Tasks are told new or old by their UPIDs; no clock is compared with another.
 */
public final class TaskWindow {

    /**
     * The task types after which a VMID may name another VM (qemu-server and pve-container
     * fork_worker calls). A clone's task carries the SOURCE vmid, so it is not among these for its
     * target: a clone into a used VMID needs that VMID's destroy first, and the destroy carries the
     * target.
     */
    static final Set<String> LIFECYCLE = Set.of("qmcreate", "qmdestroy", "qmrestore", "vzcreate", "vzdestroy",
            "vzrestore");

    /** One task entry as far as this class needs it; {@code end} is null while the task runs. */
    record Task(String upid, String node, String type, String id, long start, Long end) {
    }

    private final boolean readable;
    private final String unreadable;
    private final Map<Integer, List<Task>> lifecycle = new HashMap<>();
    private final Map<String, List<Task>> byNode = new HashMap<>();
    private final Map<String, Long> newest = new HashMap<>();

    private TaskWindow(boolean readable, String unreadable) {
        this.readable = readable;
        this.unreadable = unreadable;
    }

    /** A window that vouches for nothing: the task list could not be read (why, for the log). */
    public static TaskWindow unreadable(String reason) {
        return new TaskWindow(false, reason);
    }

    /**
     * Reads the {@code data} of a {@code /cluster/tasks} answer. Entries it cannot read (no node,
     * no start time) are left out: one that was a lifecycle task is missed, as one past the list's
     * cut would be.
     */
    public static TaskWindow of(JsonNode data) {
        if (data == null || !data.isArray()) {
            return unreadable("the task list is not a list");
        }
        TaskWindow window = new TaskWindow(true, null);
        for (JsonNode entry : data) {
            window.add(entry);
        }
        return window;
    }

    private void add(JsonNode entry) {
        Task task;
        try {
            String node = Lenient.text(entry, "node").orElse(null);
            OptionalLong start = Lenient.integer(entry, "starttime");
            if (node == null || start.isEmpty()) {
                return;
            }
            OptionalLong end = Lenient.integer(entry, "endtime");
            task = new Task(Lenient.text(entry, "upid").orElse(""), node, Lenient.text(entry, "type").orElse(""),
                    idOf(entry), start.getAsLong(), end.isPresent() ? end.getAsLong() : null);
        } catch (BadFieldException unreadableEntry) {
            return;
        }
        byNode.computeIfAbsent(task.node(), n -> new ArrayList<>()).add(task);
        newest.merge(task.node(), task.start(), Math::max);
        if (LIFECYCLE.contains(task.type())) {
            vmid(task.id()).ifPresent(vmid -> lifecycle.computeIfAbsent(vmid, v -> new ArrayList<>()).add(task));
        }
    }

    /** {@code id} is a string on the wire; tolerate a number too. */
    private static String idOf(JsonNode entry) {
        JsonNode id = entry.get("id");
        return id == null || id.isNull() ? "" : id.asText();
    }

    private static Optional<Integer> vmid(String id) {
        if (id.isEmpty() || id.length() > 9 || !id.chars().allMatch(Character::isDigit)) {
            return Optional.empty();
        }
        return Optional.of(Integer.parseInt(id));
    }

    /** Whether the task list was read at all. */
    public boolean readable() {
        return readable;
    }

    /** How far this list went, to compare the next pass's list with. */
    public TaskMark mark() {
        Map<String, TaskMark.NodeMark> nodes = new TreeMap<>();
        byNode.forEach((node, tasks) -> {
            Set<String> upids = new HashSet<>();
            tasks.forEach(t -> upids.add(t.upid()));
            nodes.put(node, new TaskMark.NodeMark(newest.get(node), upids));
        });
        return new TaskMark(nodes);
    }

    /**
     * The destroy, create or restore task of {@code vmid} that still runs or started after
     * {@code since}, described for a log line; empty when none shows.
     */
    public Optional<String> lifecycle(int vmid, TaskMark since) {
        return lifecycle(vmid, since, null);
    }

    /**
     * As {@link #lifecycle(int, TaskMark)}, leaving out finished tasks that started at or before
     * {@code ignoreUpTo} (epoch seconds), when given: tasks known to predate the row's VM.
     */
    public Optional<String> lifecycle(int vmid, TaskMark since, Long ignoreUpTo) {
        return relevant(vmid, since, ignoreUpTo).findFirst().map(TaskWindow::describe);
    }

    /**
     * Whether a destroy of {@code vmid} is among {@link #lifecycle}'s tasks: a VMID takes another
     * VM only after its VM was destroyed, except through a restore over it.
     */
    public boolean destroyed(int vmid, TaskMark since, Long ignoreUpTo) {
        // a restore over a VMID (--force) destroys the VM there inside its own task
        return relevant(vmid, since, ignoreUpTo).anyMatch(t -> t.type().endsWith("destroy")
                || t.type().endsWith("restore"));
    }

    private Stream<Task> relevant(int vmid, TaskMark since, Long ignoreUpTo) {
        return lifecycle.getOrDefault(vmid, List.of()).stream().filter(task -> {
            boolean predates = ignoreUpTo != null && task.end() != null && task.start() <= ignoreUpTo;
            return !predates && (task.end() == null || since.isNew(task.node(), task.upid()));
        });
    }

    /**
     * The destroy, create or restore task of {@code vmid} that still runs, described; empty when
     * none. A VMA restore rewrites the config without any lock while it extracts (qemu-server
     * {@code restore_vma_archive}), so the listing alone would show a half-restored guest.
     */
    public Optional<String> stillRunning(int vmid, Map<String, NodeState> nodes) {
        // an offline node's list is its last broadcast: a task "running" there may long be over
        return lifecycle.getOrDefault(vmid, List.of()).stream()
                .filter(t -> t.end() == null && nodes.get(t.node()) == NodeState.ONLINE).findFirst()
                .map(TaskWindow::describe);
    }

    private static String describe(Task task) {
        return "task " + task.type() + " of VMID " + task.id() + " on node " + task.node()
                + (task.end() == null ? " still running" : " (" + task.upid() + ")");
    }

    /**
     * Why the list cannot vouch that it shows every lifecycle task since {@code since} on every
     * node of the cluster, or empty when it can.
     *
     * @param nodes every node the listing named, with its state
     */
    public Optional<String> gap(TaskMark since, Map<String, NodeState> nodes) {
        if (!readable) {
            return Optional.of("the task list could not be read (" + unreadable + ")");
        }
        for (Map.Entry<String, NodeState> node : new TreeMap<>(nodes).entrySet()) {
            String name = node.getKey();
            if (node.getValue() != NodeState.ONLINE) {
                return Optional.of("node " + name + " is not online");
            }
            TaskMark.NodeMark then = since.nodes().get(name);
            if (then == null) {
                return Optional.of("no earlier task list of node " + name + " to compare with");
            }
            List<Task> tasks = byNode.getOrDefault(name, List.of());
            if (tasks.stream().noneMatch(t -> t.end() != null)) {
                return Optional.of("the task list shows " + (tasks.isEmpty() ? "nothing" : "no finished task")
                        + " from node " + name);
            }
            if (tasks.stream().anyMatch(t -> !then.upids().contains(t.upid()) && t.start() < then.newest())) {
                return Optional.of("node " + name + " shows a new task that started before the previous pass's"
                        + " newest (its clock went back?)");
            }
            if (tasks.stream().noneMatch(t -> t.end() != null && then.upids().contains(t.upid()))) {
                return Optional.of("node " + name + "'s task list no longer reaches back to the previous pass");
            }
        }
        return Optional.empty();
    }
}
