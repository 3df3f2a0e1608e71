package io.pvesync.config;

import java.time.Duration;

/**
 * When a VM absent from a successful listing is marked {@code missing}.
 *
 * @param grace    an application row younger than this whose VM was never seen is left alone (the
 *                 application may still be creating the VM); rows of VMs pvesync has seen get none
 * @param maxShare if more than this share of a cluster's known VMs would be marked in one pass (or
 *                 retired as another VM under their VMID), none is and the cluster is reported
 *                 degraded
 * @param minCount the share never trips for this many or fewer VMs; every known VM of a cluster
 *                 (at least 2) still does
 */
public record MissingPolicy(Duration grace, double maxShare, int minCount) {
    public static final MissingPolicy DEFAULT = new MissingPolicy(Duration.ofMinutes(10), 0.10, 5);

    /**
     * This policy with the guards off: every absent VM is marked, and every row whose VMID names
     * another VM retired, however many. For an operator who confirmed that the VMs were really
     * deleted or their VMIDs reused ({@code sync --accept-missing}).
     */
    public MissingPolicy accepting() {
        return new MissingPolicy(grace, 1.0, Integer.MAX_VALUE);
    }

    /** The largest number of VMs one pass may mark missing among {@code knownVms}. */
    public int limitFor(int knownVms) {
        return Math.max(minCount, (int) Math.floor(maxShare * knownVms));
    }

    /** False after {@link #accepting()}: the operator let everything through. */
    public boolean guarded() {
        return minCount != Integer.MAX_VALUE;
    }

    /**
     * Whether marking (or retiring) {@code affected} of a cluster's {@code knownVms} looks like a
     * permission change rather than real deletions: more than {@link #limitFor}, or every one of
     * at least two. Never after {@link #accepting()}.
     */
    public boolean trips(int affected, int knownVms) {
        if (!guarded()) {
            return false;
        }
        return affected > limitFor(knownVms) || knownVms >= 2 && affected >= knownVms;
    }
}
