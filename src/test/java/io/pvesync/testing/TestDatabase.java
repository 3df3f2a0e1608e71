package io.pvesync.testing;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * A fresh PostgreSQL database for one test class, dropped after it, plus a daemon role that is
 * neither superuser nor owner nor BYPASSRLS, so row-level security really applies to it.
 *
 * <p>The server: Testcontainers' PostgreSQL where a Docker engine is available; otherwise the
 * server named by {@code PVESYNC_TEST_DB_URL} (a JDBC URL of a database the admin user may
 * connect to; user and password from {@code PVESYNC_TEST_DB_USER}/{@code PVESYNC_TEST_DB_PASSWORD},
 * default {@code postgres} and none); by default {@code jdbc:postgresql://127.0.0.1:5432/postgres}.
 *
 * <p>Use as {@code @RegisterExtension static final TestDatabase db = new TestDatabase();}
 */
public final class TestDatabase implements BeforeAllCallback, AfterAllCallback {
    private static final Pattern DB_IN_URL = Pattern.compile("^(jdbc:postgresql://[^/]+/)([^?]*)(.*)$");
    private static Server server;

    private final String suffix = HexFormat.of().formatHex(new SecureRandom().generateSeed(4));
    private final List<HikariDataSource> pools = new ArrayList<>();
    private String name;
    private String url;
    private final String daemonUser = "pvesync_app_" + suffix;
    private final String daemonPassword = "pw-" + suffix;

    private record Server(String adminUrl, String user, String password) {
    }

    @Override
    public void beforeAll(ExtensionContext context) throws SQLException {
        create(context.getRequiredTestClass());
    }

    @Override
    public void afterAll(ExtensionContext context) throws SQLException {
        drop();
    }

    /**
     * Creates the database and the daemon role for {@code testClass}: what {@link #beforeAll} does,
     * for test engines without Jupiter extensions (jqwik's {@code @BeforeContainer}).
     */
    public void create(Class<?> testClass) throws SQLException {
        Server s = server();
        String cls = testClass.getSimpleName().toLowerCase(Locale.ROOT);
        name = "pvesync_t_" + cls.substring(0, Math.min(cls.length(), 30)) + "_" + suffix;
        url = withDatabase(s.adminUrl(), name);
        try (Connection c = adminConnection(s.adminUrl()); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + name);
            st.execute("CREATE ROLE " + daemonUser + " LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD '" + daemonPassword + "'");
        }
    }

    /** Closes the pools and drops the database and the role: what {@link #afterAll} does. */
    public void drop() throws SQLException {
        pools.forEach(HikariDataSource::close);
        try (Connection c = adminConnection(server().adminUrl()); Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            st.execute("DROP ROLE IF EXISTS " + daemonUser);
        }
    }

    /** JDBC URL of this class's database. */
    public String url() {
        return url;
    }

    public String name() {
        return name;
    }

    /** The admin (owner) user: migrations run as it. */
    public String ownerUser() {
        return server().user();
    }

    /** The admin's password, or null where the server trusts it. */
    public String ownerPassword() {
        return server().password();
    }

    /** The daemon's role: not superuser, not owner, not BYPASSRLS. */
    public String daemonUser() {
        return daemonUser;
    }

    public String daemonPassword() {
        return daemonPassword;
    }

    /** A direct connection as the owner (superuser on the test server). */
    public Connection ownerConnection() throws SQLException {
        return adminConnection(url);
    }

    /** A direct connection as the daemon's role. */
    public Connection daemonConnection() throws SQLException {
        return DriverManager.getConnection(url, daemonUser, daemonPassword);
    }

    /** A small pool as the daemon's role, closed after the class. */
    public HikariDataSource daemonPool() {
        return pool(daemonUser, daemonPassword, 2);
    }

    /** A small pool as the owner, closed after the class. */
    public HikariDataSource ownerPool() {
        return pool(server().user(), server().password(), 2);
    }

    /** A pool of exactly one connection as the daemon: every borrower gets the same connection. */
    public HikariDataSource singleConnectionDaemonPool() {
        return pool(daemonUser, daemonPassword, 1);
    }

    /** Runs {@code config/grants.sql}, the README's GRANTs, for the daemon's role. Call after migrating. */
    public void grantDaemon() throws SQLException, IOException {
        String sql = Files.readString(Path.of("config/grants.sql"))
                .replace(":\"daemon\"", daemonUser)
                .replace(":\"DBNAME\"", name);
        StringBuilder statements = new StringBuilder();
        for (String line : sql.split("\n")) {
            if (!line.startsWith("--")) {
                statements.append(line).append('\n');
            }
        }
        try (Connection c = ownerConnection(); Statement st = c.createStatement()) {
            st.execute(statements.toString());
        }
    }

    private HikariDataSource pool(String user, String password, int size) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setUsername(user);
        if (password != null) {
            config.setPassword(password);
        }
        config.setMaximumPoolSize(size);
        config.setPoolName("test-" + user);
        HikariDataSource ds = new HikariDataSource(config);
        pools.add(ds);
        return ds;
    }

    private static Connection adminConnection(String jdbcUrl) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", server().user());
        if (server().password() != null) {
            props.setProperty("password", server().password());
        }
        return DriverManager.getConnection(jdbcUrl, props);
    }

    private static String withDatabase(String jdbcUrl, String database) {
        Matcher m = DB_IN_URL.matcher(jdbcUrl);
        if (!m.matches()) {
            throw new IllegalStateException("PVESYNC_TEST_DB_URL is not a jdbc:postgresql://host:port/db URL: " + jdbcUrl);
        }
        return m.group(1) + database + m.group(3);
    }

    private static synchronized Server server() {
        if (server == null) {
            server = locateServer();
        }
        return server;
    }

    @SuppressWarnings("resource") // the container lives as long as the test JVM; Ryuk removes it
    private static Server locateServer() {
        if (dockerAvailable()) {
            PostgreSQLContainer pg = new PostgreSQLContainer("postgres:15-alpine");
            pg.start();
            return new Server(pg.getJdbcUrl(), pg.getUsername(), pg.getPassword());
        }
        String url = System.getenv().getOrDefault("PVESYNC_TEST_DB_URL", "jdbc:postgresql://127.0.0.1:5432/postgres");
        String user = System.getenv().getOrDefault("PVESYNC_TEST_DB_USER", "postgres");
        String password = System.getenv("PVESYNC_TEST_DB_PASSWORD");
        return new Server(url, user, password);
    }

    private static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }
}
