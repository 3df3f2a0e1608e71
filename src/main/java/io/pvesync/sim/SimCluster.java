package io.pvesync.sim;

import io.pvesync.sim.SimVm.Kind;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The simulated cluster: nodes, guests, and what the token may see. Readers (the request threads)
 * never lock: guests sit in a concurrent map of immutable values. Changes are serialized on this
 * object, so a change of several parts (reuse = delete + create) is never seen half done.
 */
final class SimCluster {

    private static final Logger log = LoggerFactory.getLogger(SimCluster.class);

    static final int FIRST_VMID = 100;
    private static final Pattern STATUS_WORD = Pattern.compile("[a-z][a-z-]*");

    /** How much a node's data can be trusted, from the time it went offline (PROXMOX-API.md §2.1). */
    enum Freshness {
        ONLINE,
        /** offline for less than {@code staleFor}: last values are still served */
        STALE,
        /** offline for longer: the RRD data expired, entries degrade to {@code status: unknown} */
        EXPIRED
    }

    private final List<SimNode> nodes;
    private final Map<String, SimNode> byName = new HashMap<>();
    private final ConcurrentSkipListMap<Integer, Guest> guests = new ConcurrentSkipListMap<>();
    private final Map<String, Instant> offlineSince = new ConcurrentHashMap<>();
    private final Map<String, Instant> isolatedSince = new ConcurrentHashMap<>();
    private final Set<Integer> unaudited = ConcurrentHashMap.newKeySet();
    private final Clock clock;
    private final Duration staleFor;
    private final GuestFactory factory;
    private final Random random;
    private final TaskLog tasks;
    private long lastCtime;

    SimCluster(List<SimNode> nodes, Collection<Guest> initial, Clock clock, Duration staleFor, GuestFactory factory,
               Random random, Instant booted) {
        this.nodes = List.copyOf(nodes);
        this.nodes.forEach(node -> byName.put(node.name(), node));
        initial.forEach(guest -> guests.put(guest.vmid(), guest));
        this.lastCtime = initial.stream().mapToLong(g -> g.id().ctime()).max().orElse(0);
        this.clock = clock;
        this.staleFor = staleFor;
        this.factory = factory;
        this.random = random;
        this.tasks = new TaskLog(this.nodes, booted);
    }

    /** The cluster's own random source, for changes made without one. */
    Random random() {
        return random;
    }

    /** Every node's task list. */
    TaskLog tasks() {
        return tasks;
    }

    // ---- reads, lock-free ----

    List<SimNode> nodes() {
        return nodes;
    }

    /** The node of that name, or null when the cluster has none. */
    SimNode node(String name) {
        return byName.get(name);
    }

    Instant now() {
        return clock.instant();
    }

    Freshness freshness(String node) {
        Instant since = offlineSince.get(node);
        if (since == null) {
            return Freshness.ONLINE;
        }
        return clock.instant().isBefore(since.plus(staleFor)) ? Freshness.STALE : Freshness.EXPIRED;
    }

    /** When the node went offline, or null while it is online. */
    Instant offlineSince(String node) {
        return offlineSince.get(node);
    }

    /** Every node's freshness at one instant, for one answer. */
    Map<String, Freshness> freshness() {
        return view(null);
    }

    /**
     * The node an endpoint belongs to: endpoint i is node i (wrapping around), as
     * {@code cluster/status} marks it {@code local}.
     */
    String viewer(int endpoint) {
        return nodes.get(endpoint % nodes.size()).name();
    }

    /**
     * When {@code node} went out of {@code viewer}'s sight: offline, or cut off from it by a
     * partition ({@link #isolate}); null while the viewer sees it. A node always sees itself, and
     * a null viewer sees what the whole cluster agrees on (offline only).
     */
    Instant unseenSince(String viewer, String node) {
        Instant off = offlineSince.get(node);
        if (viewer == null || viewer.equals(node)) {
            return off;
        }
        Instant cut = isolatedSince.containsKey(viewer) ? isolatedSince.get(viewer) : isolatedSince.get(node);
        if (off == null) {
            return cut;
        }
        return cut == null || off.isBefore(cut) ? off : cut;
    }

    /** A node's freshness as one node's pmxcfs sees it. */
    Freshness freshness(String viewer, String node) {
        Instant since = unseenSince(viewer, node);
        if (since == null) {
            return Freshness.ONLINE;
        }
        return clock.instant().isBefore(since.plus(staleFor)) ? Freshness.STALE : Freshness.EXPIRED;
    }

    /** Every node's freshness as {@code viewer} sees it (null: as the cluster agrees), for one answer. */
    Map<String, Freshness> view(String viewer) {
        Map<String, Freshness> result = new LinkedHashMap<>();
        nodes.forEach(node -> result.put(node.name(), freshness(viewer, node.name())));
        return result;
    }

    /** Whether {@code viewer}'s corosync has quorum: it sees more than half of the nodes (itself included). */
    boolean quorate(String viewer) {
        long seen = view(viewer).values().stream().filter(f -> f == Freshness.ONLINE).count();
        return seen * 2 > nodes.size();
    }

    /**
     * Cuts a node off from the others (a network partition) or joins it again. The node keeps
     * running and its endpoint answers: it sees the others offline and has no quorum; they see it
     * offline. Its guests keep running.
     */
    synchronized void isolate(String node, boolean isolated) {
        if (isolated) {
            isolatedSince.putIfAbsent(node, now());
        } else {
            isolatedSince.remove(node);
        }
    }

    /** Live view in vmid order: iteration sees each guest once, as it was at some moment. */
    Collection<Guest> guests() {
        return guests.values();
    }

    /** The guest with that vmid, or null. */
    Guest guest(int vmid) {
        return guests.get(vmid);
    }

    /** Whether the token may audit that guest (false after {@link #revokeAudit}). */
    boolean audited(int vmid) {
        return unaudited.isEmpty() || !unaudited.contains(vmid);
    }

    List<SimVm> vms() {
        Instant now = now();
        return guests.values().stream().map(g -> g.view(now)).toList();
    }

    /** The vmids whose clone or restore has not finished, in order. */
    List<Integer> inProgress() {
        return guests.values().stream().filter(Guest::busy).map(Guest::vmid).toList();
    }

    // ---- changes, serialized ----

    // Task types below are the first argument of each API handler's fork_worker: qemu-server
    // API2/Qemu.pm (vm_start 'qmstart', vm_stop 'qmstop', vm_shutdown 'qmshutdown', vm_suspend
    // 'qmpause' / 'qmsuspend' with todisk, migrate_vm 'qmigrate', create_vm 'qmcreate' / 'qmrestore',
    // destroy_vm 'qmdestroy', clone_vm 'qmclone' with the SOURCE vmid), pve-container API2/LXC.pm and
    // API2/LXC/Status.pm ('vzstart', 'vzstop', 'vzshutdown', 'vzmigrate', 'vzcreate' / 'vzrestore',
    // 'vzdestroy', clone_vm 'vzclone' with the source vmid), pve-manager API2/VZDump.pm ('vzdump',
    // id = the vmid when one guest is backed up). The id is the vmid; the task runs on the guest's node.

    synchronized void start(int vmid) {
        Guest g = update(vmid, old -> old.withStatus("running", unlessSuspended(old.lock()), now()));
        task(g, "start");
    }

    synchronized void stop(int vmid) {
        Guest g = update(vmid, old -> old.withStatus("stopped", unlessSuspended(old.lock()), now()));
        task(g, "stop");
    }

    /** Like {@link #stop}, as a clean shutdown ({@code qmshutdown}/{@code vzshutdown}). */
    synchronized void shutdown(int vmid) {
        Guest g = update(vmid, old -> old.withStatus("stopped", unlessSuspended(old.lock()), now()));
        task(g, "shutdown");
    }

    synchronized void pause(int vmid) {
        Guest g = update(vmid, old -> {
            requireQemu(old, "pause");
            if (!old.processRunning()) {
                throw new IllegalStateException("VM " + vmid + " is not running");
            }
            return old.withStatus("paused", old.lock(), now());
        });
        task(g, "pause");
    }

    /** Hibernation as Proxmox records it: status {@code stopped} plus {@code lock: suspended}. */
    synchronized void hibernate(int vmid) {
        Guest g = update(vmid, old -> {
            requireQemu(old, "hibernate");
            return old.withStatus("stopped", "suspended", now());
        });
        task(g, "suspend");
    }

    synchronized void setStatus(int vmid, String word) {
        if (word == null || !STATUS_WORD.matcher(word).matches()) {
            throw new IllegalArgumentException("status \"" + word + "\": expected a run-state word such as io-error");
        }
        update(vmid, g -> {
            if (!g.isQemu() && !"running".equals(word) && !"stopped".equals(word)) {
                throw new IllegalArgumentException("CT " + vmid + ": a container is only running or stopped");
            }
            return g.withStatus(word, g.lock(), now());
        });
    }

    synchronized void lock(int vmid, String lock) {
        update(vmid, g -> g.withLock(lock));
    }

    synchronized void migrate(int vmid, String node) {
        requireNode(node);
        String source = requireIdle(vmid).node();
        Guest g = update(vmid, old -> {
            if (old.node().equals(node)) {
                throw new IllegalArgumentException("guest " + vmid + " is already on " + node);
            }
            return old.withNode(node);
        });
        // the migration's worker runs on the source node (migrate_vm forks it there)
        tasks.run(source, g.isQemu() ? "qmigrate" : "vzmigrate", Integer.toString(vmid), now());
    }

    synchronized void rename(int vmid, String name) {
        update(vmid, g -> g.withName(name));
    }

    synchronized void resize(int vmid, int vcpus, int memoryMib, int diskGib) {
        if (vcpus < 1 || memoryMib < 16 || diskGib < 1) {
            throw new IllegalArgumentException("resize " + vmid + ": cores >= 1, memory >= 16 MiB, disk >= 1 GiB");
        }
        update(vmid, g -> g.withSizes(vcpus, memoryMib, diskGib));
    }

    synchronized void setAgent(int vmid, AgentState agent) {
        Objects.requireNonNull(agent, "agent");
        update(vmid, g -> {
            requireQemu(g, "set the agent of");
            return g.withAgent(agent);
        });
    }

    /** Creates a running guest under the lowest free vmid, as {@code /cluster/nextid} hands it out. */
    synchronized int create(Kind kind, String node, Random r) {
        requireNode(node);
        int vmid = nextFreeVmid();
        Guest g = factory.created(r, vmid, kind, node, nextCtime(), now());
        guests.put(vmid, g);
        task(g, "create");
        task(g, "start"); // created with start=1: create_vm calls vm_start, a task of its own
        log.debug("sim vmid={} - created on {}", vmid, node);
        return vmid;
    }

    synchronized int create(Kind kind, String node) {
        return create(kind, node, random);
    }

    synchronized void delete(int vmid) {
        destroy(requireIdle(vmid));
        log.debug("sim vmid={} - deleted", vmid);
    }

    /** Deletes the guest and creates another under the same vmid: new name, MAC, uuid and ctime. */
    synchronized void reuseVmid(int vmid, Random r) {
        Guest old = requireIdle(vmid);
        destroy(old);
        Guest fresh = factory.reincarnated(r, old, nextCtime(), now());
        guests.put(vmid, fresh);
        task(fresh, "create");
        task(fresh, "start");
        log.debug("sim vmid={} - deleted and created again", vmid);
    }

    synchronized void reuseVmid(int vmid) {
        reuseVmid(vmid, random);
    }

    /**
     * Deletes the guest and creates another under the same vmid with the old one's name and status
     * word: only the markers (uuid, MAC, ctime) and what the listing does not show tell them apart.
     */
    synchronized void reuseVmidKeepingNameAndStatus(int vmid, Random r) {
        Guest old = requireIdle(vmid);
        destroy(old);
        Guest fresh = factory.reincarnated(r, old, nextCtime(), now()).withName(old.name());
        fresh = fresh.withStatus("stopped", null, now()).withStatus(old.status(), null, now());
        guests.put(vmid, fresh);
        task(fresh, "create");
        if (fresh.processRunning()) {
            task(fresh, "start");
        }
        log.debug("sim vmid={} - deleted and created again as {} {}", vmid, fresh.displayName(), fresh.status());
    }

    /**
     * Starts a QEMU clone of {@code source} into the unused {@code newid} (qemu-server
     * {@code clone_vm}): its {@code qmclone} task, with the source's vmid, runs on the source's node
     * until {@link #cloneFinish}; meanwhile the new vmid is listed with {@code lock: clone}.
     */
    synchronized void cloneStart(int source, int newid, String name, Random r) {
        Guest src = requireIdle(source);
        requireQemu(src, "clone");
        if (newid < FIRST_VMID) {
            throw new IllegalArgumentException("vmid " + newid + ": at least " + FIRST_VMID);
        }
        if (guests.containsKey(newid)) {
            // clone_vm's $load_and_check, before the task starts
            throw new IllegalArgumentException("unable to create VM " + newid + ": config file already exists");
        }
        requireOnline(src.node());
        Task task = tasks.begin(src.node(), "qmclone", Integer.toString(source), now());
        guests.put(newid, factory.cloned(r, src, newid, name, new Guest.Work(Guest.Op.CLONE, now(), null, task)));
        log.debug("sim vmid={} - clone of {} started", newid, source);
    }

    synchronized void cloneFinish(int newid) {
        finish(newid, Guest.Op.CLONE);
    }

    /** A vzdump of the guest, now; its config and disks as they are. */
    synchronized Backup backup(int vmid) {
        Guest g = requireIdle(vmid);
        requireOnline(g.node());
        tasks.run(g.node(), "vzdump", Integer.toString(vmid), now());
        return new Backup(g, now());
    }

    /**
     * Starts restoring {@code backup} into {@code vmid}: over the guest there (it must be stopped:
     * restore with {@code force}, its disks destroyed inside the same task) on its node, or into a
     * new guest on the node the backup came from. The {@code qmrestore}/{@code vzrestore} task runs
     * until {@link #restoreFinish}.
     */
    synchronized void restoreStart(int vmid, Backup backup, boolean unique, Random r) {
        Objects.requireNonNull(backup, "backup");
        Guest saved = backup.guest();
        Guest existing = guests.get(vmid);
        String word = saved.isQemu() ? "VM" : "CT";
        if (vmid < FIRST_VMID) {
            throw new IllegalArgumentException("vmid " + vmid + ": at least " + FIRST_VMID);
        }
        String node = saved.node();
        if (existing != null) {
            requireIdle(vmid);
            if (existing.kind() != saved.kind()) {
                throw new IllegalArgumentException("unable to restore " + word + " " + vmid + " - "
                        + (existing.isQemu() ? "VM " : "CT ") + vmid + " already exists");
            }
            if (existing.processRunning()) {
                // create_vm's restorefn: "$emsg vm is running"; pve-container: "can't overwrite running container"
                throw new IllegalStateException(saved.isQemu() ? "unable to restore VM " + vmid + " - vm is running"
                        : "unable to restore CT " + vmid + " - can't overwrite running container");
            }
            node = existing.node();
        }
        requireOnline(node);
        Task task = tasks.begin(node, saved.isQemu() ? "qmrestore" : "vzrestore", Integer.toString(vmid), now());
        Guest.Work work = new Guest.Work(Guest.Op.RESTORE, now(), existing, task);
        guests.put(vmid, factory.restored(r, saved, vmid, node, unique, work));
        log.debug("sim vmid={} - restore of {} started", vmid, backup);
    }

    synchronized void restoreFinish(int vmid) {
        finish(vmid, Guest.Op.RESTORE);
    }

    /** Filler tasks on a node (console sessions and package updates), started now. */
    synchronized void noiseTasks(String node, int count, boolean running) {
        requireNode(node);
        if (count < 0) {
            throw new IllegalArgumentException("count " + count + ": must not be negative");
        }
        for (int i = 0; i < count; i++) {
            // pve-manager API2/Nodes.pm 'vncshell' (a console, runs while it is open), API2/APT.pm 'aptupdate'
            if (running) {
                tasks.begin(node, "vncshell", "", now());
            } else {
                tasks.run(node, i % 2 == 0 ? "aptupdate" : "vncshell", "", now());
            }
        }
    }

    /** Who the following tasks are recorded for. */
    synchronized void taskUser(String user) {
        tasks.user(user);
    }

    synchronized void nodeOffline(String node, boolean offline) {
        requireNode(node);
        if (offline) {
            offlineSince.putIfAbsent(node, now());
        } else {
            offlineSince.remove(node);
        }
        tasks.offline(node, offline);
    }

    /** The token loses every privilege on the guests matching now (an ACL per {@code /vms/<vmid>}). */
    synchronized void revokeAudit(Predicate<SimVm> which) {
        Instant now = now();
        guests.values().stream().filter(g -> which.test(g.view(now))).forEach(g -> unaudited.add(g.vmid()));
    }

    synchronized void restoreAudit() {
        unaudited.clear();
    }

    // ---- helpers ----

    private Guest update(int vmid, UnaryOperator<Guest> change) {
        Guest changed = change.apply(requireIdle(vmid));
        guests.put(vmid, changed);
        return changed;
    }

    /** A task of this guest's kind ({@code qm<what>} or {@code vz<what>}) on its node, done now. */
    private void task(Guest g, String what) {
        tasks.run(g.node(), (g.isQemu() ? "qm" : "vz") + what, Integer.toString(g.vmid()), now());
    }

    /** destroy_vm refuses a running VM ("VM 100 is running - destroy failed"): it is stopped first. */
    private void destroy(Guest g) {
        if (g.processRunning()) {
            task(g, "stop");
        }
        guests.remove(g.vmid());
        task(g, "destroy");
    }

    private void finish(int vmid, Guest.Op op) {
        Guest g = require(vmid);
        if (g.work() == null || g.work().op() != op) {
            throw new IllegalStateException("no " + op.name().toLowerCase(Locale.ROOT) + " is running into "
                    + vmid);
        }
        guests.put(vmid, g.finished());
        tasks.end(g.work().task(), now());
        log.debug("sim vmid={} - {} finished", vmid, op);
    }

    /** The guest, when no clone or restore is running on it; Proxmox holds its config lock meanwhile. */
    private Guest requireIdle(int vmid) {
        Guest guest = require(vmid);
        if (guest.busy()) {
            throw new IllegalStateException((guest.isQemu() ? "VM " : "CT ") + vmid + " is busy: its "
                    + guest.work().op().name().toLowerCase(Locale.ROOT) + " has not finished");
        }
        return guest;
    }

    private void requireOnline(String node) {
        requireNode(node);
        if (freshness(node) != Freshness.ONLINE) {
            throw new IllegalStateException("node " + node + " is offline");
        }
    }

    private Guest require(int vmid) {
        Guest guest = guests.get(vmid);
        if (guest == null) {
            throw new IllegalArgumentException("no guest with vmid " + vmid);
        }
        return guest;
    }

    private void requireNode(String node) {
        if (!byName.containsKey(node)) {
            throw new IllegalArgumentException("no node " + node + "; nodes are "
                    + nodes.stream().map(SimNode::name).toList());
        }
    }

    private static void requireQemu(Guest guest, String what) {
        if (!guest.isQemu()) {
            throw new IllegalArgumentException("cannot " + what + " CT " + guest.vmid() + ": only QEMU VMs");
        }
    }

    /** Starting or stopping ends hibernation; other locks (backup, migrate) stay. */
    private static String unlessSuspended(String lock) {
        return "suspended".equals(lock) ? null : lock;
    }

    /** Strictly increasing, so two incarnations of one vmid never share a marker, even within a second. */
    private long nextCtime() {
        lastCtime = Math.max(lastCtime + 1, now().getEpochSecond());
        return lastCtime;
    }

    /** QEMU templates on online nodes that no clone or restore is writing, for random clones. */
    synchronized List<Guest> onlineTemplates() {
        List<Guest> result = new ArrayList<>();
        for (Guest guest : guests.values()) {
            if (guest.id().template() && guest.isQemu() && !guest.busy()
                    && freshness(guest.node()) == Freshness.ONLINE) {
                result.add(guest);
            }
        }
        return result;
    }

    /** The lowest unused vmid, as {@code /cluster/nextid} gives it. */
    synchronized int nextFreeVmid() {
        int vmid = FIRST_VMID;
        while (guests.containsKey(vmid)) {
            vmid++;
        }
        return vmid;
    }

    /** Guests on online nodes, templates and guests being cloned or restored left out, for random changes. */
    synchronized List<Guest> onlineGuests() {
        List<Guest> result = new ArrayList<>();
        for (Guest guest : guests.values()) {
            if (!guest.id().template() && !guest.busy() && freshness(guest.node()) == Freshness.ONLINE) {
                result.add(guest);
            }
        }
        return result;
    }

    int size() {
        return guests.size();
    }
}
