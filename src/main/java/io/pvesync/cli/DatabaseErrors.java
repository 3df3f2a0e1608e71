package io.pvesync.cli;

import io.pvesync.config.DatabaseConfig;

/** Turns a database failure into one line an operator can act on; never prints the password. */
final class DatabaseErrors {
    private DatabaseErrors() {
    }

    static String describe(DatabaseConfig db, Exception e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = String.valueOf(e.getMessage());
        // the driver's message may go on over lines ("  Position: 158"); its first line says it
        String cause = String.valueOf(root.getMessage()).lines().findFirst().orElse("");
        String detail = root == e || message.contains(cause) ? message : message + " (" + cause + ")";
        return "database " + db.displayUrl() + " as " + db.username() + ": " + detail;
    }
}
