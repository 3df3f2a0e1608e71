package io.pvesync.sim;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Every node's task list, built as Proxmox builds it:
 * <ul>
 * <li>pve-common {@code PVE::RESTEnvironment::active_workers} (run at every task start and by
 *     pvestatd every 10 s) keeps the running tasks in the order they started, then the finished
 *     ones newest first ({@code sort { $b->{starttime} <=> $a->{starttime} }}), at most
 *     {@code $MAX_FINISHED = 25} entries with the running ones counted first (running tasks are
 *     never dropped); what it drops stays only in the node's task index, which no cluster-wide
 *     call reads.</li>
 * <li>pve-cluster {@code PVE::Cluster::broadcast_tasklist} then drops the last entry while the
 *     list's {@code encode_json} is 32 KiB or more, and puts it into pmxcfs's key-value store
 *     under the node's name.</li>
 * <li>An offline node's list stays in the other nodes' pmxcfs as last broadcast: pmxcfs
 *     {@code status.c} {@code dfsm_confchg} only marks the node offline and keeps its
 *     {@code kvhash}, and {@code PVE::Cluster::get_tasklist} reads every node of the node list.
 *     So its tasks stay as they were, running ones included, until it is back.</li>
 * </ul>
 * Not modelled: pvestatd's 10 s period (a task shows in the list at once) and the Perl hash order
 * of the node list (nodes come in name order).
 */
final class TaskLog {

    static final int MAX_FINISHED = 25;
    static final int MAX_BROADCAST_BYTES = 32 * 1024;
    static final String DEFAULT_USER = "root@pam";

    private static final JsonFactory JSON = new JsonFactory();
    private static final Comparator<Task> NEWEST_FIRST = Comparator.comparingLong(Task::starttime).reversed()
            .thenComparing(Comparator.comparingLong(Task::seq).reversed());

    private final Map<String, SimNode> nodes = new HashMap<>();
    private final Instant booted;
    /** What {@code /var/log/pve/tasks/active} holds per node, in {@code active_workers}' order. */
    private final Map<String, List<Task>> kept = new HashMap<>();
    /** The last broadcast of each offline node. */
    private final Map<String, List<Task>> frozen = new HashMap<>();
    private long seq;
    private String user = DEFAULT_USER;

    TaskLog(List<SimNode> nodeList, Instant booted) {
        nodeList.forEach(node -> {
            nodes.put(node.name(), node);
            kept.put(node.name(), new ArrayList<>());
        });
        this.booted = booted;
    }

    /** Who the following tasks are recorded for (the UPID's user), {@code root@pam} by default. */
    synchronized void user(String value) {
        user = Objects.requireNonNull(value, "user");
    }

    /** Starts a task on {@code node}; it runs until {@link #end}. */
    synchronized Task begin(String node, String type, String id, Instant now) {
        SimNode simNode = nodes.get(node);
        long n = ++seq;
        // a worker is a forked pveproxy/pvedaemon child: pids climb; pstart counts 100 Hz ticks since boot
        long pid = 2_000 + (n * 7_919) % 4_000_000;
        long pstart = simNode.uptime(booted, now) * 100 + n % 100;
        Task task = new Task(n, node, pid, pstart, now.getEpochSecond(), type, id, user, null, null);
        kept.get(node).add(task);
        persist(node);
        return task;
    }

    /** Ends a running task with status {@code OK}. */
    synchronized void end(Task task, Instant now) {
        List<Task> list = kept.get(task.node());
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i).seq() == task.seq()) {
                list.set(i, task.ended(Math.max(task.starttime(), now.getEpochSecond()), "OK"));
            }
        }
        persist(task.node());
    }

    /** A task that starts and ends now. */
    synchronized Task run(String node, String type, String id, Instant now) {
        Task task = begin(node, type, id, now);
        end(task, now);
        return task;
    }

    /** The node's list stops changing in pmxcfs (its last broadcast), or changes again. */
    synchronized void offline(String node, boolean offline) {
        if (offline) {
            frozen.putIfAbsent(node, broadcast(kept.get(node)));
        } else {
            frozen.remove(node);
        }
    }

    /** What pmxcfs holds for the node: its last broadcast list. */
    synchronized List<Task> broadcast(String node) {
        List<Task> last = frozen.get(node);
        return last != null ? last : broadcast(kept.get(node));
    }

    /** Encoded size of a list as {@code broadcast_tasklist} measures it ({@code length(encode_json($data))}). */
    static int encodedSize(List<Task> tasks) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartArray();
            for (Task task : tasks) {
                task.write(json, false);
            }
            json.writeEndArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.size();
    }

    private static List<Task> broadcast(List<Task> active) {
        List<Task> data = new ArrayList<>(active);
        // "while ($size >= (32 * 1024)) { pop @$data; ... }"
        while (!data.isEmpty() && encodedSize(data) >= MAX_BROADCAST_BYTES) {
            data.remove(data.size() - 1);
        }
        return List.copyOf(data);
    }

    /** {@code active_workers}: running ones in start order, then at most 25 - running finished, newest first. */
    private void persist(String node) {
        List<Task> list = kept.get(node);
        List<Task> running = list.stream().filter(Task::running).sorted(Comparator.comparingLong(Task::seq)).toList();
        List<Task> finished = list.stream().filter(t -> !t.running()).sorted(NEWEST_FIRST)
                .limit(Math.max(0, MAX_FINISHED - running.size())).toList();
        list.clear();
        list.addAll(running);
        list.addAll(finished);
    }
}
