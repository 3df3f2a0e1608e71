package io.pvesync.status;

import io.pvesync.config.MissingPolicy;
import io.pvesync.store.ClusterStates;
import io.pvesync.sync.SyncMode;
import io.pvesync.sync.SyncOutcome;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The sync state of every configured cluster, as {@code /health}, {@code /status}, the health
 * gauge and the scheduler's backoff read it. Fed by the passes this instance runs; with a shared
 * table ({@link ClusterStates}) every event is also written there and the table is read back, so
 * every instance tells the same story whichever instance ran the pass (DESIGN.md 3.11). Nothing
 * here calls Proxmox, and {@link #health()} and {@link #clusters()} never wait for the database:
 * they answer from what the last refresh read ({@link #refresh()}, every two seconds in the daemon).
 * Thread-safe.
 *
 * <h2>Health rules</h2>
 * The daemon is unhealthy when any of these holds, with one reason per problem:
 * <ul>
 *   <li>it is shutting down ({@link #stopping()});</li>
 *   <li>a cluster has never synced: {@code cluster lab is starting: ...} until {@code staleAfter}
 *       has passed since the daemon started, {@code cluster lab has not synced yet ...} after;</li>
 *   <li>a cluster's last successful pass ended longer than {@code staleAfter} ago;</li>
 *   <li>no pass of a cluster has ended since this daemon started (by any instance): {@code starting}.
 *       What a pass before the start said is shown, but not vouched for;</li>
 *   <li>a cluster's latest pass was degraded: {@code cluster lab is degraded: <the problem>}. A pass
 *       is judged degraded here too when the cluster's passes have held more than the guard's share
 *       of its VMs (offline nodes, a non-quorate view) for longer than {@code staleAfter}: rows that
 *       cannot follow Proxmox are news.</li>
 * </ul>
 * A successful pass is one that wrote the table: ok, or degraded. A single failed pass after a
 * success is not yet a reason: health turns once the table is older than {@code staleAfter};
 * {@code /status} and the metrics show every failure at once.
 */
public final class SyncHealth {
    private final Duration staleAfter;
    private final Clock clock;
    private final Instant startedAt;
    private final String instance;
    private final Map<String, MissingPolicy> guards; // config order
    private final SharedRecords shared;
    private final Map<String, ClusterRecord> records = new LinkedHashMap<>(); // guarded by this
    private final Map<String, Instant> nextRuns = new HashMap<>(); // this instance's scheduler; guarded by this
    private boolean stopping; // guarded by this

    /** A single instance's view, with the default guard: for tests and tools that share nothing. */
    public SyncHealth(List<String> clusters, Duration staleAfter, Clock clock) {
        this(guards(clusters), staleAfter, clock, "", null);
    }

    /**
     * @param clusters   the configured clusters' guards by name, in the order {@code /status} lists them
     * @param staleAfter how old the last successful pass of a cluster may be before health turns
     * @param clock      the time source; the daemon's start is read from it now
     * @param instance   this instance's name, recorded with the passes it runs (empty: not named)
     * @param shared     the table every instance shares; null when this instance is alone
     * @throws IllegalArgumentException for no cluster, or a staleAfter that is not positive
     */
    public SyncHealth(Map<String, MissingPolicy> clusters, Duration staleAfter, Clock clock, String instance,
                      ClusterStates shared) {
        if (clusters.isEmpty()) {
            throw new IllegalArgumentException("no cluster to watch");
        }
        if (staleAfter.isNegative() || staleAfter.isZero()) {
            throw new IllegalArgumentException("staleAfter must be positive, not " + staleAfter);
        }
        this.guards = new LinkedHashMap<>(clusters);
        guards.keySet().forEach(name -> records.put(Objects.requireNonNull(name, "cluster"), ClusterRecord.NONE));
        this.staleAfter = staleAfter;
        this.clock = clock;
        this.startedAt = clock.instant();
        this.instance = instance;
        this.shared = shared == null ? null : new SharedRecords(shared, guards.keySet());
    }

    private static Map<String, MissingPolicy> guards(List<String> clusters) {
        Map<String, MissingPolicy> out = new LinkedHashMap<>();
        for (String name : clusters) {
            if (out.put(Objects.requireNonNull(name, "cluster"), MissingPolicy.DEFAULT) != null) {
                throw new IllegalArgumentException("cluster " + name + " is listed twice");
            }
        }
        return out;
    }

    /** How old a cluster's last success may be before health turns (status.stale-after). */
    public Duration staleAfter() {
        return staleAfter;
    }

    /** When this instance started: a cluster with no success yet is unhealthy once stale-after has passed since. */
    public Instant startedAt() {
        return startedAt;
    }

    /** This instance's name as recorded with its passes (host/pid in the daemon); empty when not named. */
    public String instance() {
        return instance;
    }

    /** The present time by the clock the verdicts use, so a page's "ago" agrees with them. */
    Instant now() {
        return clock.instant();
    }

    /** The configured clusters, in config order. */
    public synchronized List<String> clusterNames() {
        return List.copyOf(records.keySet());
    }

    /**
     * A pass of {@code cluster} began now on this instance.
     *
     * @throws IllegalArgumentException for a cluster that is not configured (as do all the feeding methods)
     */
    public void started(String cluster, SyncMode mode) {
        update(cluster, r -> r.started(mode, clock.instant(), instance));
    }

    /**
     * A pass ended: records it (on top of what any instance recorded before) and returns it as
     * judged here, which is the outcome itself unless the cluster has been holding too much of
     * itself for too long (see the class comment).
     */
    public SyncOutcome finished(SyncOutcome outcome) {
        String cluster = outcome.cluster();
        MissingPolicy guard = guard(cluster);
        SyncOutcome[] judged = {outcome};
        update(cluster, r -> {
            ClusterRecord next = r.finished(outcome, instance, guard);
            Optional<String> holding = next.holding().flatMap(h -> {
                Duration lasting = Duration.between(h.since(), next.lastPassEnded().orElse(h.since()));
                return lasting.compareTo(staleAfter) > 0 ? Optional.of(h.describe(lasting)) : Optional.empty();
            });
            if (holding.isPresent() && outcome.result() == SyncOutcome.Result.OK) {
                judged[0] = outcome.degraded(holding.get());
                return r.finished(judged[0], instance, guard);
            }
            return next;
        });
        return judged[0];
    }

    /** The scheduler's next pass of {@code cluster} on this instance starts at {@code nextRun}; null = none planned. */
    public synchronized void scheduled(String cluster, Instant nextRun) {
        guard(cluster);
        nextRuns.put(cluster, nextRun);
    }

    /** Scheduled passes of {@code cluster} rest until {@code until} on every instance; null = no longer. */
    public void backingOff(String cluster, Instant until) {
        update(cluster, r -> r.backingOff(until));
    }

    /**
     * The failures in a row and the rest recorded for {@code cluster} by any instance, read from
     * the shared table now when there is one (the scheduler asks before each scheduled pass).
     */
    public Rest rest(String cluster) {
        guard(cluster);
        if (shared != null) {
            shared.pull(cluster).ifPresent(r -> adopt(cluster, r));
        }
        synchronized (this) {
            ClusterRecord r = records.get(cluster);
            return new Rest(r.consecutiveFailures(), r.backoffUntil());
        }
    }

    /** What {@link #rest} answers. */
    public record Rest(int failures, Optional<Instant> until) {
    }

    /**
     * Reads the shared table into this instance's view, first writing what an earlier write could
     * not. Called every two seconds by the daemon; a database that cannot be read leaves the view
     * as it was (logged once).
     */
    public void refresh() {
        if (shared == null) {
            return;
        }
        shared.retry();
        long generation = shared.generation();
        Map<String, ClusterRecord> read = shared.readNow();
        synchronized (this) {
            if (shared.generation() != generation) {
                return; // a record changed or was stored meanwhile: this read may be older than it
            }
            read.forEach((cluster, r) -> {
                if (records.containsKey(cluster) && !shared.isPending(cluster)) {
                    records.put(cluster, r);
                }
            });
        }
    }

    /** The daemon is shutting down: health reports it from now on, so a load balancer lets go first. */
    public synchronized void stopping() {
        stopping = true;
    }

    /** The verdict by the rules in the class comment, at the clock's present time. */
    public synchronized Health health() {
        Instant now = clock.instant();
        List<String> reasons = new ArrayList<>();
        boolean onlyStarting = !stopping;
        if (stopping) {
            reasons.add("shutting down");
        }
        for (Map.Entry<String, ClusterRecord> e : records.entrySet()) {
            Verdict v = verdict(e.getKey(), e.getValue(), now);
            v.reasons.forEach(reasons::add);
            onlyStarting &= v.starting || v.reasons.isEmpty();
        }
        return new Health(reasons.isEmpty(), !reasons.isEmpty() && onlyStarting, reasons);
    }

    private record Verdict(List<String> reasons, boolean starting) {
    }

    private Verdict verdict(String name, ClusterRecord r, Instant now) {
        List<String> reasons = new ArrayList<>();
        Optional<Instant> ended = r.lastPassEnded();
        boolean endedSinceStart = ended.isPresent() && !ended.get().isBefore(startedAt);
        Duration up = Duration.between(startedAt, now);
        if (r.lastSuccess().isEmpty()) {
            if (!endedSinceStart && up.compareTo(staleAfter) < 0) {
                return new Verdict(List.of("cluster " + name + " is starting: no pass has finished since pvesync"
                        + " started " + Ages.format(up) + " ago" + context(r, now)), true);
            }
            reasons.add("cluster " + name + " has not synced yet (started " + Ages.format(up) + " ago)"
                    + context(r, now));
        } else {
            Duration age = Duration.between(r.lastSuccess().get(), now);
            if (age.compareTo(staleAfter) > 0) {
                reasons.add("cluster " + name + " has not synced for " + Ages.format(age) + context(r, now));
            } else if (!endedSinceStart) {
                return new Verdict(List.of("cluster " + name + " is starting: no pass has finished since pvesync"
                        + " started " + Ages.format(up) + " ago (the latest, " + Ages.format(age)
                        + " before now, is shown in /status)" + context(r, now)), true);
            }
        }
        r.lastPass().filter(p -> p.result() == SyncOutcome.Result.DEGRADED).ifPresent(p ->
                reasons.add("cluster " + name + " is degraded: " + p.problem().orElse("(no reason given)")));
        return new Verdict(reasons, false);
    }

    /** What an operator wants next to "not synced": the error since, else a pass that hangs. */
    private static String context(ClusterRecord r, Instant now) {
        Optional<ClusterState.Problem> error = r.lastError()
                .filter(e -> r.lastSuccess().isEmpty() || e.at().isAfter(r.lastSuccess().get()));
        if (error.isPresent()) {
            return "; last error: " + error.get().text();
        }
        return r.running().map(run -> "; a pass has been running for " + Ages.format(Duration.between(run.since(), now))
                + (run.instance().isEmpty() ? "" : " on " + run.instance())).orElse("");
    }

    /** Snapshots of every cluster, in config order. */
    public synchronized List<ClusterState> clusters() {
        return records.entrySet().stream().map(e -> snapshot(e.getKey(), e.getValue())).toList();
    }

    private ClusterState snapshot(String name, ClusterRecord r) {
        Optional<Instant> lastAttempt = r.running().map(ClusterRecord.Running::since)
                .or(() -> r.lastPass().map(ClusterState.Pass::startedAt));
        return new ClusterState(name, phase(r), r.running().map(ClusterRecord.Running::mode), lastAttempt,
                r.lastSuccess(), r.lastPass(), r.lastApplied(), r.consecutiveFailures(), r.lastError(),
                Optional.ofNullable(nextRuns.get(name)), r.backoffUntil(), r.lastPassBy(),
                r.running().map(ClusterRecord.Running::instance));
    }

    private static ClusterState.Phase phase(ClusterRecord r) {
        if (r.running().isPresent()) {
            return ClusterState.Phase.RUNNING;
        }
        return r.lastPass().map(p -> switch (p.result()) {
            case OK -> ClusterState.Phase.OK;
            case DEGRADED -> ClusterState.Phase.DEGRADED;
            case FAILED -> ClusterState.Phase.FAILED;
        }).orElse(ClusterState.Phase.STARTING);
    }

    /** Applies an event on top of the freshest record (the shared one when readable), then records it. */
    private void update(String cluster, java.util.function.UnaryOperator<ClusterRecord> event) {
        guard(cluster);
        if (shared != null) {
            shared.pull(cluster).ifPresent(r -> adopt(cluster, r));
        }
        ClusterRecord next;
        synchronized (this) {
            next = event.apply(records.get(cluster));
            records.put(cluster, next);
            if (shared != null) {
                shared.changed(cluster, next);
            }
        }
        if (shared != null) {
            shared.push(cluster, next);
        }
    }

    private synchronized void adopt(String cluster, ClusterRecord r) {
        if (!shared.isPending(cluster)) {
            records.put(cluster, r);
        }
    }

    private MissingPolicy guard(String cluster) {
        MissingPolicy guard = guards.get(cluster);
        if (guard == null) {
            throw new IllegalArgumentException("unknown cluster " + cluster + "; configured: "
                    + guards.keySet().stream().collect(Collectors.joining(", ")));
        }
        return guard;
    }
}
