package io.pvesync.status;

import io.pvesync.config.MissingPolicy;
import io.pvesync.store.ApplyResult;
import io.pvesync.sync.SyncMode;
import io.pvesync.sync.SyncOutcome;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * What every instance knows about one cluster's passes, whichever instance ran them: the document
 * kept in {@code pvesync.cluster_state} (DESIGN.md 3.11). Immutable; each event makes a new one.
 *
 * @param running             the pass running now and where; empty when none is
 * @param lastPass            the latest finished pass
 * @param lastPassBy          the instance that ran it
 * @param lastSuccess         when the latest pass that wrote the table ended
 * @param lastApplied         what that pass found
 * @param consecutiveFailures failed passes since then, counted across instances
 * @param lastError           the latest failed or degraded pass's problem
 * @param backoffUntil        scheduled passes rest until then, on every instance
 * @param holding             present while passes keep holding more of the cluster's VMs than the
 *                            guard's share: since when, and how many at the latest pass
 */
record ClusterRecord(
        Optional<Running> running,
        Optional<ClusterState.Pass> lastPass,
        Optional<String> lastPassBy,
        Optional<Instant> lastSuccess,
        Optional<ClusterState.Applied> lastApplied,
        int consecutiveFailures,
        Optional<ClusterState.Problem> lastError,
        Optional<Instant> backoffUntil,
        Optional<Holding> holding) {

    static final ClusterRecord NONE = new ClusterRecord(Optional.empty(), Optional.empty(), Optional.empty(),
            Optional.empty(), Optional.empty(), 0, Optional.empty(), Optional.empty(), Optional.empty());

    /** A pass running now: its kind, when it began, on which instance. */
    record Running(SyncMode mode, Instant since, String instance) {
    }

    /** Passes have held {@code held} of {@code of} VMs (the latest one), more than the guard's share, since {@code since}. */
    record Holding(Instant since, int held, int of) {
        String describe(Duration lasting) {
            return "its passes have held " + held + " of its " + of + " VMs for " + Ages.format(lasting)
                    + " (nodes offline, or an endpoint that shows its peers offline): those rows cannot follow"
                    + " Proxmox; check the nodes and the cluster's quorum (pvecm status)";
        }
    }

    ClusterRecord started(SyncMode mode, Instant at, String instance) {
        return new ClusterRecord(Optional.of(new Running(mode, at, instance)), lastPass, lastPassBy, lastSuccess,
                lastApplied, consecutiveFailures, lastError, backoffUntil, holding);
    }

    ClusterRecord backingOff(Instant until) {
        return new ClusterRecord(running, lastPass, lastPassBy, lastSuccess, lastApplied, consecutiveFailures,
                lastError, Optional.ofNullable(until), holding);
    }

    /**
     * The record after {@code outcome}. A pass that wrote the table resets the failures and the
     * backoff; one that held more than the guard's share starts (or continues) the holding.
     */
    ClusterRecord finished(SyncOutcome outcome, String instance, MissingPolicy guard) {
        ClusterState.Pass pass = new ClusterState.Pass(outcome.mode(), outcome.result(), outcome.startedAt(),
                outcome.duration(), outcome.apiRequests(), outcome.problem());
        Optional<ClusterState.Problem> error = outcome.problem()
                .map(p -> new ClusterState.Problem(p, outcome.startedAt())).or(() -> lastError);
        if (outcome.result() == SyncOutcome.Result.FAILED || outcome.apply().isEmpty()) {
            // a failed pass says nothing about what is held: the holding goes on as it was
            return new ClusterRecord(Optional.empty(), Optional.of(pass), named(instance), lastSuccess,
                    lastApplied, consecutiveFailures + 1, error, backoffUntil, holding);
        }
        ApplyResult apply = outcome.apply().get();
        Instant ended = outcome.startedAt().plus(outcome.duration());
        ClusterState.Applied applied = new ClusterState.Applied(ClusterState.Counts.of(apply, outcome.skipped()),
                outcome.lookups(), outcome.addressNotes());
        return new ClusterRecord(Optional.empty(), Optional.of(pass), named(instance), Optional.of(ended),
                Optional.of(applied), 0, error, Optional.empty(), holding(apply, outcome.startedAt(), guard));
    }

    private Optional<Holding> holding(ApplyResult apply, Instant passStart, MissingPolicy guard) {
        int of = apply.inserted() + apply.updated() + apply.unchanged() + apply.held();
        // judged like the vanish guard: more than its share (or every one of at least two) is not normal
        if (!guard.trips(apply.held(), of)) {
            return Optional.empty();
        }
        Instant since = holding.map(Holding::since).orElse(passStart);
        return Optional.of(new Holding(since, apply.held(), of));
    }

    private static Optional<String> named(String instance) {
        return instance.isEmpty() ? Optional.empty() : Optional.of(instance);
    }

    /** When the latest finished pass ended, if any did. */
    Optional<Instant> lastPassEnded() {
        return lastPass.map(p -> p.startedAt().plus(p.duration()));
    }
}
