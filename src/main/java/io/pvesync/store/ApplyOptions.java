package io.pvesync.store;

import io.pvesync.config.MissingPolicy;

/**
 * How one snapshot is applied.
 *
 * @param reconcile        a full pass: also refreshes {@code last_seen_at} of every VM seen
 * @param dryRun           compute and report the changes, write nothing (the transaction is rolled back)
 * @param soleCluster      true when this is the only configured cluster, so an application-inserted
 *                         row without cluster and node can be adopted by VMID alone
 * @param missing          grace period and mass-disappearance guard
 */
public record ApplyOptions(boolean reconcile, boolean dryRun, boolean soleCluster, MissingPolicy missing) {
}
