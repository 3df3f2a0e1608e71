package io.pvesync.status;

import io.pvesync.inventory.AddressLookups;
import io.pvesync.store.ApplyResult;
import io.pvesync.sync.SyncMode;
import io.pvesync.sync.SyncOutcome;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@link SyncOutcome}s as the sync would report them, built directly. */
final class Outcomes {
    static final String GUARD_TEXT = "12 of 40 known VMs would be marked missing (more than 10%);"
            + " none marked: check the token's privileges (PVEAuditor on /)";

    private Outcomes() {
    }

    static ApplyResult applied(int inserted, int updated, int unchanged, int missing, int held) {
        return new ApplyResult(inserted, updated, unchanged, missing, held, Optional.empty(), List.of());
    }

    static SyncOutcome ok(String cluster, Instant startedAt, Duration took, ApplyResult apply,
                          Map<Integer, String> addressNotes, AddressLookups lookups, int apiRequests) {
        return new SyncOutcome(cluster, SyncMode.POLL, SyncOutcome.Result.OK, startedAt, took, Optional.of(apply),
                2, Optional.empty(), addressNotes, lookups, apiRequests);
    }

    static SyncOutcome ok(String cluster, Instant startedAt) {
        return ok(cluster, startedAt, Duration.ofMillis(212), applied(0, 1, 40, 0, 0), Map.of(),
                AddressLookups.NONE, 1);
    }

    static SyncOutcome failed(String cluster, Instant startedAt, String problem) {
        return new SyncOutcome(cluster, SyncMode.POLL, SyncOutcome.Result.FAILED, startedAt, Duration.ofSeconds(5),
                Optional.empty(), 0, Optional.of(problem), Map.of(), AddressLookups.NONE, 0);
    }

    static SyncOutcome degraded(String cluster, Instant startedAt) {
        ApplyResult guarded = new ApplyResult(0, 0, 28, 0, 0, Optional.of(GUARD_TEXT), List.of());
        return new SyncOutcome(cluster, SyncMode.RECONCILE, SyncOutcome.Result.DEGRADED, startedAt,
                Duration.ofMillis(1500), Optional.of(guarded), 0, Optional.of(GUARD_TEXT), Map.of(),
                AddressLookups.NONE, 3);
    }
}
