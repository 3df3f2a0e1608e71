package io.pvesync.status;

import io.pvesync.inventory.AddressLookups;
import io.pvesync.store.ApplyResult;
import io.pvesync.sync.SyncMode;
import io.pvesync.sync.SyncOutcome;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * An immutable snapshot of one cluster's sync state, as {@code /status} shows it.
 *
 * @param name                the cluster's name
 * @param phase               one word for the state
 * @param running             the kind of pass running now; empty when none is
 * @param lastAttempt         when the latest pass began (the running one, if any)
 * @param lastSuccess         when the latest pass that wrote the table ended (ok or degraded)
 * @param lastPass            the latest finished pass
 * @param lastApplied         what the latest pass that wrote the table found; a failed pass writes
 *                            nothing, so this still describes the table after one
 * @param consecutiveFailures failed passes since the latest pass that wrote the table
 * @param lastError           the problem of the latest failed or degraded pass and when it began;
 *                            kept after a recovery, so compare its time with {@code lastSuccess}
 * @param nextRun             when the scheduler will start the next pass, if it said so
 * @param backoffUntil        present while the scheduler holds back after failures
 * @param lastPassBy          the instance that ran the latest finished pass
 * @param runningOn           the instance running the pass now
 */
public record ClusterState(
        String name,
        Phase phase,
        Optional<SyncMode> running,
        Optional<Instant> lastAttempt,
        Optional<Instant> lastSuccess,
        Optional<Pass> lastPass,
        Optional<Applied> lastApplied,
        int consecutiveFailures,
        Optional<Problem> lastError,
        Optional<Instant> nextRun,
        Optional<Instant> backoffUntil,
        Optional<String> lastPassBy,
        Optional<String> runningOn) {

    /** The state in one word; {@code /status} shows it in lower case. */
    public enum Phase {
        /** no pass has finished since the daemon started, and none is running */
        STARTING,
        /** a pass is running now */
        RUNNING,
        /** the latest pass synced everything */
        OK,
        /** the latest pass wrote the table, but something needs the operator */
        DEGRADED,
        /** the latest pass failed and wrote nothing */
        FAILED
    }

    /**
     * The latest finished pass.
     *
     * @param apiRequests HTTP requests it sent to the Proxmox API
     */
    public record Pass(SyncMode mode, SyncOutcome.Result result, Instant startedAt, Duration duration,
                       int apiRequests, Optional<String> problem) {
    }

    /**
     * What the latest pass that wrote the table found.
     *
     * @param addressNotes VMs without an address, by vmid, and why
     */
    public record Applied(Counts counts, AddressLookups lookups, Map<Integer, String> addressNotes) {
        public Applied {
            addressNotes = Map.copyOf(addressNotes);
        }
    }

    /** The rows of one pass, by what happened to them. */
    public record Counts(int inserted, int updated, int unchanged, int missing, int held, int skipped) {
        static Counts of(ApplyResult apply, int skipped) {
            return new Counts(apply.inserted(), apply.updated(), apply.unchanged(), apply.missing(),
                    apply.held(), skipped);
        }
    }

    /** A problem and when the pass that met it began. */
    public record Problem(String text, Instant at) {
    }
}
