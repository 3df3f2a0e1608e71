package io.pvesync.config;

import java.time.Duration;

/**
 * When a VM absent from a successful listing is marked {@code missing}.
 *
 * @param grace    rows younger than this are left alone (the application may still be creating the VM)
 * @param maxShare if more than this share of a cluster's known VMs would be marked in one pass,
 *                 none is marked and the cluster is reported degraded
 * @param minCount the guard never trips for this many or fewer VMs, whatever the share
 */
public record MissingPolicy(Duration grace, double maxShare, int minCount) {
    public static final MissingPolicy DEFAULT = new MissingPolicy(Duration.ofMinutes(10), 0.10, 5);

    /**
     * This policy with the guard off: every absent VM past the grace is marked, however many. For
     * an operator who confirmed that the VMs were really deleted ({@code sync --accept-missing}).
     */
    public MissingPolicy accepting() {
        return new MissingPolicy(grace, 1.0, Integer.MAX_VALUE);
    }

    /** The largest number of VMs one pass may mark missing among {@code knownVms}. */
    public int limitFor(int knownVms) {
        return Math.max(minCount, (int) Math.floor(maxShare * knownVms));
    }
}
