package io.pvesync.store;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What applying one snapshot did.
 *
 * @param inserted   new rows (first-seen VMs, and new incarnations of reused VMIDs)
 * @param updated    rows whose daemon-owned columns changed (adoptions and restores included)
 * @param unchanged  rows found equal to the snapshot and not written
 * @param missing    rows newly marked missing (retired rows of reused VMIDs included)
 * @param held       rows left exactly as they were: their node is offline or had no data, their
 *                   identity could not be checked, or the retirement guard spared them
 * @param guardTrip  present when a guard (mass disappearance, mass marker change) stopped the
 *                   marking or the retiring: the reason
 * @param changes    every change, for logs and {@code --dry-run}
 * @param heldVmids  the listed guests this apply held (the retirement guard): their rows were not
 *                   compared with their VMs
 * @param recorded   the history rows the write recorded in {@code public.vm_changes} (none in a
 *                   dry run)
 */
public record ApplyResult(
        int inserted,
        int updated,
        int unchanged,
        int missing,
        int held,
        Optional<String> guardTrip,
        List<VmChange> changes,
        Set<Integer> heldVmids,
        RecordedChanges recorded) {

    public ApplyResult {
        changes = List.copyOf(changes);
        heldVmids = Set.copyOf(heldVmids);
        java.util.Objects.requireNonNull(recorded, "recorded");
    }

    /** A result before its history is written. */
    public ApplyResult(int inserted, int updated, int unchanged, int missing, int held, Optional<String> guardTrip,
                       List<VmChange> changes, Set<Integer> heldVmids) {
        this(inserted, updated, unchanged, missing, held, guardTrip, changes, heldVmids, RecordedChanges.NONE);
    }

    public ApplyResult(int inserted, int updated, int unchanged, int missing, int held, Optional<String> guardTrip,
                       List<VmChange> changes) {
        this(inserted, updated, unchanged, missing, held, guardTrip, changes, Set.of());
    }

    /** This result with the history its write recorded. */
    ApplyResult withRecorded(RecordedChanges written) {
        return new ApplyResult(inserted, updated, unchanged, missing, held, guardTrip, changes, heldVmids, written);
    }

    public int rowsWritten() {
        return inserted + updated + missing;
    }
}
