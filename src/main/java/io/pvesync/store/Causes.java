package io.pvesync.store;

import java.util.Optional;
import java.util.function.Predicate;

/** Looks through an exception's chain of causes, as the store's error messages need to. */
final class Causes {
    private Causes() {
    }

    /** The first of {@code error} and its causes that {@code test} accepts, if any. */
    static Optional<Throwable> find(Throwable error, Predicate<Throwable> test) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (test.test(t)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}
