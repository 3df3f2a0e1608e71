package io.pvesync.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.pvesync.config.DatabaseConfig;
import io.pvesync.config.Secret;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** Connection pools to the AccountDB. */
public final class Database {
    /** Shown in pg_stat_activity, so a DBA can tell pvesync's sessions from the application's. */
    static final String APPLICATION_NAME = "pvesync";
    /** Flyway holds one connection for the history table and one for the migration itself. */
    private static final int MIGRATION_POOL_SIZE = 2;
    /**
     * How much longer than its longest legitimate wait a connection may go without a byte from the
     * server before the driver gives it up. The server ends a statement at its statement_timeout (or
     * a lock wait at its lock_timeout) and answers at once, so silence past that means the network
     * dropped the connection without closing it; without this limit the driver would wait until the
     * kernel gave up on the TCP connection, about 15 minutes on Linux.
     */
    static final Duration SILENCE_GRACE = Duration.ofSeconds(5);
    /**
     * How much longer than its longest legitimate wait the server lets a statement run: enough for
     * a lock wait to end by its own lock_timeout first, well inside {@link #SILENCE_GRACE}.
     */
    static final Duration SERVER_MARGIN = Duration.ofSeconds(1);

    private Database() {
    }

    /**
     * A pool as the daemon's role ({@code username}/{@code password}) of {@code cfg.poolSize()}
     * connections. Connects at once, so a wrong URL or password fails here, at start.
     *
     * @param poolName names the pool's threads and log lines
     * @throws com.zaxxer.hikari.pool.HikariPool.PoolInitializationException when no connection can be made
     */
    public static HikariDataSource open(DatabaseConfig cfg, String poolName) {
        return openSized(cfg, poolName, cfg.poolSize());
    }

    /**
     * {@link #open(DatabaseConfig, String)} for connections that also wait for a pass lock. Their
     * application_name is {@code poolName@HOST}, so that an instance whose pass was skipped can say
     * which host and which kind of pass holds the lock ({@link PassLock#holder}).
     *
     * @param lockWait the longest a lock wait on these connections may last (its lock_timeout)
     */
    public static HikariDataSource open(DatabaseConfig cfg, String poolName, Duration lockWait) {
        HikariConfig config = config(cfg.url(), cfg.username(), cfg.password(), cfg.poolSize(), poolName);
        nameTheInstance(config, poolName);
        boundEveryWait(config, longer(cfg.statementTimeout(), lockWait));
        return new HikariDataSource(config);
    }

    /** {@link #open(DatabaseConfig, String)} with a size of its own (a probe that needs two connections at once). */
    static HikariDataSource openSized(DatabaseConfig cfg, String poolName, int size) {
        HikariConfig config = config(cfg.url(), cfg.username(), cfg.password(), size, poolName);
        boundEveryWait(config, cfg.statementTimeout());
        return new HikariDataSource(config);
    }

    /**
     * A pool for the daemon: like {@link #open}, but it starts even when the database cannot be
     * reached, so the daemon comes up, reports the failure in its status and retries with every
     * pass, instead of dying and leaving systemd to restart it in a loop.
     */
    public static HikariDataSource openLazily(DatabaseConfig cfg, String poolName) {
        return openLazily(cfg, poolName, cfg.poolSize());
    }

    /** {@link #openLazily(DatabaseConfig, String)} with a size of its own (pass locks, Quartz). */
    public static HikariDataSource openLazily(DatabaseConfig cfg, String poolName, int size) {
        HikariConfig config = config(cfg.url(), cfg.username(), cfg.password(), size, poolName);
        boundEveryWait(config, cfg.statementTimeout());
        return lazily(config);
    }

    /**
     * {@link #openLazily(DatabaseConfig, String, int)} for connections that also wait for a pass lock,
     * named {@code poolName@HOST} in application_name as by {@link #open(DatabaseConfig, String, Duration)}.
     *
     * @param lockWait the longest a lock wait on these connections may last (its lock_timeout)
     */
    public static HikariDataSource openLazily(DatabaseConfig cfg, String poolName, int size, Duration lockWait) {
        HikariConfig config = config(cfg.url(), cfg.username(), cfg.password(), size, poolName);
        nameTheInstance(config, poolName);
        boundEveryWait(config, longer(cfg.statementTimeout(), lockWait));
        return lazily(config);
    }

    private static HikariDataSource lazily(HikariConfig config) {
        config.setInitializationFailTimeout(-1);
        // a pass waits this long for a connection before it fails and reports the database down
        config.setConnectionTimeout(10_000);
        return new HikariDataSource(config);
    }

    /**
     * A pool for {@code pvesync migrate}: as {@code migrateUsername}/{@code migratePassword} (the
     * tables' owner), each falling back to the daemon's one when not configured. No socket timeout:
     * a migration's DDL may rightly wait long for the application's locks, and it runs in the
     * foreground, where the operator sees it wait.
     */
    public static HikariDataSource openForMigration(DatabaseConfig cfg, String poolName) {
        String user = cfg.migrateUsername().orElse(cfg.username());
        Optional<Secret> password = cfg.migratePassword().or(cfg::password);
        return open(cfg.url(), user, password, MIGRATION_POOL_SIZE, poolName);
    }

    /**
     * The driver gives a connection up after {@code longestWait} plus {@link #SILENCE_GRACE} without
     * a byte from the server (pgjdbc's socketTimeout, whole seconds, rounded up). The timeout applies
     * only while a statement waits for its answer, so a connection idling with a pass lock is not cut.
     *
     * <p>The server gets limits of its own, set on each new connection, so that it never keeps a
     * session the client gave up on:
     * <ul>
     *   <li>{@code statement_timeout} just above {@code longestWait} (a pass sets a shorter one for
     *       its transaction): every wait ends on the server, with an error the client still hears,
     *       before the socket timeout. Without it, a wait the client gave up on (Quartz's
     *       {@code FOR UPDATE} on its lock table, say) would stay queued on the server, one more
     *       session for each retry;</li>
     *   <li>TCP keepalive after 30 s idle, 3 probes 10 s apart: a session whose client vanished
     *       behind a silent network (idle in a transaction, or holding a pass lock) ends within about
     *       a minute, and its locks with it, instead of after the kernel's default of two hours.</li>
     * </ul>
     */
    static void boundEveryWait(HikariConfig config, Duration longestWait) {
        long millis = longestWait.plus(SILENCE_GRACE).toMillis();
        config.addDataSourceProperty("socketTimeout", Long.toString((millis + 999) / 1000));
        long serverLimit = longestWait.plus(SERVER_MARGIN).toMillis();
        config.setConnectionInitSql("SELECT set_config('statement_timeout', '" + serverLimit + "ms', false),"
                + " set_config('tcp_keepalives_idle', '30', false), set_config('tcp_keepalives_interval', '10', false),"
                + " set_config('tcp_keepalives_count', '3', false)");
    }

    private static void nameTheInstance(HikariConfig config, String poolName) {
        config.addDataSourceProperty("ApplicationName", poolName + "@" + host());
    }

    /** This machine's name: the kernel's, which needs no name lookup that a broken DNS could stall. */
    static String host() {
        try {
            String name = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
            if (!name.isEmpty()) {
                return name;
            }
        } catch (IOException | RuntimeException notLinux) {
            // fall back to the JVM's view
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown-host";
        }
    }

    private static Duration longer(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    private static HikariDataSource open(String url, String user, Optional<Secret> password, int size, String poolName) {
        return new HikariDataSource(config(url, user, password, size, poolName));
    }

    private static HikariConfig config(String url, String user, Optional<Secret> password, int size, String poolName) {
        HikariConfig config = new HikariConfig();
        config.setPoolName(poolName);
        config.setJdbcUrl(url);
        config.setUsername(user);
        // the single place the database password is revealed: handed to the driver, never logged
        // (HikariCP masks it in its own configuration dump)
        password.ifPresent(p -> config.setPassword(p.reveal()));
        config.setMaximumPoolSize(size);
        config.addDataSourceProperty("ApplicationName", APPLICATION_NAME);
        // the client's side of keepalive (the kernel's timings, two hours by default on Linux); the
        // server's side, which is what frees a dead session's locks, is set in boundEveryWait
        config.addDataSourceProperty("tcpKeepAlive", "true");
        return config;
    }
}
