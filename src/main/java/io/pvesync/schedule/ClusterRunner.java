package io.pvesync.schedule;

import io.pvesync.config.Durations;
import io.pvesync.sync.ClusterPass;
import io.pvesync.sync.SyncMode;
import io.pvesync.sync.SyncOutcome;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one door to a cluster's passes: scheduled polls, reconciles and manual requests all come
 * through {@link #run}, which Quartz calls from a job that never runs twice at once. Keeps the
 * cluster's backoff and its pending manual request.
 */
final class ClusterRunner {
    private static final Logger log = LoggerFactory.getLogger(ClusterRunner.class);

    private final ClusterPass pass;
    private final Backoff backoff;
    private final PassListener listener;
    private final PassGate gate;
    private final Clock clock;
    // the manual request waiting for its pass; later requests join it until that pass starts
    private final AtomicReference<CompletableFuture<SyncOutcome>> pendingManual = new AtomicReference<>();
    private int failures;
    private boolean ranHere;
    private Instant restUntil;

    ClusterRunner(ClusterPass pass, Backoff backoff, PassListener listener, PassGate gate, Clock clock) {
        this.pass = pass;
        this.backoff = backoff;
        this.listener = listener;
        this.gate = gate;
        this.clock = clock;
    }

    String cluster() {
        return pass.cluster();
    }

    /**
     * Registers a manual request.
     *
     * @return the future of the pass that will serve it, and whether a new pass must be triggered
     *         (false when the request joined one already waiting)
     */
    Request request() {
        CompletableFuture<SyncOutcome> fresh = new CompletableFuture<>();
        CompletableFuture<SyncOutcome> waiting = pendingManual.compareAndExchange(null, fresh);
        return waiting == null ? new Request(fresh, true) : new Request(waiting, false);
    }

    record Request(CompletableFuture<SyncOutcome> outcome, boolean trigger) {
    }

    /**
     * The pass, inside the gate, recorded before the gate lets the next pass in: another
     * instance's pass waiting at the gate must find this one's outcome in the shared record, or its
     * own start would overwrite it (DESIGN.md 3.11). Null when a scheduled pass found another
     * instance at work.
     */
    private SyncOutcome passThroughGate(SyncMode mode, boolean manual, Instant startedAt, int failuresBefore) {
        Optional<PassGate.Ticket> ticket;
        try {
            ticket = gate.enter(cluster(), manual);
        } catch (RuntimeException e) {
            return record(SyncOutcome.failed(cluster(), mode, startedAt, Duration.between(startedAt, clock.instant()),
                    "database: " + e.getMessage()), failuresBefore);
        }
        if (ticket.isEmpty()) {
            return manual ? record(SyncOutcome.failed(cluster(), mode, startedAt,
                    Duration.between(startedAt, clock.instant()),
                    "another pvesync instance kept a pass of this cluster running; try again"), failuresBefore) : null;
        }
        try (PassGate.Ticket held = ticket.get()) {
            listener.started(cluster(), mode);
            return record(pass.run(mode), failuresBefore);
        }
    }

    /** Records the outcome, and with it the failures in a row and the rest that follows. */
    private SyncOutcome record(SyncOutcome outcome, int failuresBefore) {
        Instant ended = clock.instant();
        listener.finished(outcome);
        if (outcome.result() == SyncOutcome.Result.FAILED) {
            failures = listener.recorded(cluster()).map(PassListener.Rest::failures).orElse(failuresBefore + 1);
            // from the pass's end, not from now: recording it may have waited for the database
            restUntil = ended.plus(backoff.after(failures));
            if (failures == 1 || Integer.bitCount(failures) == 1) {
                log.warn("cluster={} - {} failure(s) in a row; next scheduled attempt in {} (backing off up to {};"
                        + " pvesync resync tries at once)", cluster(), failures,
                        Durations.format(backoff.after(failures)), Durations.format(backoff.cap()));
            }
            listener.backingOff(cluster(), restUntil);
        } else {
            if (failuresBefore > 0) {
                log.info("cluster={} - synced again after {} failure(s)", cluster(), failuresBefore);
                listener.backingOff(cluster(), null);
            }
            failures = 0;
            restUntil = null;
        }
        return outcome;
    }

    /** Forgets a request whose trigger could not be scheduled. */
    void cancel(Request request, Throwable why) {
        pendingManual.compareAndSet(request.outcome(), null);
        request.outcome().completeExceptionally(why);
    }

    /**
     * Runs one pass unless the cluster is resting after failures (scheduled passes only: an
     * operator's request always runs). Called by Quartz, never concurrently for one cluster.
     *
     * @return the outcome, or null when the pass was skipped
     */
    synchronized SyncOutcome run(SyncMode mode, boolean manual) {
        CompletableFuture<SyncOutcome> serving = manual ? pendingManual.getAndSet(null) : null;
        Instant now = clock.instant();
        // what every instance recorded wins over this instance's own count (DESIGN.md 3.11)
        Optional<PassListener.Rest> recorded = listener.recorded(cluster());
        int failuresBefore = recorded.map(PassListener.Rest::failures).orElse(failures);
        // this instance's first pass tries at once: an operator restarts to fix what failed
        Instant resting = !ranHere ? null : recorded.isPresent() ? recorded.get().until().orElse(null) : restUntil;
        if (!manual && resting != null && now.isBefore(resting)) {
            log.debug("cluster={} - {} skipped: resting after {} failure(s) until {}", cluster(),
                    mode.name().toLowerCase(java.util.Locale.ROOT), failuresBefore, resting);
            return null;
        }
        SyncOutcome outcome;
        try {
            outcome = passThroughGate(mode, manual, now, failuresBefore);
        } catch (RuntimeException | Error bug) {
            // a pass reports its own failures; reaching this is a bug, but the requester must not hang
            if (serving != null) {
                serving.completeExceptionally(bug);
            }
            throw bug;
        }
        ranHere = true;
        if (outcome == null) {
            // INFO: Quartz already keeps the instances of a clustered schedule apart, so a skip
            // means a manual sync, or an instance outside the cluster, overlapped
            log.info("cluster={} - {} skipped: another pvesync is running a pass of this cluster ({}); the next"
                    + " scheduled pass tries again", cluster(),
                    mode.name().toLowerCase(java.util.Locale.ROOT),
                    gate.holder(cluster()).map(h -> "its pass lock is held by " + h).orElse("holder unknown"));
            return null;
        }
        if (serving != null) {
            serving.complete(outcome);
        }
        return outcome;
    }
}
