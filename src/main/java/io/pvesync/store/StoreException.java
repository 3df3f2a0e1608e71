package io.pvesync.store;

/**
 * A database operation of the store failed; the transaction was rolled back and nothing of it was
 * written. The message names the cluster (or the schema) and what was tried; the cause is the
 * driver's exception, if any.
 */
public final class StoreException extends RuntimeException {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }

    public StoreException(String message) {
        super(message);
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
