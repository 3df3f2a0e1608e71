package io.pvesync.details;

import io.pvesync.inventory.AddressLookups;
import io.pvesync.inventory.ObservedVm;

import io.pvesync.inventory.AddressLookups.Skipped;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What keeps one pass from making a guest's lookups (DESIGN.md 3.6, "Two speeds"): a node left
 * alone, the pass's time budget spent, or the whole API down; and how many lookups each skipped.
 * Shared by the pass's worker threads.
 *
 * <p>A node is left alone for the rest of the pass once one of its guests' calls timed out after
 * it was sent, or was answered 595/596: its other guests make no call this pass, so a slow node
 * costs each of its workers one timeout at most, and other nodes go on with all their lookups.
 */
final class PassSkips {

    /** Why a node is left alone. */
    record LeftAlone(String node, boolean unreachable, String detail) {
        /** The {@code /status} and log wording: {@code not answering in time: read timed out ... on GET ...}. */
        String why() {
            return (unreachable ? "unreachable: " : "not answering in time: ") + detail;
        }
    }

    // set by the first lookup: the pass's writes before it are no lookup time (two speeds)
    private static final long UNSET = Long.MIN_VALUE;
    private final java.util.concurrent.atomic.AtomicLong deadline = new java.util.concurrent.atomic.AtomicLong(UNSET);
    private final Duration budget;
    private final AtomicBoolean apiDown = new AtomicBoolean();
    private final Map<String, LeftAlone> leftAlone = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> skippedOnNode = new ConcurrentHashMap<>();
    private final AtomicInteger forNode = new AtomicInteger();
    /** The guests whose due lookups this pass skipped: they wait for a later pass. */
    private final java.util.Set<Integer> waiting = ConcurrentHashMap.newKeySet();
    private final AtomicInteger forDeadline = new AtomicInteger();
    private final AtomicInteger forApi = new AtomicInteger();

    /** @param budget how long this pass may start lookups, from its first lookup */
    PassSkips(Duration budget) {
        this.budget = budget;
    }

    /**
     * Whether {@code vm}'s lookups must wait for a later pass; if so, counts it as skipped and says
     * why, else null. Called once per guest whose lookups need a request, before the first.
     */
    Miss skip(ObservedVm vm) {
        if (apiDown.get()) {
            forApi.incrementAndGet();
            waiting.add(vm.vmid());
            return apiMiss();
        }
        Miss leftAloneNode = skipOnLeftAloneNode(vm);
        if (leftAloneNode != null) {
            return leftAloneNode;
        }
        deadline.compareAndSet(UNSET, System.nanoTime() + budget.toNanos());
        if (System.nanoTime() - deadline.get() >= 0) {
            forDeadline.incrementAndGet();
            waiting.add(vm.vmid());
            return Miss.forThisPass("lookup skipped: this pass's budget of " + format(budget) + " for guest lookups"
                    + " was spent");
        }
        return null;
    }

    /**
     * For a guest past {@link #skip} whose node was left alone since (its config was read, its
     * address is still to ask): counts its address lookup as skipped and says why, else null.
     */
    Miss skipOnLeftAloneNode(ObservedVm vm) {
        LeftAlone node = leftAlone.get(vm.node());
        if (node == null) {
            return null;
        }
        forNode.incrementAndGet();
        waiting.add(vm.vmid());
        skippedOnNode.computeIfAbsent(vm.node(), n -> new AtomicInteger()).incrementAndGet();
        return nodeMiss(node);
    }

    /** The guests whose due lookups this pass skipped. */
    java.util.Set<Integer> waiting() {
        return java.util.Set.copyOf(waiting);
    }

    /** The node did not answer a guest call in time; {@code detail}: what timed out, on which call. */
    Miss slow(String node, String detail) {
        leftAlone.putIfAbsent(node, new LeftAlone(node, false, detail));
        return Miss.forThisPass("node " + node + " not answering in time (" + detail + ")");
    }

    /** The node could not be reached (595/596). */
    Miss unreachable(String node, String detail) {
        leftAlone.putIfAbsent(node, new LeftAlone(node, true, detail));
        return nodeMiss(leftAlone.get(node));
    }

    /** No endpoint answered: no more lookups this pass. */
    Miss apiDown() {
        apiDown.set(true);
        return apiMiss();
    }

    Map<String, LeftAlone> leftAlone() {
        return Map.copyOf(leftAlone);
    }

    int skippedOn(String node) {
        AtomicInteger count = skippedOnNode.get(node);
        return count == null ? 0 : count.get();
    }

    Skipped counts() {
        return new Skipped(forNode.get(), forDeadline.get(), forApi.get());
    }

    Duration budget() {
        return budget;
    }

    /** By node name: why it was left alone and how many lookups that skipped, as {@code /status} shows it. */
    Map<String, String> report() {
        Map<String, String> out = new TreeMap<>();
        leftAlone.forEach((node, why) -> out.put(node, why.why() + "; " + skippedOn(node) + " lookups skipped"));
        return out;
    }

    private static Miss nodeMiss(LeftAlone node) {
        return Miss.forThisPass(node.unreachable() ? "node " + node.node() + " unreachable"
                : "node " + node.node() + " not answering in time; its lookups wait for the next pass");
    }

    private static Miss apiMiss() {
        return Miss.forThisPass("Proxmox API unavailable");
    }

    /** {@code 15s}, {@code 300ms}: the way the config file writes durations (inventory does not depend on config). */
    static String format(Duration duration) {
        long millis = duration.toMillis();
        return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
    }
}
