package io.pvesync.daemon;

/** The daemon cannot start; the message says why and what to do. Nothing is left running. */
public final class StartupException extends Exception {
    public StartupException(String message) {
        super(message);
    }

    public StartupException(String message, Throwable cause) {
        super(message, cause);
    }
}
