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
    private final Set<Integer> unaudited = ConcurrentHashMap.newKeySet();
    private final Clock clock;
    private final Duration staleFor;
    private final GuestFactory factory;
    private final Random random;
    private long lastCtime;

    SimCluster(List<SimNode> nodes, Collection<Guest> initial, Clock clock, Duration staleFor, GuestFactory factory,
               Random random) {
        this.nodes = List.copyOf(nodes);
        this.nodes.forEach(node -> byName.put(node.name(), node));
        initial.forEach(guest -> guests.put(guest.vmid(), guest));
        this.lastCtime = initial.stream().mapToLong(g -> g.id().ctime()).max().orElse(0);
        this.clock = clock;
        this.staleFor = staleFor;
        this.factory = factory;
        this.random = random;
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
        Map<String, Freshness> result = new LinkedHashMap<>();
        nodes.forEach(node -> result.put(node.name(), freshness(node.name())));
        return result;
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
        return guests.values().stream().map(Guest::view).toList();
    }

    // ---- changes, serialized ----

    synchronized void start(int vmid) {
        update(vmid, g -> g.withStatus("running", unlessSuspended(g.lock()), now()));
    }

    synchronized void stop(int vmid) {
        update(vmid, g -> g.withStatus("stopped", unlessSuspended(g.lock()), now()));
    }

    synchronized void pause(int vmid) {
        update(vmid, g -> {
            requireQemu(g, "pause");
            if (!g.processRunning()) {
                throw new IllegalStateException("VM " + vmid + " is not running");
            }
            return g.withStatus("paused", g.lock(), now());
        });
    }

    /** Hibernation as Proxmox records it: status {@code stopped} plus {@code lock: suspended}. */
    synchronized void hibernate(int vmid) {
        update(vmid, g -> {
            requireQemu(g, "hibernate");
            return g.withStatus("stopped", "suspended", now());
        });
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
        update(vmid, g -> {
            if (g.node().equals(node)) {
                throw new IllegalArgumentException("guest " + vmid + " is already on " + node);
            }
            return g.withNode(node);
        });
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
        int vmid = FIRST_VMID;
        while (guests.containsKey(vmid)) {
            vmid++;
        }
        guests.put(vmid, factory.created(r, vmid, kind, node, nextCtime(), now()));
        log.debug("sim vmid={} - created on {}", vmid, node);
        return vmid;
    }

    synchronized int create(Kind kind, String node) {
        return create(kind, node, random);
    }

    synchronized void delete(int vmid) {
        require(vmid);
        guests.remove(vmid);
        log.debug("sim vmid={} - deleted", vmid);
    }

    /** Deletes the guest and creates another under the same vmid: new name, MAC, uuid and ctime. */
    synchronized void reuseVmid(int vmid, Random r) {
        Guest old = require(vmid);
        guests.put(vmid, factory.reincarnated(r, old, nextCtime(), now()));
        log.debug("sim vmid={} - deleted and created again", vmid);
    }

    synchronized void reuseVmid(int vmid) {
        reuseVmid(vmid, random);
    }

    synchronized void nodeOffline(String node, boolean offline) {
        requireNode(node);
        if (offline) {
            offlineSince.putIfAbsent(node, now());
        } else {
            offlineSince.remove(node);
        }
    }

    /** The token loses every privilege on the guests matching now (an ACL per {@code /vms/<vmid>}). */
    synchronized void revokeAudit(Predicate<SimVm> which) {
        guests.values().stream().filter(g -> which.test(g.view())).forEach(g -> unaudited.add(g.vmid()));
    }

    synchronized void restoreAudit() {
        unaudited.clear();
    }

    // ---- helpers ----

    private void update(int vmid, UnaryOperator<Guest> change) {
        guests.put(vmid, change.apply(require(vmid)));
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

    /** Guests on online nodes, for random changes. */
    synchronized List<Guest> onlineGuests() {
        List<Guest> result = new ArrayList<>();
        for (Guest guest : guests.values()) {
            if (!guest.id().template() && freshness(guest.node()) == Freshness.ONLINE) {
                result.add(guest);
            }
        }
        return result;
    }

    int size() {
        return guests.size();
    }
}
