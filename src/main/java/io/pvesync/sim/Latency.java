package io.pvesync.sim;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Turns a {@link Timing} into the wait before each answer: the path a call takes through the
 * nodes' pveproxy and pvedaemon workers (doc section 2), each holding a worker for its service
 * time. Every draw is seeded by the simulator's seed, the path and how many times that path was
 * asked before, so a run's times do not depend on how threads interleave.
 */
final class Latency {

    /** What the guest agent does with a call, for its time. */
    enum AgentCall {
        /** Refused before the agent is asked: no agent key, VM stopped, agent off (no QGA socket). */
        REFUSED,
        /** The agent answers (interfaces or its own error). */
        ANSWERS,
        /** Enabled but silent: the 3 s ping times out. */
        SILENT
    }

    // salts that keep the draws of one request's steps apart
    private static final long ASKED_BASE = 1;
    private static final long NODE_BASE = 2;
    private static final long DAEMON_BASE = 3;
    private static final long HANDLER = 4;

    private final Timing timing;
    private final long seed;
    private final Map<String, WorkerPool> proxies = new HashMap<>();
    private final Map<String, WorkerPool> daemons = new HashMap<>();

    Latency(Timing timing, long seed, List<String> nodes) {
        this.timing = timing;
        this.seed = seed;
        for (String node : nodes) {
            proxies.put(node, new WorkerPool(timing.proxyWorkers()));
            daemons.put(node, new WorkerPool(timing.daemonWorkers()));
        }
    }

    /**
     * One request's draws and its way through the workers.
     *
     * @param asked the node whose endpoint was asked
     * @param path  the request path, for the draws
     * @param nth   how many times this path was asked, this time included
     */
    Call call(String asked, String path, long nth) {
        return new Call(asked, path.hashCode(), nth);
    }

    /** The waits of one request, from when it arrived. */
    final class Call {
        private final String asked;
        private final long arrived = System.nanoTime();
        private final int pathHash;
        private final long nth;

        private Call(String asked, int pathHash, long nth) {
            this.asked = asked;
            this.pathHash = pathHash;
            this.nth = nth;
        }

        /** A handler in the pveproxy of the node asked: {@code /version}, {@code /cluster/status}, ... */
        Duration local() {
            return local(0);
        }

        /** {@code /cluster/resources} with that many rows: {@code a + b*rows}, log-normal around it. */
        Duration resources(int rows) {
            long median = timing.resourcesFixed().toNanos() + timing.resourcesPerRow().toNanos() * rows;
            return local(listing(median));
        }

        /** A guest's config: read in the pveproxy of the guest's node. */
        Duration config(String node) {
            return unprotected(node, draw(timing.config()));
        }

        Duration status(String node, boolean running) {
            return inDaemon(node, draw(running ? timing.statusRunning() : timing.statusStopped()));
        }

        Duration agent(String node, AgentCall call) {
            long nanos = switch (call) {
                case REFUSED -> 0;
                case ANSWERS -> draw(timing.agentAnswering());
                case SILENT -> {
                    long from = timing.agentDownFrom().toNanos();
                    long span = timing.agentDownTo().toNanos() - from;
                    yield from + (long) (span * random(HANDLER).nextDouble());
                }
            };
            return inDaemon(node, nanos);
        }

        Duration lxcInterfaces(String node, boolean running) {
            return inDaemon(node, draw(running ? timing.lxcInterfacesRunning() : timing.lxcInterfacesStopped()));
        }

        /** {@code /nodes/{node}/qemu}: a {@code vmstatus} per guest of that node. */
        Duration nodeList(String node, int guests) {
            long median = timing.listFixed().toNanos() + timing.listPerGuest().toNanos() * guests;
            return inDaemon(node, listing(median));
        }

        private Duration local(long handler) {
            if (timing.isNone()) {
                return Duration.ZERO;
            }
            return since(proxies.get(asked).reserve(arrived, base(ASKED_BASE) + handler));
        }

        /** Proxied to the node's pveproxy when it is another one, whose worker runs the handler. */
        private Duration unprotected(String node, long handler) {
            if (timing.isNone()) {
                return Duration.ZERO;
            }
            if (node.equals(asked)) {
                return local(handler);
            }
            long rtt = timing.nodeRtt().toNanos();
            long forwarded = proxies.get(asked).reserve(arrived, base(ASKED_BASE)); // then async: the worker is free
            return since(proxies.get(node).reserve(forwarded + rtt / 2, base(NODE_BASE) + handler) + rtt / 2);
        }

        /** Protected: through the node's pveproxy (proxied there first if need be) to its pvedaemon. */
        private Duration inDaemon(String node, long handler) {
            if (timing.isNone()) {
                return Duration.ZERO;
            }
            long rtt = node.equals(asked) ? 0 : timing.nodeRtt().toNanos();
            long at = proxies.get(asked).reserve(arrived, base(ASKED_BASE));
            if (rtt > 0) {
                at = proxies.get(node).reserve(at + rtt / 2, base(NODE_BASE));
            }
            long done = daemons.get(node).reserve(at + timing.daemonConnect().toNanos(), base(DAEMON_BASE) + handler);
            return since(done + rtt / 2);
        }

        private long listing(long median) {
            Duration m = Duration.ofNanos(median);
            return draw(new Timing.Spread(m, Duration.ofNanos((long) (median * timing.listingP95Ratio()))));
        }

        private long base(long salt) {
            return timing.base().nanos(random(salt).nextGaussian());
        }

        private long draw(Timing.Spread spread) {
            return spread.nanos(random(HANDLER).nextGaussian());
        }

        private SplittableRandom random(long salt) {
            return new SplittableRandom(seed * 0x9E3779B97F4A7C15L + pathHash * 0xBF58476D1CE4E5B9L + nth * 31 + salt);
        }

        private Duration since(long done) {
            return Duration.ofNanos(Math.max(0, done - System.nanoTime()));
        }
    }
}
