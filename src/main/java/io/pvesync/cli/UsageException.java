package io.pvesync.cli;

/** The command line is wrong; the message says how. Leads to exit code 2. */
final class UsageException extends Exception {
    UsageException(String message) {
        super(message);
    }
}
