package io.pvesync.sim;

import io.pvesync.sim.SimCluster.Freshness;
import io.pvesync.sim.SimVm.Kind;
import java.util.List;
import java.util.Random;

/**
 * One plausible change at a time, for the demo and soak runs: what a busy cluster sees in a
 * minute. Only guests on online nodes change (nobody starts a VM on a dead node), and deletion
 * stops at a floor so a long run does not empty the cluster. Every choice comes from the given
 * {@link Random}, so a seeded one replays the same changes on the same cluster.
 */
final class RandomChanges {

    private static final int[] VCPUS = {1, 2, 4, 8};
    private static final int[] MEMORY_MIB = {1024, 2048, 4096, 8192};

    private final SimCluster cluster;
    private final int floor;

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
}
