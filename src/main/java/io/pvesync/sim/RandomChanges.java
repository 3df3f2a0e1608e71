package io.pvesync.sim;

import io.pvesync.sim.SimCluster.Freshness;
import io.pvesync.sim.SimVm.Kind;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * One plausible change at a time, for the demo and soak runs: what a busy cluster sees in a
 * minute. Only guests on online nodes change (nobody starts a VM on a dead node), and deletion
 * stops at a floor so a long run does not empty the cluster. Every choice comes from the given
 * {@link Random}, so a seeded one replays the same changes on the same cluster.
 *
 * <p>Now and then (8 steps in 100) a lifecycle change that tests what identifies a guest: a clone
 * of a QEMU template into a fresh vmid, or into the vmid of a guest it destroys first (so two
 * clones of one template, one after the other in one vmid, carry the same {@code meta} ctime), a
 * vmid reused under the same name and status, a backup, and a restore of a VM's earlier backup
 * over it. Clones and restores run over one to three steps; a step that finds one due ends it and
 * does nothing else. Clones need a QEMU template on an online node: build the simulator with
 * {@code templates(1)} or more (the default), else those steps make another change.
 */
final class RandomChanges {

    private static final int[] VCPUS = {1, 2, 4, 8};
    private static final int[] MEMORY_MIB = {1024, 2048, 4096, 8192};
    private static final int LIFECYCLE_PER_100 = 8;

    private final SimCluster cluster;
    private final int floor;
    /** Clones and restores not finished yet: vmid to the steps left, in start order. */
    private final Map<Integer, Integer> unfinished = new LinkedHashMap<>();
    /** The latest backup of each vmid. */
    private final Map<Integer, Backup> backups = new HashMap<>();

    /** @param floor never delete when this many guests (templates excluded) or fewer are left */
    RandomChanges(SimCluster cluster, int floor) {
        this.cluster = cluster;
        this.floor = floor;
    }

    /** Applies one change; returns what it did, such as {@code stop vmid=104}. */
    synchronized String step(Random r) {
        List<Guest> guests = cluster.onlineGuests();
        List<String> nodes = cluster.nodes().stream().map(SimNode::name)
                .filter(n -> cluster.freshness(n) == Freshness.ONLINE).toList();
        if (nodes.isEmpty()) {
            return "nothing: no node is online";
        }
        String ended = endOneDue();
        if (ended != null) {
            return ended;
        }
        int lifecycle = r.nextInt(100);
        if (lifecycle < LIFECYCLE_PER_100) {
            String done = lifecycle(r, lifecycle, guests);
            if (done != null) {
                return done;
            }
        }
        int roll = r.nextInt(100);
        if (guests.isEmpty() || roll < 12) {
            Kind kind = r.nextInt(5) == 0 ? Kind.LXC : Kind.QEMU;
            String node = nodes.get(r.nextInt(nodes.size()));
            return "create vmid=" + cluster.create(kind, node, r) + " on " + node;
        }
        Guest guest = guests.get(r.nextInt(guests.size()));
        int vmid = guest.vmid();
        if (roll < 32 && !guest.processRunning()) {
            cluster.start(vmid);
            return "start vmid=" + vmid;
        }
        if (roll < 52 && guest.processRunning()) {
            if (r.nextInt(3) == 0) {
                cluster.shutdown(vmid);
                return "shutdown vmid=" + vmid;
            }
            cluster.stop(vmid);
            return "stop vmid=" + vmid;
        }
        if (roll < 66 && nodes.size() > 1) {
            String target;
            do {
                target = nodes.get(r.nextInt(nodes.size()));
            } while (target.equals(guest.node()));
            cluster.migrate(vmid, target);
            return "migrate vmid=" + vmid + " to " + target;
        }
        if (roll < 76 && guests.size() > floor) {
            cluster.delete(vmid);
            return "delete vmid=" + vmid;
        }
        if (roll < 80) {
            String name = "renamed-" + vmid + "-" + r.nextInt(1000);
            cluster.rename(vmid, name);
            return "rename vmid=" + vmid + " to " + name;
        }
        int vcpus = VCPUS[r.nextInt(VCPUS.length)];
        int memory = MEMORY_MIB[r.nextInt(MEMORY_MIB.length)];
        int disk = guest.diskGib() + (r.nextBoolean() ? 0 : 8); // disks grow, never shrink
        cluster.resize(vmid, vcpus, memory, disk);
        return "resize vmid=" + vmid + " to " + vcpus + " cores, " + memory + " MiB, " + disk + " GiB";
    }

    /** Counts every unfinished clone and restore down a step, then ends the first that is due and whose node is up. */
    private String endOneDue() {
        unfinished.replaceAll((vmid, left) -> left - 1);
        for (Map.Entry<Integer, Integer> e : unfinished.entrySet()) {
            int vmid = e.getKey();
            Guest guest = cluster.guest(vmid);
            if (e.getValue() > 0 || guest == null || cluster.freshness(guest.node()) != Freshness.ONLINE) {
                continue;
            }
            unfinished.remove(vmid);
            if (guest.work().op() == Guest.Op.CLONE) {
                cluster.cloneFinish(vmid);
                return "clone-finish vmid=" + vmid;
            }
            cluster.restoreFinish(vmid);
            return "restore-finish vmid=" + vmid;
        }
        return null;
    }

    /** One lifecycle change for {@code roll} in [0, 8), or null when none fits the cluster now. */
    private String lifecycle(Random r, int roll, List<Guest> guests) {
        List<Guest> templates = cluster.onlineTemplates();
        if (roll < 3 && !templates.isEmpty()) {
            Guest template = templates.get(r.nextInt(templates.size()));
            int newid = cluster.nextFreeVmid();
            cluster.cloneStart(template.vmid(), newid, "clone-" + newid, r);
            unfinished.put(newid, 1 + r.nextInt(3));
            return "clone vmid=" + template.vmid() + " to " + newid;
        }
        if (guests.isEmpty()) {
            return null;
        }
        Guest guest = guests.get(r.nextInt(guests.size()));
        int vmid = guest.vmid();
        if (roll == 3 && !templates.isEmpty()) {
            // the hoster's way: destroy a customer's VM, then clone the template into its vmid
            Guest template = templates.get(r.nextInt(templates.size()));
            cluster.delete(vmid);
            cluster.cloneStart(template.vmid(), vmid, "clone-" + vmid, r);
            unfinished.put(vmid, 1 + r.nextInt(3));
            return "clone-reuse vmid=" + template.vmid() + " to " + vmid;
        }
        if (roll == 4) {
            cluster.reuseVmidKeepingNameAndStatus(vmid, r);
            return "lookalike vmid=" + vmid;
        }
        Backup earlier = backups.get(vmid);
        boolean sameVm = earlier != null && earlier.guest().id().uuid().equals(guest.id().uuid())
                && earlier.guest().id().mac().equals(guest.id().mac());
        if (roll >= 6 && sameVm && guest.isQemu()) {
            if (guest.processRunning()) {
                cluster.stop(vmid); // a restore needs the VM stopped
            }
            cluster.restoreStart(vmid, earlier, false, r);
            unfinished.put(vmid, 1 + r.nextInt(3));
            return "restore vmid=" + vmid + " from " + earlier.volid();
        }
        backups.put(vmid, cluster.backup(vmid));
        return "backup vmid=" + vmid;
    }
}
