package io.pvesync.store;

import io.pvesync.config.MissingPolicy;
import java.util.Set;

/**
 * How one snapshot is applied.
 *
 * @param reconcile        a full pass: also refreshes {@code last_seen_at} of every VM seen
 * @param dryRun           compute and report the changes, write nothing (the transaction is rolled back)
 * @param otherClusters    the other configured clusters' names; none: this is the only one, so an
 *                         application-inserted row can be adopted by VMID alone (DESIGN.md 3.10)
 * @param missing          grace period and the guards (mass disappearance, mass marker change)
 */
public record ApplyOptions(boolean reconcile, boolean dryRun, Set<String> otherClusters, MissingPolicy missing) {

    public ApplyOptions {
        otherClusters = Set.copyOf(otherClusters);
    }
}
