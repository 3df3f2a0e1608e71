package io.pvesync.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.pvesync.store.Migrations;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The fleet benchmark's database, {@value #NAME}, fresh for every run on the given server:
 * created (replacing an earlier one), migrated as the server's admin user (the tables' owner) and
 * granted to the role {@value #ROLE}, which is neither superuser nor BYPASSRLS, so the daemon runs
 * under row-level security as in production (config/grants.sql).
 */
final class FleetDatabase {
    static final String NAME = "pvesync_fleet";
    static final String ROLE = "pvesync_fleet";
    private static final Pattern URL_PARTS = Pattern.compile("^(jdbc:postgresql://[^/]+/)([^?]*)(.*)$");

    final String url;
    final String password;
    private final String adminUser;
    private final String adminPassword;

    private FleetDatabase(String url, String password, String adminUser, String adminPassword) {
        this.url = url;
        this.password = password;
        this.adminUser = adminUser;
        this.adminPassword = adminPassword;
    }

    /**
     * @param serverUrl any database's URL on the server (the admin connects there to create ours)
     * @param adminPassword null for trust authentication
     */
    static FleetDatabase create(String serverUrl, String adminUser, String adminPassword)
            throws SQLException, IOException {
        Matcher m = URL_PARTS.matcher(serverUrl);
        if (!m.matches()) {
            throw new IllegalArgumentException("--db-url: not a jdbc:postgresql://host:port/database URL: " + serverUrl);
        }
        String password = HexFormat.of().formatHex(new SecureRandom().generateSeed(12));
        FleetDatabase db = new FleetDatabase(m.group(1) + NAME + m.group(3), password, adminUser, adminPassword);
        try (Connection c = db.admin(serverUrl); Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + NAME + " WITH (FORCE)");
            st.execute("CREATE DATABASE " + NAME);
            try (ResultSet rs = st.executeQuery("SELECT 1 FROM pg_roles WHERE rolname = '" + ROLE + "'")) {
                if (!rs.next()) {
                    st.execute("CREATE ROLE " + ROLE + " LOGIN NOSUPERUSER NOBYPASSRLS");
                }
            }
            st.execute("ALTER ROLE " + ROLE + " PASSWORD '" + password + "'");
        }
        HikariConfig owner = new HikariConfig();
        owner.setJdbcUrl(db.url);
        owner.setUsername(adminUser);
        if (adminPassword != null) {
            owner.setPassword(adminPassword);
        }
        owner.setMaximumPoolSize(2);
        owner.setPoolName("fleet-migrate");
        try (HikariDataSource pool = new HikariDataSource(owner)) {
            Migrations.migrate(pool);
        }
        String grants = new String(FleetDatabase.class.getResourceAsStream("/sql/grants.sql").readAllBytes(),
                StandardCharsets.UTF_8)
                .lines().filter(l -> !l.startsWith("--")).collect(Collectors.joining("\n"))
                .replace(":\"daemon\"", ROLE).replace(":\"DBNAME\"", NAME);
        try (Connection c = db.admin(db.url); Statement st = c.createStatement()) {
            st.execute(grants);
        }
        return db;
    }

    /** A connection as the admin to our database, named so that it is not counted as the daemon's. */
    Connection admin() throws SQLException {
        Connection c = admin(url);
        c.setAutoCommit(true);
        return c;
    }

    private Connection admin(String to) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", adminUser);
        if (adminPassword != null) {
            props.setProperty("password", adminPassword);
        }
        props.setProperty("ApplicationName", FleetSampler.APPLICATION_NAME);
        return DriverManager.getConnection(to, props);
    }
}
