package io.pvesync.soak;

import io.pvesync.sim.ProxmoxSimulator;
import io.pvesync.sim.SimVm;
import io.pvesync.soak.TruthLog.Handover;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides, for every VMID that passed to another guest during a soak, whether the daemon may
 * legitimately miss it until the next full pass (DESIGN.md 3.1). A poll must read the marker when
 * the task list shows a destroy, create or restore of the VMID, or when the guest's name or status
 * changed while the list cannot vouch for the interval; a guest in doubt whose marker cannot be
 * read is held, so its doubt lasts until the marker is read. A new guest may therefore pass for
 * the old one only when the VMID's lifecycle tasks left their node's list before the daemon could
 * read them (the list was cut short: {@code noiseTasks}, or a busy node while the polls failed)
 * AND it shows the old one's name and status. Those handovers are "unseen"; the comparison accepts
 * rows that followed the newcomer only for them and calls every other one a mismatch.
 *
 * <p>"Before the daemon could read them" is judged from the daemon's successful passes of the
 * cluster: once two more have ended after the tasks were first listed (the second began after
 * that), one of them read the list while the tasks were in it. Only the soak's changes add tasks,
 * so the lists stay as they are between two changes: a look after each change, and a count of
 * the passes before the next, are enough. The watch of a VMID begins with its first
 * lifecycle task (a clone's destroy of the old guest comes well before the clone ends, and a VMID
 * may stay free for a while before a new guest takes it) and ends when a guest with a marker is
 * recorded there: the old one (a restore keeps it) or a new one.
 */
final class ReuseWatch {

    private static final Logger log = LoggerFactory.getLogger(ReuseWatch.class);

    /** A VMID's lifecycle tasks since its guest was last recorded. */
    private static final class Track {
        final long since;
        final Set<Long> tasks = new HashSet<>();
        boolean read;
        /** Whether some of its tasks were listed at the last look: the lists stay so until the next change. */
        boolean listed;
        Handover handover;
        boolean lookalike = true;

        Track(long since) {
            this.since = since;
        }
    }

    private final String cluster;
    private final ProxmoxSimulator sim;
    /** Per VMID the newest task when its guest was last recorded: its lifecycle tasks after that are news. */
    private final Map<Integer, Long> newestAt = new HashMap<>();
    private final Map<Integer, Track> tracks = new HashMap<>();
    private final Set<Handover> unseen = new HashSet<>();
    private final Tally outcomes = new Tally();
    private int handoverCount;

    ReuseWatch(String cluster, ProxmoxSimulator sim) {
        this.cluster = cluster;
        this.sim = sim;
    }

    /**
     * Call before each change of the cluster: the task lists are still as the last {@link #tick}
     * saw them, so every pass that ended since ran on them.
     *
     * @param okPasses the daemon's successful passes of the cluster so far
     */
    void beforeChange(long okPasses) {
        tracks.values().forEach(t -> t.read |= t.listed && okPasses >= t.since + 2);
    }

    /**
     * Call after every recording of the truth.
     *
     * @param handovers what {@link TruthLog#record} just returned
     * @param truth     the guests as recorded
     * @param busy      the VMIDs whose clone or restore still runs (not recorded)
     * @param okPasses  the daemon's successful passes of the cluster so far
     */
    void tick(List<Handover> handovers, List<SimVm> truth, Collection<Integer> busy, long okPasses) {
        long newest = sim.newestListedTask();
        Map<Integer, Set<Long>> listed = sim.listedLifecycleTasks();
        for (Handover h : handovers) {
            Track before = tracks.get(h.vmid());
            if (before != null && before.handover != null) {
                // handed over again before two passes read the last handover's tasks: whether the
                // daemon saw that one depends on what the next change does to the list (a flood of
                // filler tasks right after pushes both out before any poll), so it is judged as
                // unseen when it kept name and status; the new one starts afresh
                tracks.remove(h.vmid());
                if (!before.read && before.lookalike) {
                    unseen.add(before.handover);
                    outcomes.add("unseen");
                } else {
                    outcomes.add("listed");
                }
            }
        }
        listed.forEach((vmid, seqs) -> {
            long since = newestAt.getOrDefault(vmid, 0L);
            seqs.stream().filter(seq -> seq > since)
                    .forEach(seq -> tracks.computeIfAbsent(vmid, v -> new Track(okPasses)).tasks.add(seq));
        });
        for (Handover h : handovers) {
            // no track yet: the tasks were pushed out within the tick that made them
            tracks.computeIfAbsent(h.vmid(), v -> new Track(okPasses)).handover = h;
            handoverCount++;
        }
        Map<Integer, SimVm> recorded = new HashMap<>();
        truth.stream().filter(vm -> !vm.template() && TruthLog.marker(vm) != null && !busy.contains(vm.vmid()))
                .forEach(vm -> recorded.put(vm.vmid(), vm));
        for (Iterator<Map.Entry<Integer, Track>> it = tracks.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Integer, Track> e = it.next();
            int vmid = e.getKey();
            Track t = e.getValue();
            Set<Long> still = new HashSet<>(listed.getOrDefault(vmid, Set.of()));
            still.retainAll(t.tasks);
            t.listed = !still.isEmpty();
            t.read |= t.listed && okPasses >= t.since + 2;
            if (t.handover == null) {
                if (recorded.containsKey(vmid)) {
                    it.remove(); // the same guest again (a restore of its own backup, a new VMID's first guest)
                }
                continue;
            }
            Handover h = t.handover;
            SimVm vm = recorded.get(vmid);
            if (vm != null && h.after().equals(TruthLog.marker(vm))) {
                t.lookalike &= h.beforeName().equals(vm.name()) && h.beforeStatus().equals(TruthLog.column(vm));
            }
            if (t.read) {
                it.remove();
                outcomes.add("listed");
            } else if (still.isEmpty()) {
                it.remove();
                if (t.lookalike) {
                    unseen.add(h);
                    outcomes.add("unseen");
                    log.info("soak - {} vmid {}: {} took the VMID from {} under the same name and status, and its"
                            + " tasks left the list before the daemon read them: unseen until a full pass", cluster,
                            vmid, h.after(), h.before());
                } else {
                    outcomes.add("cut-but-changed");
                }
            }
        }
        recorded.keySet().forEach(vmid -> newestAt.put(vmid, newest));
    }

    /** The handovers the daemon may have missed until a full pass. */
    Set<Handover> unseen() {
        return Set.copyOf(unseen);
    }

    /**
     * How many handovers there were and how they were settled: {@code listed} (a poll could read
     * their tasks), {@code unseen}, {@code cut-but-changed} (the tasks were gone, but the name or
     * status told), the rest still open when the soak ended (the final full pass reads every marker).
     */
    String summary() {
        return handoverCount + " handovers " + outcomes;
    }
}
