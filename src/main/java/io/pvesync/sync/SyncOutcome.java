package io.pvesync.sync;

import io.pvesync.inventory.AddressLookups;
import io.pvesync.store.ApplyResult;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * How one pass of one cluster ended.
 *
 * @param cluster      the cluster's name
 * @param mode         poll or reconcile
 * @param result       ok, degraded (applied, but something needs the operator) or failed (nothing written)
 * @param startedAt    when the pass began
 * @param duration     how long it took
 * @param apply        what the store did; empty when the pass failed before writing
 * @param skipped      listing entries deliberately not synced (templates, containers when off, unreadable)
 * @param problem      for degraded and failed passes: what went wrong and what to do
 * @param addressNotes VMs without an address this pass and why
 * @param lookups      the address lookups this pass made, by outcome
 * @param apiRequests  HTTP requests this pass sent to the Proxmox API
 */
public record SyncOutcome(
        String cluster,
        SyncMode mode,
        Result result,
        Instant startedAt,
        Duration duration,
        Optional<ApplyResult> apply,
        int skipped,
        Optional<String> problem,
        Map<Integer, String> addressNotes,
        AddressLookups lookups,
        int apiRequests) {

    public enum Result { OK, DEGRADED, FAILED }

    public SyncOutcome {
        addressNotes = Map.copyOf(addressNotes);
    }

    /** A pass that failed before it wrote anything: the table keeps its last good state. */
    public static SyncOutcome failed(String cluster, SyncMode mode, Instant startedAt, Duration duration, String problem) {
        return failedSaying(cluster, mode, startedAt, duration, problem + "; rows left as they were");
    }

    /**
     * A pass that failed when its COMMIT went unanswered: the server may have stored its writes or
     * not, and {@code problem} says so; the next pass reads the table and repairs either way.
     */
    public static SyncOutcome failedUnconfirmed(String cluster, SyncMode mode, Instant startedAt, Duration duration,
                                                String problem) {
        return failedSaying(cluster, mode, startedAt, duration, problem);
    }

    private static SyncOutcome failedSaying(String cluster, SyncMode mode, Instant startedAt, Duration duration,
                                            String problem) {
        return new SyncOutcome(cluster, mode, Result.FAILED, startedAt, duration, Optional.empty(), 0,
                Optional.of(problem), Map.of(), AddressLookups.NONE, 0);
    }

    /**
     * This pass, judged degraded for {@code why}, found beyond the pass itself (the cluster's
     * earlier passes); a pass that already failed or was degraded keeps its own verdict.
     */
    public SyncOutcome degraded(String why) {
        if (result != Result.OK) {
            return this;
        }
        return new SyncOutcome(cluster, mode, Result.DEGRADED, startedAt, duration, apply, skipped, Optional.of(why),
                addressNotes, lookups, apiRequests);
    }

    /** One line for logs and the {@code sync} command. */
    public String summary() {
        StringBuilder sb = new StringBuilder();
        sb.append("pass ").append(result.name().toLowerCase(java.util.Locale.ROOT))
                .append(" in ").append(duration.toMillis()).append(" ms");
        apply.ifPresent(a -> sb.append(String.format(java.util.Locale.ROOT,
                ": %,d inserted, %,d updated, %,d unchanged, %,d missing, %,d skipped, %,d held",
                a.inserted(), a.updated(), a.unchanged(), a.missing(), skipped, a.held())));
        int skippedLookups = lookups.skipped().total();
        if (skippedLookups > 0) {
            sb.append(String.format(java.util.Locale.ROOT, "; %,d guest lookups wait for the next pass", skippedLookups));
        }
        problem.ifPresent(p -> sb.append(" - ").append(p));
        return sb.toString();
    }
}
