package io.pvesync.sim;

import java.time.Duration;
import java.util.Objects;

/**
 * How long the simulated Proxmox takes to answer, and with how many workers per node: the model
 * of {@code ../shared/pve-latency.md} sections 2 and 3 ("doc" below; {@code #n} are the rows of
 * its table 1, M measured, D derived, S read from source, G guessed). BENCHMARKS.md "The realistic
 * timing model" lists every parameter with its source and where this model differs from the doc.
 *
 * <p>A request first holds a pveproxy worker of the node asked (its base cost, plus the handler
 * when it runs there); a call for another node then crosses {@code nodeRtt} and holds a pveproxy
 * worker there; a protected call (lists, {@code status/current}, the guest agent, container
 * interfaces) then holds a pvedaemon worker of the guest's node for {@code daemonConnect}, the base
 * cost and its service time. Calls beyond a node's workers wait in one FIFO queue per pool.
 *
 * @param proxyWorkers          pveproxy workers per node (#23, S: 3)
 * @param daemonWorkers         pvedaemon workers per node (#23, S: 3)
 * @param base                  parse, token check, ACL, JSON and log of one request, per daemon it passes (doc 3.1, G)
 * @param daemonConnect         pveproxy's connect to the local pvedaemon (#21, S: about 0.2 ms)
 * @param nodeRtt               one round trip between two nodes' pveproxy, added when the guest's node is not the one asked (G)
 * @param resourcesFixed        {@code /cluster/resources}: the {@code a} of {@code T = a + b*rows} (doc 3.2, G bounded by #1, #2a)
 * @param resourcesPerRow       {@code /cluster/resources}: the {@code b} (doc 3.2, G; IPC part M #4)
 * @param listingP95Ratio       p95 over median of the listings' service times (doc 3.2: 2); 1 makes them fixed
 * @param listFixed             {@code /nodes/{n}/qemu}: fixed part (doc 3.2, G)
 * @param listPerGuest          {@code /nodes/{n}/qemu}: per guest on that node (doc 3.2: 5-40 ms, G)
 * @param config                a guest's {@code config}, in the pveproxy of its node (doc 3.2, G bounded by #3a)
 * @param statusRunning         {@code status/current} of a guest with a process (doc 3.2, G)
 * @param statusStopped         {@code status/current} of a stopped guest (doc 3.2, G)
 * @param agentAnswering        the guest agent's interfaces when the agent answers (doc 3.3, G; one M sample #5b)
 * @param agentDownFrom         agent enabled but silent: the ping's timeout, uniform from (doc 3.3, M #5/#6, S #7)
 * @param agentDownTo           ... to
 * @param lxcInterfacesRunning  a running container's interfaces: two fork/execs (doc 3.2, S + G)
 * @param lxcInterfacesStopped  a stopped container's: {@code lxc-info} only (doc 3.2, S + G)
 */
public record Timing(int proxyWorkers, int daemonWorkers, Spread base, Duration daemonConnect, Duration nodeRtt,
                     Duration resourcesFixed, Duration resourcesPerRow, double listingP95Ratio, Duration listFixed,
                     Duration listPerGuest, Spread config, Spread statusRunning, Spread statusStopped,
                     Spread agentAnswering, Duration agentDownFrom, Duration agentDownTo, Spread lxcInterfacesRunning,
                     Spread lxcInterfacesStopped) {

    private static final Timing NONE = new Timing(3, 3, Spread.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO,
            Duration.ZERO, 1, Duration.ZERO, Duration.ZERO, Spread.ZERO, Spread.ZERO, Spread.ZERO, Spread.ZERO,
            Duration.ZERO, Duration.ZERO, Spread.ZERO, Spread.ZERO);

    /**
     * A service time: log-normal with this median and 95th percentile (doc 3: "use a log-normal with
     * the given median and p95"), never above 10 times the p95; fixed when the p95 is not above the
     * median.
     */
    public record Spread(Duration median, Duration p95) {
        /** No time at all. */
        public static final Spread ZERO = fixed(Duration.ZERO);

        public Spread {
            Objects.requireNonNull(median, "median");
            Objects.requireNonNull(p95, "p95");
            if (median.isNegative() || p95.isNegative()) {
                throw new IllegalArgumentException("service time " + median + " / p95 " + p95 + ": must not be negative");
            }
        }

        public static Spread fixed(Duration time) {
            return new Spread(time, time);
        }

        /** Median and p95 in milliseconds (fractions allowed). */
        public static Spread millis(double median, double p95) {
            return new Spread(ofMillis(median), ofMillis(p95));
        }

        /** The time for a standard normal draw {@code z}, in nanoseconds. */
        long nanos(double z) {
            long median = this.median.toNanos();
            long p95 = this.p95.toNanos();
            if (p95 <= median || median == 0) {
                return median;
            }
            double sigma = Math.log((double) p95 / median) / 1.6448536; // z of the 95th percentile
            return (long) Math.min(median * Math.exp(sigma * z), 10.0 * p95);
        }
    }

    /** No added time: answers as fast as the machine allows (what the tests and the demo use). */
    public static Timing none() {
        return NONE;
    }

    /** The doc's model (sections 3.1-3.3), as BENCHMARKS.md tabulates it; what {@code pvesync bench} uses. */
    public static Timing realistic() {
        return new Timing(
                3, // #23 S: max_workers => 3 in pveproxy.pm and pvedaemon.pm
                3, // #23 S
                Spread.millis(2, 6), // doc 3.1 G: base cost of pveproxy and of pvedaemon, consistent with #3a
                ofMillis(0.2), // #21 S: "about 0.2 ms"
                ofMillis(0.5), // G (not in the doc): one LAN round trip between nodes
                ofMillis(10), // doc 3.2 G: a = 10 ms (range 5-20), bounded by #1 (158 ms, 3 rows) and #2a
                ofMillis(0.1), // doc 3.2 G: b = 0.1 ms/row (range 0.05-0.3): 500 guests ~60 ms <= #2a's ~150 ms
                2, // doc 3.2 G: p95 = 2x median
                ofMillis(20), // doc 3.2 G
                ofMillis(15), // doc 3.2 G: 5-40 ms per guest, the geometric middle; bounded by M #10-#12
                Spread.millis(3, 10), // doc 3.2 G, bounded by D #3a (13 ms per config incl. everything)
                Spread.millis(15, 50), // doc 3.2 G: running VM, QMP queries
                Spread.millis(6, 20), // doc 3.2 G: median 6 ms; p95 (20 ms) G here, the doc gives none
                Spread.millis(30, 300), // doc 3.3 G: Linux guest
                ofMillis(3050), // doc 3.3: uniform 3.05-3.35 s, M #5 (3.085 s) and #6 (3.318 s), S #7 (3 s ping)
                ofMillis(3350),
                Spread.millis(25, 80), // doc 3.2 S + G: lxc-info -p, nsenter ... ip --json a
                Spread.millis(10, 30)); // doc 3.2 S + G: median 10 ms; p95 (30 ms) G here
    }

    public Timing {
        if (proxyWorkers < 1 || proxyWorkers > 127 || daemonWorkers < 1 || daemonWorkers > 127) {
            // MAX_WORKERS in /etc/default/pveproxy and pvedaemon takes 1-127 (#23)
            throw new IllegalArgumentException("workers: pveproxy " + proxyWorkers + ", pvedaemon " + daemonWorkers
                    + ": each must be 1-127, as MAX_WORKERS allows");
        }
        if (agentDownTo.compareTo(agentDownFrom) < 0) {
            throw new IllegalArgumentException("agent down: " + agentDownTo + " is before " + agentDownFrom);
        }
        if (listingP95Ratio < 1) {
            throw new IllegalArgumentException("listingP95Ratio " + listingP95Ratio + ": at least 1");
        }
        for (Duration d : new Duration[] {daemonConnect, nodeRtt, resourcesFixed, resourcesPerRow, listFixed,
            listPerGuest, agentDownFrom}) {
            if (d.isNegative()) {
                throw new IllegalArgumentException("timing: negative duration " + d);
            }
        }
    }

    /** Whether nothing takes any time, so no request needs a worker at all. */
    boolean isNone() {
        return equals(NONE);
    }

    public Timing withWorkers(int pveproxy, int pvedaemon) {
        return new Timing(pveproxy, pvedaemon, base, daemonConnect, nodeRtt, resourcesFixed, resourcesPerRow,
                listingP95Ratio, listFixed, listPerGuest, config, statusRunning, statusStopped, agentAnswering,
                agentDownFrom, agentDownTo, lxcInterfacesRunning, lxcInterfacesStopped);
    }

    /** The base cost per daemon, the pvedaemon connect and the node-to-node round trip. */
    public Timing withOverheads(Spread perDaemon, Duration toPvedaemon, Duration betweenNodes) {
        return new Timing(proxyWorkers, daemonWorkers, perDaemon, toPvedaemon, betweenNodes, resourcesFixed,
                resourcesPerRow, listingP95Ratio, listFixed, listPerGuest, config, statusRunning, statusStopped,
                agentAnswering, agentDownFrom, agentDownTo, lxcInterfacesRunning, lxcInterfacesStopped);
    }

    /** {@code /cluster/resources} takes {@code fixed + perRow * rows}, p95 at {@code p95Ratio} times that. */
    public Timing withResources(Duration fixed, Duration perRow, double p95Ratio) {
        return new Timing(proxyWorkers, daemonWorkers, base, daemonConnect, nodeRtt, fixed, perRow, p95Ratio,
                listFixed, listPerGuest, config, statusRunning, statusStopped, agentAnswering, agentDownFrom,
                agentDownTo, lxcInterfacesRunning, lxcInterfacesStopped);
    }

    public Timing withNodeList(Duration fixed, Duration perGuest) {
        return new Timing(proxyWorkers, daemonWorkers, base, daemonConnect, nodeRtt, resourcesFixed, resourcesPerRow,
                listingP95Ratio, fixed, perGuest, config, statusRunning, statusStopped, agentAnswering, agentDownFrom,
                agentDownTo, lxcInterfacesRunning, lxcInterfacesStopped);
    }

    public Timing withConfig(Spread time) {
        return new Timing(proxyWorkers, daemonWorkers, base, daemonConnect, nodeRtt, resourcesFixed, resourcesPerRow,
                listingP95Ratio, listFixed, listPerGuest, time, statusRunning, statusStopped, agentAnswering,
                agentDownFrom, agentDownTo, lxcInterfacesRunning, lxcInterfacesStopped);
    }

    public Timing withStatus(Spread running, Spread stopped) {
        return new Timing(proxyWorkers, daemonWorkers, base, daemonConnect, nodeRtt, resourcesFixed, resourcesPerRow,
                listingP95Ratio, listFixed, listPerGuest, config, running, stopped, agentAnswering, agentDownFrom,
                agentDownTo, lxcInterfacesRunning, lxcInterfacesStopped);
    }

    /** The agent's answer when it runs, and the uniform range of a silent agent's timeout. */
    public Timing withAgent(Spread answering, Duration downFrom, Duration downTo) {
        return new Timing(proxyWorkers, daemonWorkers, base, daemonConnect, nodeRtt, resourcesFixed, resourcesPerRow,
                listingP95Ratio, listFixed, listPerGuest, config, statusRunning, statusStopped, answering, downFrom,
                downTo, lxcInterfacesRunning, lxcInterfacesStopped);
    }

    public Timing withLxcInterfaces(Spread running, Spread stopped) {
        return new Timing(proxyWorkers, daemonWorkers, base, daemonConnect, nodeRtt, resourcesFixed, resourcesPerRow,
                listingP95Ratio, listFixed, listPerGuest, config, statusRunning, statusStopped, agentAnswering,
                agentDownFrom, agentDownTo, running, stopped);
    }

    private static Duration ofMillis(double millis) {
        return Duration.ofNanos(Math.round(millis * 1_000_000));
    }
}
