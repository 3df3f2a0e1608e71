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
 * @param partial          an early write of a pass that writes again (DESIGN.md 3.6, "Two speeds"):
 *                         it refreshes rows and inserts new VMs, but marks nothing missing, retires
 *                         nothing (those guests are held), adopts no application row, lets no late
 *                         one take over and touches no {@code last_seen_at}: the pass's last write
 *                         decides those,
 *                         once, with everything the pass learnt
 * @param insertedEarlier  VMIDs an earlier write of this pass inserted: the guards count the VMs the
 *                         cluster had before the pass, as a single write would
 */
public record ApplyOptions(boolean reconcile, boolean dryRun, Set<String> otherClusters, MissingPolicy missing,
                           boolean partial, Set<Integer> insertedEarlier) {

    public ApplyOptions {
        otherClusters = Set.copyOf(otherClusters);
        insertedEarlier = Set.copyOf(insertedEarlier);
    }

    /** A pass's only (or last) write, nothing inserted before it. */
    public ApplyOptions(boolean reconcile, boolean dryRun, Set<String> otherClusters, MissingPolicy missing) {
        this(reconcile, dryRun, otherClusters, missing, false, Set.of());
    }

    /** These options for an early write of the pass. */
    public ApplyOptions early() {
        return new ApplyOptions(reconcile, dryRun, otherClusters, missing, true, insertedEarlier);
    }

    /** These options for the pass's last write, after earlier writes inserted {@code inserted}. */
    public ApplyOptions lastAfter(Set<Integer> inserted) {
        return new ApplyOptions(reconcile, dryRun, otherClusters, missing, false, inserted);
    }
}
