package io.pvesync.soak;

import io.pvesync.sim.ProxmoxSimulator;
import io.pvesync.sim.SimVm;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Switches the simulator's faults on for a random while and off again, from the soak's thread.
 * A fault lasts a few ticks (a tick is one change, 200-500 ms): long enough to fail several polls
 * in a row, so the daemon backs off, short enough that the soak's real deletions never pile up
 * past the mass-disappearance guard between two good passes (see {@code SoakTest#config}).
 * Durations count ticks, not milliseconds, so a seed replays the same faults on any machine.
 * One kind is a one-shot: a flood of filler tasks on a node ({@link #noise(String, Random)}), after
 * which that node's task list no longer reaches back to the daemon's last poll.
 */
final class FaultInjector {

    /** Read timeout of the daemon's calls in the soak's config: slower answers fail them. */
    static final Duration READ_TIMEOUT = Duration.ofSeconds(2);

    private static final Logger log = LoggerFactory.getLogger(FaultInjector.class);
    private static final int KINDS = 8;
    /** More filler tasks than a node's list keeps (25 finished ones): it no longer reaches back to the last poll. */
    private static final int NOISE_MIN = 25;
    private static final String[][] CORRUPTIONS = {{"maxmem", "\"lots\""}, {"maxcpu", "[]"}, {"maxdisk", "{\"size\":1}"}};
    private static final String RESOURCES = "/cluster/resources";

    private record Active(String what, long untilTick, Runnable clear) {
    }

    private final ProxmoxSimulator sim;
    private final int percentPerTick;
    private final boolean noiseOnly;
    private final List<Active> active = new ArrayList<>();
    private final Set<String> offlineNodes = new HashSet<>();
    private final Set<Integer> downEndpoints = new HashSet<>();
    private final Set<Integer> corrupted = new HashSet<>();
    // one-shot failures: path prefix -> requests under it, counted right after arming
    private final Map<String, Integer> armed = new HashMap<>();
    private final Tally injected = new Tally();
    private boolean slow;
    private boolean malformed;
    private boolean revoked;
    private long tick;

    /** @param percentPerTick the chance, per tick, that one more fault is switched on */
    FaultInjector(ProxmoxSimulator sim, int percentPerTick) {
        this(sim, percentPerTick, false);
    }

    private FaultInjector(ProxmoxSimulator sim, int percentPerTick, boolean noiseOnly) {
        this.sim = sim;
        this.percentPerTick = percentPerTick;
        this.noiseOnly = noiseOnly;
    }

    /** Only floods of filler tasks, with this chance per tick: for a cluster that is not the soak's main subject. */
    static FaultInjector noiseOnly(ProxmoxSimulator sim, int percentPerTick) {
        return new FaultInjector(sim, percentPerTick, true);
    }

    /** Ends the faults whose time is up, then maybe starts one (none of a kind already on). */
    void tick(Random r) {
        tick++;
        for (Iterator<Active> it = active.iterator(); it.hasNext(); ) {
            Active fault = it.next();
            if (tick >= fault.untilTick()) {
                fault.clear().run();
                it.remove();
                log.info("soak - fault over: {}", fault.what());
            }
        }
        if (r.nextInt(100) < percentPerTick) {
            switch (noiseOnly ? KINDS - 1 : r.nextInt(KINDS)) {
                case 0 -> endpointDown(r);
                case 1 -> nodeOffline(r);
                case 2 -> slow(r);
                case 3 -> malformedJson(r);
                case 4 -> failNext(r);
                case 5 -> corruptVm(r);
                case 6 -> revokeAudit(r);
                default -> noise(r);
            }
        }
    }

    private void endpointDown(Random r) {
        int index = r.nextInt(sim.endpoints().size());
        int ticks = ticks(r, 1, 12);
        if (downEndpoints.add(index)) {
            sim.endpointDown(index, true);
            start("endpoint-down", "endpoint " + index, ticks, () -> {
                sim.endpointDown(index, false);
                downEndpoints.remove(index);
            });
        }
    }

    private void nodeOffline(Random r) {
        List<String> nodes = sim.nodes();
        String node = nodes.get(r.nextInt(nodes.size()));
        int ticks = ticks(r, 3, 24);
        // one node stays up, or no change could happen at all
        if (offlineNodes.size() < nodes.size() - 1 && offlineNodes.add(node)) {
            sim.nodeOffline(node, true);
            start("node-offline", node, ticks, () -> {
                sim.nodeOffline(node, false);
                offlineNodes.remove(node);
            });
        }
    }

    private void slow(Random r) {
        boolean pastTimeout = r.nextInt(3) == 0;
        Duration delay = pastTimeout ? READ_TIMEOUT.plusMillis(500) : Duration.ofMillis(50 + r.nextInt(750));
        int ticks = ticks(r, 1, 9);
        if (!slow) {
            slow = true;
            sim.slow(delay);
            start(pastTimeout ? "slow-past-timeout" : "slow", delay.toMillis() + " ms", ticks, () -> {
                sim.slow(Duration.ZERO);
                slow = false;
            });
        }
    }

    private void malformedJson(Random r) {
        int ticks = ticks(r, 1, 6);
        if (!malformed) {
            malformed = true;
            sim.malformedJson(true);
            start("malformed-json", "listing cut", ticks, () -> {
                sim.malformedJson(false);
                malformed = false;
            });
        }
    }

    /** Only on prefixes that every pass, or most lookups, hit: an armed failure is soon used up. */
    private void failNext(Random r) {
        List<String> nodes = sim.nodes();
        String prefix = r.nextBoolean() ? RESOURCES : "/nodes/" + nodes.get(r.nextInt(nodes.size())) + "/";
        boolean proxy = r.nextBoolean();
        if (!pendingFailures().contains(prefix)) {
            sim.failNext(prefix, proxy ? 595 : 500, proxy ? "Connection timed out" : "got timeout");
            armed.put(prefix, sim.requests(prefix));
            injected.add(proxy ? "fail-next-595" : "fail-next-500");
            log.info("soak - fault: the next request under {} fails with {}", prefix, proxy ? 595 : 500);
        }
    }

    private void corruptVm(Random r) {
        List<SimVm> guests = sim.vms().stream().filter(vm -> !vm.template() && !corrupted.contains(vm.vmid())).toList();
        String[] corruption = CORRUPTIONS[r.nextInt(CORRUPTIONS.length)];
        int ticks = ticks(r, 3, 15);
        if (!guests.isEmpty()) {
            int vmid = guests.get(r.nextInt(guests.size())).vmid();
            corrupted.add(vmid);
            sim.corruptVm(vmid, corruption[0], corruption[1]);
            start("corrupt-vm", "vmid " + vmid + " " + corruption[0] + "=" + corruption[1], ticks, () -> {
                sim.corruptVm(vmid, corruption[0], null);
                corrupted.remove(vmid);
            });
        }
    }

    private void revokeAudit(Random r) {
        boolean most = r.nextBoolean();
        int ticks = ticks(r, 3, 12);
        if (revoked) {
            return;
        }
        revoked = true;
        if (most) {
            // most VMs at once: more than the guard allows, so nothing is marked and the pass is degraded
            sim.revokeAudit(vm -> vm.vmid() % 4 != 0);
            start("revoke-audit-most", "vmids not divisible by 4", ticks, this::restoreAudit);
        } else {
            // a few VMs: too few for the guard, so they are marked missing and come back
            List<Integer> vmids = sim.vms().stream().filter(vm -> !vm.template()).map(SimVm::vmid).toList();
            Set<Integer> few = new HashSet<>();
            for (int i = 1 + r.nextInt(3); i > 0 && !vmids.isEmpty(); i--) {
                few.add(vmids.get(r.nextInt(vmids.size())));
            }
            sim.revokeAudit(vm -> few.contains(vm.vmid()));
            start("revoke-audit-few", "vmids " + few, ticks, this::restoreAudit);
        }
    }

    /** A flood of filler tasks on a random online node; see {@link #noise(String, Random)}. */
    private void noise(Random r) {
        List<String> online = sim.nodes().stream().filter(n -> !offlineNodes.contains(n)).toList();
        if (!online.isEmpty()) {
            noise(online.get(r.nextInt(online.size())), r);
        }
    }

    /**
     * Fills the node's task list with finished filler tasks ({@code aptupdate}, {@code vncshell}),
     * 25 to 35 of them: every older task leaves the list, so it no longer reaches back to the
     * daemon's last poll and cannot vouch that no VMID changed hands meanwhile (DESIGN.md 3.1).
     * A one-shot: the list reaches back again once the daemon has polled after it.
     */
    void noise(String node, Random r) {
        int count = NOISE_MIN + r.nextInt(11);
        sim.noiseTasks(node, count);
        injected.add("noise-tasks");
        log.info("soak - fault: {} filler tasks on {}", count, node);
    }

    private void restoreAudit() {
        sim.restoreAudit();
        revoked = false;
    }

    private void start(String kind, String detail, int ticks, Runnable clear) {
        active.add(new Active(kind + " " + detail, tick + ticks, clear));
        injected.add(kind);
        log.info("soak - fault: {} {} for {} ticks", kind, detail, ticks);
    }

    /** Ends every fault now (armed one-shot failures cannot be taken back; see {@link #pendingFailures}). */
    void clearAll() {
        active.forEach(fault -> fault.clear().run());
        active.clear();
        sim.restoreAudit();
    }

    /** Path prefixes with an armed one-shot failure that no request has used up yet. */
    Set<String> pendingFailures() {
        return armed.entrySet().stream().filter(e -> sim.requests(e.getKey()) <= e.getValue()).map(Map.Entry::getKey)
                .collect(Collectors.toSet());
    }

    boolean isOffline(String node) {
        return offlineNodes.contains(node);
    }

    Tally injected() {
        return injected;
    }

    private static int ticks(Random r, int from, int to) {
        return from + r.nextInt(to - from + 1);
    }
}
