package io.pvesync.sim;

import java.time.Duration;
import java.time.Instant;

/**
 * One simulated node. Every node has the same hardware; guests may overcommit it, as in a
 * benchmark cluster nobody boots.
 *
 * @param name   {@code pve1}, {@code pve2}, ...
 * @param nodeid the corosync node id, from 1
 * @param ip     the address {@code /cluster/status} gives for it
 */
record SimNode(String name, int nodeid, String ip) {

    static final int HOST_CPUS = 32;
    static final long HOST_MEMORY = 128L << 30;
    static final long HOST_DISK = 100L << 30;

    /** Seconds since the node booted: ten days and some hours before the simulator started, then the clock's time. */
    long uptime(Instant booted, Instant now) {
        return 864_000L + nodeid * 3_600L + Math.max(0, Duration.between(booted, now).getSeconds());
    }

    static SimNode numbered(int nodeid) {
        return new SimNode("pve" + nodeid, nodeid, "10.10." + (nodeid / 250) + "." + (nodeid % 250 + 1));
    }
}
