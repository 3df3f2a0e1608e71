package io.pvesync.inventory;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * What {@code GET /cluster/tasks} tells about the VMIDs' lifecycles (DESIGN.md 3.1, PROXMOX-API.md
 * §11): which VMIDs were destroyed, created or restored since a moment, and whether the list
 * reaches back far enough to vouch that nothing else happened.
 *
 * <p>Each node broadcasts its own list: every running task, then its newest finished ones by start
 * time, 25 entries in all (pve-common {@code PVE::RESTEnvironment::active_workers}), cut further to
 * 32 KB by dropping the last (pve-cluster {@code PVE::Cluster::broadcast_tasklist}). So a busy
 * node's list reaches back less far, and only as far as its oldest finished task: a long-running
 * task says nothing about what finished before it. The list vouches for an interval only when
 * every node of the listing is online and shows a finished task that started before the interval
 * began: a node that shows none (an empty list, or a token without {@code Sys.Audit}, which sees no
 * task at all) vouches for nothing. A guest whose lifecycle task still runs is held
 * ({@link IdentityCheck}), so its row's interval always begins before that task started.
 *
 * <p>Times are the nodes' clocks, the interval's beginning is pvesync's or the database's: both
 * sides are widened by {@link #CLOCK_SLACK}, which costs at most a marker read too many.
 */
public final class TaskWindow {

    /** Allowed disagreement between the Proxmox nodes' clocks and pvesync's. */
    static final Duration CLOCK_SLACK = Duration.ofSeconds(60);

    /**
     * The task types after which a VMID may name another VM (pve-manager, qemu-server and
     * pve-container fork_worker calls). A clone's task carries the SOURCE vmid, so it is not
     * among these for its target: a clone into a used VMID needs that VMID's destroy first, and
     * the destroy carries the target.
     */
    static final Set<String> LIFECYCLE = Set.of("qmcreate", "qmdestroy", "qmrestore", "vzcreate", "vzdestroy",
            "vzrestore");

    /** One task entry as far as this class needs it; {@code end} is null while the task runs. */
    record Task(String node, String type, String id, long start, Long end, String status) {
    }

    private final boolean readable;
    private final String unreadable;
    private final Map<Integer, List<Task>> lifecycle = new HashMap<>();
    /** Per node, the start of its oldest finished task in the list: every later one is in it. */
    private final Map<String, Long> oldestFinished = new HashMap<>();
    private final Set<String> showing = new HashSet<>();

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
     * no start time) are left out; they can only make a node vouch for less.
     */
    public static TaskWindow of(JsonNode data) {
        TaskWindow window = new TaskWindow(true, null);
        if (data == null || !data.isArray()) {
            return unreadable("the task list is not a list");
        }
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
            task = new Task(node, Lenient.text(entry, "type").orElse(""), idOf(entry), start.getAsLong(),
                    end.isPresent() ? end.getAsLong() : null, Lenient.text(entry, "status").orElse(null));
        } catch (BadFieldException unreadableEntry) {
            return;
        }
        showing.add(task.node());
        if (task.end() != null) {
            oldestFinished.merge(task.node(), task.start(), Math::min);
        }
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

    /**
     * The destroy, create or restore task of {@code vmid} that ran at or after {@code since}
     * (or still runs), described for a log line; empty when none shows. With {@code since} null
     * every such task in the list counts.
     */
    public Optional<String> lifecycle(int vmid, Instant since) {
        long from = since == null ? Long.MIN_VALUE : since.minus(CLOCK_SLACK).getEpochSecond();
        for (Task task : lifecycle.getOrDefault(vmid, List.of())) {
            if (task.end() == null || task.end() >= from || task.start() >= from) {
                return Optional.of("task " + task.type() + " of VMID " + vmid + " on node " + task.node()
                        + (task.end() == null ? " still running" : " at " + Instant.ofEpochSecond(task.start())));
            }
        }
        return Optional.empty();
    }

    /**
     * The destroy, create or restore task of {@code vmid} that still runs, described; empty when
     * none. A VMA restore rewrites the config without any lock while it extracts (qemu-server
     * {@code restore_vma_archive}), so the listing alone would show a half-restored guest.
     */
    public Optional<String> stillRunning(int vmid) {
        for (Task task : lifecycle.getOrDefault(vmid, List.of())) {
            if (task.end() == null) {
                return Optional.of("task " + task.type() + " of VMID " + vmid + " on node " + task.node()
                        + " still running");
            }
        }
        return Optional.empty();
    }

    /**
     * Why the list cannot vouch that it shows every lifecycle task since {@code since} on every
     * node of the cluster, or empty when it can.
     *
     * @param nodes every node the listing named, with its state
     */
    public Optional<String> gap(Instant since, Map<String, NodeState> nodes) {
        if (!readable) {
            return Optional.of("the task list could not be read (" + unreadable + ")");
        }
        if (since == null) {
            return Optional.of("no earlier pass to compare with");
        }
        long from = since.minus(CLOCK_SLACK).getEpochSecond();
        for (Map.Entry<String, NodeState> node : sorted(nodes.entrySet())) {
            if (node.getValue() != NodeState.ONLINE) {
                return Optional.of("node " + node.getKey() + " is not online");
            }
            Long oldest = oldestFinished.get(node.getKey());
            if (oldest == null) {
                return Optional.of("the task list shows " + (showing.contains(node.getKey()) ? "no finished task"
                        : "nothing") + " from node " + node.getKey());
            }
            if (oldest >= from) {
                return Optional.of("node " + node.getKey() + "'s task list reaches back only to "
                        + Instant.ofEpochSecond(oldest));
            }
        }
        return Optional.empty();
    }

    private static List<Map.Entry<String, NodeState>> sorted(Collection<Map.Entry<String, NodeState>> entries) {
        return entries.stream().sorted(Map.Entry.comparingByKey()).toList();
    }
}
