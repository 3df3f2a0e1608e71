package io.pvesync.config;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The AccountDB connection.
 *
 * @param url              JDBC URL; show {@link #displayUrl()} instead, it may carry a password
 * @param username         the daemon's role (neither owner nor superuser nor BYPASSRLS)
 * @param password         its password, absent for trust/peer authentication
 * @param migrateUsername  the role {@code pvesync migrate} uses (the tables' owner); defaults to username
 * @param migratePassword  its password
 * @param poolSize         maximum pooled connections
 * @param statementTimeout the longest one statement of a pass may run, waiting for a lock included
 */
public record DatabaseConfig(
        String url,
        String username,
        Optional<Secret> password,
        Optional<String> migrateUsername,
        Optional<Secret> migratePassword,
        int poolSize,
        Duration statementTimeout) {

    public static final int DEFAULT_POOL_SIZE = 4;
    public static final Duration DEFAULT_STATEMENT_TIMEOUT = Duration.ofSeconds(30);

    /** With the default statement timeout. */
    public DatabaseConfig(String url, String username, Optional<Secret> password, Optional<String> migrateUsername,
                          Optional<Secret> migratePassword, int poolSize) {
        this(url, username, password, migrateUsername, migratePassword, poolSize, DEFAULT_STATEMENT_TIMEOUT);
    }

    // PostgreSQL's driver takes the password, and the client key's (sslpassword), in the URL too
    private static final Pattern URL_PASSWORD = Pattern.compile("(?i)([?&;][^&#;=]*password=)[^&#;]*");

    /** The URL as logs and messages show it: the values of its password parameters masked. */
    public String displayUrl() {
        return URL_PASSWORD.matcher(url).replaceAll("$1<masked>");
    }

    @Override
    public String toString() {
        return "DatabaseConfig[url=" + displayUrl() + ", username=" + username + ", password=" + password
                + ", migrateUsername=" + migrateUsername + ", migratePassword=" + migratePassword
                + ", poolSize=" + poolSize + ", statementTimeout=" + statementTimeout + "]";
    }
}
