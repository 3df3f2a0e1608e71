package io.pvesync.history;

/**
 * The history could not be read. {@link #reason()} tells the command which remedy to name; the
 * message says what the database answered (never a password: the database does not echo one).
 */
public final class HistoryException extends RuntimeException {
    /** Why the read failed, by what the operator has to do about it. */
    public enum Reason {
        /** {@code public.vm_changes} does not exist: the schema predates the change history. */
        NOT_MIGRATED,
        /** The role may not read the table (or its schema): config/grants.sql was not run since migration 7. */
        NOT_GRANTED,
        /** Anything else the database answered: the message is its reason. */
        DATABASE
    }

    private final Reason reason;

    HistoryException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
