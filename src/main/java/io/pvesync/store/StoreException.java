package io.pvesync.store;

/**
 * A database operation of the store failed; the transaction was rolled back and nothing of it was
 * written, unless {@link #unconfirmed()}. The message names the cluster (or the schema) and what
 * was tried; the cause is the driver's exception, if any.
 */
public final class StoreException extends RuntimeException {
    private final boolean unconfirmed;

    public StoreException(String message, Throwable cause) {
        this(message, cause, false);
    }

    public StoreException(String message) {
        this(message, null, false);
    }

    private StoreException(String message, Throwable cause, boolean unconfirmed) {
        super(message, cause);
        this.unconfirmed = unconfirmed;
    }

    /** A COMMIT the database did not answer: its writes may be stored or not. */
    static StoreException unconfirmedCommit(String message, Throwable cause) {
        return new StoreException(message, cause, true);
    }

    /**
     * Whether the failure came at a COMMIT that went unanswered, so the writes may or may not be
     * stored; otherwise nothing of the failed operation was written.
     */
    public boolean unconfirmed() {
        return unconfirmed;
    }

    /**
     * The driver's message with the reason behind it: the pool's "Connection is not available,
     * request timed out" keeps why it could not connect (refused, password rejected, unknown host)
     * only in its cause.
     */
    static String reason(java.sql.SQLException e) {
        String message = String.valueOf(e.getMessage());
        Throwable cause = e.getCause();
        if (cause != null && cause.getMessage() != null && !message.contains(cause.getMessage())) {
            message = message + " (" + cause.getMessage() + ")";
        }
        return message;
    }
}
