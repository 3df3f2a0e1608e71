package io.pvesync.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.zaxxer.hikari.HikariDataSource;
import io.pvesync.config.DatabaseConfig;
import io.pvesync.config.Secret;
import io.pvesync.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

class DatabaseTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    private DatabaseConfig config(Optional<String> migrateUser, Optional<Secret> migratePassword) {
        return new DatabaseConfig(db.url(), db.daemonUser(), Optional.of(Secret.of(db.daemonPassword())),
                migrateUser, migratePassword, 3);
    }

    @Test
    void poolConnectsAsTheDaemonWithTheConfiguredSize() throws Exception {
        try (HikariDataSource pool = Database.open(config(Optional.empty(), Optional.empty()), "pvesync-db")) {
            assertThat(pool.getMaximumPoolSize()).isEqualTo(3);
            assertThat(pool.getPoolName()).isEqualTo("pvesync-db");
            assertThat(query(pool, "SELECT current_user")).isEqualTo(db.daemonUser());
            assertThat(query(pool, "SELECT current_setting('application_name')")).isEqualTo("pvesync");
        }
    }

    @Test
    void passLockConnectionsNameTheirHostSoASkippedPassCanSayWhoHoldsTheLock() throws Exception {
        DatabaseConfig cfg = config(Optional.empty(), Optional.empty());
        try (HikariDataSource pool = Database.openLazily(cfg, "pvesync-passlock", 1, Duration.ofMinutes(2))) {
            assertThat(query(pool, "SELECT current_setting('application_name')"))
                    .isEqualTo("pvesync-passlock@" + Database.host());
        }
        try (HikariDataSource pool = Database.open(cfg, "pvesync-sync", Duration.ofMinutes(2))) {
            assertThat(query(pool, "SELECT current_setting('application_name')"))
                    .isEqualTo("pvesync-sync@" + Database.host());
        }
        assertThat(Database.host()).isNotBlank().doesNotContain("\n");
    }

    @Test
    void connectionsGiveUpOnASilentServerFiveSecondsAfterTheLongestWaitTheyAllow() throws Exception {
        DatabaseConfig cfg = new DatabaseConfig(db.url(), db.daemonUser(), Optional.of(Secret.of(db.daemonPassword())),
                Optional.empty(), Optional.empty(), 1, Duration.ofMillis(6_500));
        // the driver's socket timeout, whole seconds rounded up: 6.5 s of statement timeout + 5 s
        try (HikariDataSource pool = Database.open(cfg, "passes")) {
            assertThat(networkTimeoutMillis(pool)).isEqualTo(12_000);
            assertThat(pool.getDataSourceProperties().getProperty("tcpKeepAlive")).isEqualTo("true");
        }
        try (HikariDataSource pool = Database.openLazily(cfg, "passes-lazily")) {
            assertThat(networkTimeoutMillis(pool)).isEqualTo(12_000);
        }
        // a pass lock may be waited for 2 minutes: the longer of the two waits counts
        try (HikariDataSource pool = Database.openLazily(cfg, "locks", 1, Duration.ofMinutes(2))) {
            assertThat(networkTimeoutMillis(pool)).isEqualTo(125_000);
        }
        try (HikariDataSource pool = Database.open(cfg, "sync", Duration.ofSeconds(1))) {
            assertThat(networkTimeoutMillis(pool)).isEqualTo(12_000);
        }
        // migrations may wait for the application's locks as long as the operator lets them
        try (HikariDataSource pool = Database.openForMigration(cfg, "migrate")) {
            assertThat(networkTimeoutMillis(pool)).isZero();
        }
    }

    @Test
    void theServerEndsEveryWaitBeforeTheClientGivesUpSoNoSessionIsLeftBehind() throws Exception {
        DatabaseConfig cfg = new DatabaseConfig(db.url(), db.daemonUser(), Optional.of(Secret.of(db.daemonPassword())),
                Optional.empty(), Optional.empty(), 1, Duration.ofSeconds(1));
        try (HikariDataSource pool = Database.openLazily(cfg, "waits");
             Connection holder = db.ownerConnection(); Statement hold = holder.createStatement()) {
            assertThat(query(pool, "SHOW statement_timeout")).isEqualTo("2s"); // the wait allowed + 1 s
            assertThat(query(pool, "SHOW tcp_keepalives_idle")).isEqualTo("30");
            assertThat(query(pool, "SHOW tcp_keepalives_interval")).isEqualTo("10");
            assertThat(query(pool, "SHOW tcp_keepalives_count")).isEqualTo("3");
            hold.execute("SELECT pg_advisory_lock(4242)");

            // a wait no statement of pvesync's bounds itself, like Quartz's FOR UPDATE on its lock
            // table: the server cancels it at 2 s, before the client's socket timeout (6 s) would
            // leave the session queued on the server with nobody listening
            SQLException waited = catchThrowableOfType(() -> query(pool, "SELECT pg_advisory_lock(4242)::text"),
                    SQLException.class);

            assertThat(waited.getSQLState()).as(waited.getMessage()).isEqualTo("57014"); // query_canceled
            try (Statement st = holder.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM"
                    + " pg_stat_activity WHERE usename = '" + db.daemonUser() + "' AND wait_event_type = 'Lock'")) {
                rs.next();
                assertThat(rs.getInt(1)).as("sessions still waiting for the lock").isZero();
            }
            hold.execute("SELECT pg_advisory_unlock(4242)");
        }
    }

    private static int networkTimeoutMillis(HikariDataSource pool) throws SQLException {
        try (Connection c = pool.getConnection()) {
            return c.getNetworkTimeout(); // pgjdbc: the socket's SO_TIMEOUT, set from socketTimeout
        }
    }

    @Test
    void migrationPoolUsesTheMigrateCredentials() throws Exception {
        DatabaseConfig cfg = config(Optional.of(db.ownerUser()), Optional.ofNullable(db.ownerPassword()).map(Secret::of));
        try (HikariDataSource pool = Database.openForMigration(cfg, "pvesync-migrate")) {
            assertThat(query(pool, "SELECT current_user")).isEqualTo(db.ownerUser());
        }
    }

    @Test
    void migrationPoolFallsBackToTheDaemonCredentials() throws Exception {
        try (HikariDataSource pool = Database.openForMigration(config(Optional.empty(), Optional.empty()), "m")) {
            assertThat(query(pool, "SELECT current_user")).isEqualTo(db.daemonUser());
        }
    }

    @Test
    void passwordNeverReachesTheLog() throws Exception {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        Logger hikari = (Logger) LoggerFactory.getLogger("com.zaxxer.hikari");
        Level hikariLevel = hikari.getLevel();
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        root.addAppender(appender);
        hikari.setLevel(Level.DEBUG);
        try (HikariDataSource pool = Database.open(config(Optional.empty(), Optional.empty()), "secretive")) {
            query(pool, "SELECT 1");
        } finally {
            hikari.setLevel(hikariLevel);
            root.detachAppender(appender);
        }
        assertThat(appender.list).as("HikariCP logs its configuration at DEBUG").isNotEmpty();
        assertThat(appender.list).allSatisfy(e -> assertThat(e.getFormattedMessage()).doesNotContain(db.daemonPassword()));
    }

    private static String query(HikariDataSource pool, String sql) throws SQLException {
        try (Connection c = pool.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
