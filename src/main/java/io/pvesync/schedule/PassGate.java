package io.pvesync.schedule;

import java.util.Optional;

/**
 * Admits one pass per cluster at a time across every instance sharing the database (the store's
 * pass lock in the daemon).
 */
public interface PassGate {

    /** A pass in progress; closing it lets the next one in. */
    interface Ticket extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * @param wait true for an operator's request (wait a while for a pass running elsewhere),
     *             false for a scheduled pass (skip it: the other instance is doing the work)
     * @return the ticket, or empty when another instance is running a pass of the cluster
     * @throws RuntimeException when the gate cannot be asked (database down): the pass fails
     */
    Optional<Ticket> enter(String cluster, boolean wait);

    /**
     * Who is running the cluster's pass elsewhere, for the log line of a skipped pass.
     *
     * @return a description (pid, application name, address), or empty when unknown
     */
    default Optional<String> holder(String cluster) {
        return Optional.empty();
    }

    /** No coordination: for a single instance without a database to ask (tests). */
    PassGate OPEN = (cluster, wait) -> Optional.of(() -> { });
}
