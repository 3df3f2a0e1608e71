package io.pvesync.inventory;

import java.util.HashSet;
import java.util.Set;

/**
 * Tells whether a condition is new since the previous pass, so a warning about a state (a name
 * too long, an unreadable entry) is logged once when it appears rather than on every poll. A
 * condition that goes away and comes back is new again. Used by one cluster's passes, which never
 * overlap; synchronized only so a misuse cannot corrupt the sets.
 */
final class RepeatFilter {
    private Set<String> previous = Set.of();
    private final Set<String> current = new HashSet<>();

    /** Records the condition for this pass; true when the previous pass did not have it. */
    synchronized boolean isNew(String condition) {
        current.add(condition);
        return !previous.contains(condition);
    }

    /** Ends a pass: what it recorded becomes what the next pass compares against. */
    synchronized void endPass() {
        previous = Set.copyOf(current);
        current.clear();
    }
}
