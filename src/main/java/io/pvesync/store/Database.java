package io.pvesync.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.pvesync.config.DatabaseConfig;
import io.pvesync.config.Secret;
import java.util.Optional;

/** Connection pools to the AccountDB. */
public final class Database {
    /** Shown in pg_stat_activity, so a DBA can tell pvesync's sessions from the application's. */
    static final String APPLICATION_NAME = "pvesync";
    /** Flyway holds one connection for the history table and one for the migration itself. */
    private static final int MIGRATION_POOL_SIZE = 2;

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
        return open(cfg.url(), cfg.username(), cfg.password(), cfg.poolSize(), poolName);
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
        config.setInitializationFailTimeout(-1);
        // a pass waits this long for a connection before it fails and reports the database down
        config.setConnectionTimeout(10_000);
        return new HikariDataSource(config);
    }

    /**
     * A pool for {@code pvesync migrate}: as {@code migrateUsername}/{@code migratePassword} (the
     * tables' owner), each falling back to the daemon's one when not configured.
     */
    public static HikariDataSource openForMigration(DatabaseConfig cfg, String poolName) {
        String user = cfg.migrateUsername().orElse(cfg.username());
        Optional<Secret> password = cfg.migratePassword().or(cfg::password);
        return open(cfg.url(), user, password, MIGRATION_POOL_SIZE, poolName);
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
        return config;
    }
}
