package io.pvesync.status;

import io.pvesync.sync.SyncMode;
import io.pvesync.sync.SyncOutcome;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The sync state of every configured cluster: fed by the scheduler, read by {@code /health},
 * {@code /status} and the health gauge. It only records what passes reported; nothing here calls
 * Proxmox, so a slow or dead cluster never makes the endpoint slow. Thread-safe.
 *
 * <h2>Health rules</h2>
 * The daemon is unhealthy when any of these holds, with one reason per problem:
 * <ul>
 *   <li>it is shutting down ({@link #stopping()}): {@code shutting down};</li>
 *   <li>a cluster has not synced since the daemon started and {@code staleAfter} has passed since
 *       then: {@code cluster lab has not synced yet (started 5m 2s ago); last error: ...};</li>
 *   <li>a cluster's last successful pass ended longer than {@code staleAfter} ago:
 *       {@code cluster lab has not synced for 6m 3s; last error: ...};</li>
 *   <li>a cluster's latest pass was degraded: {@code cluster lab is degraded: <the problem>}.</li>
 * </ul>
 * A successful pass is one that wrote the table: ok, or degraded (a degraded pass did write, so its
 * rows are current; it is unhealthy by the last rule, not for staleness).
 *
 * <p><b>The start window.</b> Until {@code staleAfter} has passed since the daemon started, a cluster
 * that has not synced yet is not a reason: the first pass may take a while and a monitor should not
 * page for a daemon that is still coming up (a restart would page every time otherwise). {@code
 * /status} shows such a cluster as {@link ClusterState.Phase#STARTING} (or {@code running}, or {@code
 * failed} with its error), so the wait is visible. A failed pass within the window, or a single
 * failed pass after an older success, is likewise not yet a reason: health turns only once the table
 * is older than {@code staleAfter}; {@code /status} and the metrics show every failure at once.
 */
public final class SyncHealth {
    private final Duration staleAfter;
    private final Clock clock;
    private final Instant startedAt;
    private final Map<String, Track> tracks = new LinkedHashMap<>(); // guarded by this; config order
    private boolean stopping; // guarded by this

    /**
     * @param clusters   the configured clusters' names, in the order {@code /status} lists them
     * @param staleAfter how old the last successful pass of a cluster may be before health turns
     * @param clock      the time source; the daemon's start is read from it now
     * @throws IllegalArgumentException for no cluster, a duplicate name, or a staleAfter that is not positive
     */
    public SyncHealth(List<String> clusters, Duration staleAfter, Clock clock) {
        if (clusters.isEmpty()) {
            throw new IllegalArgumentException("no cluster to watch");
        }
        if (staleAfter.isNegative() || staleAfter.isZero()) {
            throw new IllegalArgumentException("staleAfter must be positive, not " + staleAfter);
        }
        for (String name : clusters) {
            if (tracks.put(Objects.requireNonNull(name, "cluster"), new Track(name)) != null) {
                throw new IllegalArgumentException("cluster " + name + " is listed twice");
            }
        }
        this.staleAfter = staleAfter;
        this.clock = clock;
        this.startedAt = clock.instant();
    }

    /** The configured clusters, in config order. */
    public synchronized List<String> clusterNames() {
        return List.copyOf(tracks.keySet());
    }

    /**
     * A pass of {@code cluster} began now.
     *
     * @throws IllegalArgumentException for a cluster that is not configured (as do all the feeding methods)
     */
    public synchronized void started(String cluster, SyncMode mode) {
        Track t = track(cluster);
        t.running = mode;
        t.lastAttempt = clock.instant();
    }

    /**
     * A pass ended. Records its result, duration and problem; when it wrote the table (ok or
     * degraded) also its counts, address notes and lookups, the success time (its end) and resets
     * the consecutive failures; when it failed, counts one more consecutive failure.
     */
    public synchronized void finished(SyncOutcome outcome) {
        Track t = track(outcome.cluster());
        t.running = null;
        t.lastAttempt = outcome.startedAt();
        t.lastPass = new ClusterState.Pass(outcome.mode(), outcome.result(), outcome.startedAt(),
                outcome.duration(), outcome.apiRequests(), outcome.problem());
        outcome.problem().ifPresent(p -> t.lastError = new ClusterState.Problem(p, outcome.startedAt()));
        if (outcome.result() == SyncOutcome.Result.FAILED || outcome.apply().isEmpty()) {
            t.consecutiveFailures++;
            return;
        }
        t.consecutiveFailures = 0;
        t.lastSuccess = outcome.startedAt().plus(outcome.duration());
        t.lastApplied = new ClusterState.Applied(ClusterState.Counts.of(outcome.apply().get(), outcome.skipped()),
                outcome.lookups(), outcome.addressNotes());
    }

    /** The scheduler's next pass of {@code cluster} starts at {@code nextRun}; null = none planned. */
    public synchronized void scheduled(String cluster, Instant nextRun) {
        track(cluster).nextRun = nextRun;
    }

    /** The scheduler holds {@code cluster} back until {@code until} after failures; null = no longer. */
    public synchronized void backingOff(String cluster, Instant until) {
        track(cluster).backoffUntil = until;
    }

    /** The daemon is shutting down: health reports it from now on, so a load balancer lets go first. */
    public synchronized void stopping() {
        stopping = true;
    }

    /** The verdict by the rules in the class comment, at the clock's present time. */
    public synchronized Health health() {
        Instant now = clock.instant();
        List<String> reasons = new ArrayList<>();
        if (stopping) {
            reasons.add("shutting down");
        }
        for (Track t : tracks.values()) {
            t.staleness(now).ifPresent(reasons::add);
            if (t.lastPass != null && t.lastPass.result() == SyncOutcome.Result.DEGRADED) {
                reasons.add("cluster " + t.name + " is degraded: " + t.lastPass.problem().orElse("(no reason given)"));
            }
        }
        return new Health(reasons.isEmpty(), reasons);
    }

    /** Snapshots of every cluster, in config order. */
    public synchronized List<ClusterState> clusters() {
        return tracks.values().stream().map(Track::snapshot).toList();
    }

    private Track track(String cluster) {
        Track t = tracks.get(cluster);
        if (t == null) {
            throw new IllegalArgumentException("unknown cluster " + cluster + "; configured: "
                    + String.join(", ", tracks.keySet()));
        }
        return t;
    }

    /** One cluster's mutable record; only touched under the SyncHealth's lock. */
    private final class Track {
        final String name;
        SyncMode running; // null when no pass runs
        Instant lastAttempt;
        Instant lastSuccess;
        ClusterState.Pass lastPass;
        ClusterState.Applied lastApplied;
        int consecutiveFailures;
        ClusterState.Problem lastError;
        Instant nextRun;
        Instant backoffUntil;

        Track(String name) {
            this.name = name;
        }

        Optional<String> staleness(Instant now) {
            if (lastSuccess == null) {
                Duration up = Duration.between(startedAt, now);
                if (up.compareTo(staleAfter) < 0) {
                    return Optional.empty(); // the start window: see the class comment
                }
                return Optional.of("cluster " + name + " has not synced yet (started " + Ages.format(up) + " ago)"
                        + context(now));
            }
            Duration age = Duration.between(lastSuccess, now);
            if (age.compareTo(staleAfter) <= 0) {
                return Optional.empty();
            }
            return Optional.of("cluster " + name + " has not synced for " + Ages.format(age) + context(now));
        }

        /** What an operator wants next to "not synced": the error since, else a pass that hangs. */
        private String context(Instant now) {
            if (lastError != null && (lastSuccess == null || lastError.at().isAfter(lastSuccess))) {
                return "; last error: " + lastError.text();
            }
            if (running != null) {
                return "; a pass has been running for " + Ages.format(Duration.between(lastAttempt, now));
            }
            return "";
        }

        ClusterState snapshot() {
            return new ClusterState(name, phase(), Optional.ofNullable(running), Optional.ofNullable(lastAttempt),
                    Optional.ofNullable(lastSuccess), Optional.ofNullable(lastPass), Optional.ofNullable(lastApplied),
                    consecutiveFailures, Optional.ofNullable(lastError), Optional.ofNullable(nextRun),
                    Optional.ofNullable(backoffUntil));
        }

        private ClusterState.Phase phase() {
            if (running != null) {
                return ClusterState.Phase.RUNNING;
            }
            if (lastPass == null) {
                return ClusterState.Phase.STARTING;
            }
            return switch (lastPass.result()) {
                case OK -> ClusterState.Phase.OK;
                case DEGRADED -> ClusterState.Phase.DEGRADED;
                case FAILED -> ClusterState.Phase.FAILED;
            };
        }
    }
}
