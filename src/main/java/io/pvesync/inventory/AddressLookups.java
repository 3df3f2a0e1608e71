package io.pvesync.inventory;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Objects;

/**
 * The per-guest lookups of a pass (DESIGN.md 3.6, the slow path): the address lookups it made, by
 * outcome, and the lookups it did not make, with why.
 *
 * @param found          a guest answered with an address
 * @param none           a guest answered, without a usable address (agent not running, no interface up, ...)
 * @param failed         the lookup failed (node unreachable, timeout, refused)
 * @param skipped        guests whose due lookups (config and/or address) were not made this pass
 * @param nodesLeftAlone the nodes the pass stopped asking, each with what happened and how many of
 *                       its guests' lookups were skipped, e.g. {@code pve2 -> "not answering in
 *                       time: read timed out after 10s on GET /nodes/pve2/qemu/101/config; 14
 *                       lookups skipped"}
 * @param oldestWaiting  since when the guest waiting longest for its lookups has waited (its due
 *                       lookups skipped in every pass since), empty when none waits: the age of the
 *                       slow path's queue
 */
public record AddressLookups(int found, int none, int failed, Skipped skipped, Map<String, String> nodesLeftAlone,
                             Optional<Instant> oldestWaiting) {
    public static final AddressLookups NONE = new AddressLookups(0, 0, 0);

    public AddressLookups {
        Objects.requireNonNull(skipped, "skipped");
        Objects.requireNonNull(oldestWaiting, "oldestWaiting");
        nodesLeftAlone = Map.copyOf(nodesLeftAlone);
    }

    /** Lookups of a pass, nobody's lookup waiting since an earlier pass. */
    public AddressLookups(int found, int none, int failed, Skipped skipped, Map<String, String> nodesLeftAlone) {
        this(found, none, failed, skipped, nodesLeftAlone, Optional.empty());
    }

    /** Lookups of a pass that skipped none. */
    public AddressLookups(int found, int none, int failed) {
        this(found, none, failed, Skipped.NONE, Map.of());
    }

    /** The lookups this pass made: the queue's "done". */
    public int done() {
        return found + none + failed;
    }

    /**
     * Guests whose due lookups a pass did not make, by why; each waits for a later pass, and its
     * row is handled as if the lookup had failed (a guest in doubt stays held).
     *
     * @param node     its node was left alone: it did not answer a guest call in time (read
     *                 timeout) or could not be reached (HTTP 595/596)
     * @param deadline the pass's time budget for lookups ({@code clusters[].addresses.budget}) was spent
     * @param api      no endpoint of the cluster could be reached
     */
    public record Skipped(int node, int deadline, int api) {
        public static final Skipped NONE = new Skipped(0, 0, 0);

        public int total() {
            return node + deadline + api;
        }
    }
}
