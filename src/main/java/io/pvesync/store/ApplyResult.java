package io.pvesync.store;

import java.util.List;
import java.util.Optional;

/**
 * What applying one snapshot did.
 *
 * @param inserted   new rows (first-seen VMs, and new incarnations of reused VMIDs)
 * @param updated    rows whose daemon-owned columns changed (adoptions and restores included)
 * @param unchanged  rows found equal to the snapshot and not written
 * @param missing    rows newly marked missing (retired rows of reused VMIDs included)
 * @param held       rows left exactly as they were because their node is offline or had no data
 * @param guardTrip  present when the mass-disappearance guard stopped the missing-marking: the reason
 * @param changes    every change, for logs and {@code --dry-run}
 */
public record ApplyResult(
        int inserted,
        int updated,
        int unchanged,
        int missing,
        int held,
        Optional<String> guardTrip,
        List<VmChange> changes) {

    public ApplyResult {
        changes = List.copyOf(changes);
    }

    public int rowsWritten() {
        return inserted + updated + missing;
    }
}
