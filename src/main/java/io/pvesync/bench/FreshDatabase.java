package io.pvesync.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.pvesync.store.Migrations;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A benchmark's database on the given PostgreSQL server, made fresh: created (replacing an earlier
 * one of the name), migrated as the server's admin user (the tables' owner) and granted
 * (config/grants.sql) to a role that is neither superuser nor BYPASSRLS, so pvesync runs under
 * row-level security as in production.
 *
 * @param user          the admin user
 * @param password      its password; null for trust authentication
 * @param applicationName how its connections show in {@code pg_stat_activity}; null for the driver's
 */
record FreshDatabase(String user, String password, String applicationName) {
    private static final Pattern URL_PARTS = Pattern.compile("^(jdbc:postgresql://[^/]+/)([^?]*)(.*)$");

    /**
     * Creates database {@code name} beside {@code serverUrl}'s and returns its URL; {@code role}
     * logs in with {@code rolePassword}.
     *
     * @param serverUrl any database's URL on the server (the admin connects there to create ours)
     */
    String create(String serverUrl, String name, String role, String rolePassword) throws SQLException, IOException {
        Matcher m = URL_PARTS.matcher(serverUrl);
        if (!m.matches()) {
            throw new IllegalArgumentException("--db-url: not a jdbc:postgresql://host:port/database URL: " + serverUrl);
        }
        String url = m.group(1) + name + m.group(3);
        try (Connection c = connect(serverUrl); Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            st.execute("CREATE DATABASE " + name);
            try (ResultSet rs = st.executeQuery("SELECT 1 FROM pg_roles WHERE rolname = '" + role + "'")) {
                if (!rs.next()) {
                    st.execute("CREATE ROLE " + role + " LOGIN NOSUPERUSER NOBYPASSRLS");
                }
            }
            st.execute("ALTER ROLE " + role + " PASSWORD '" + rolePassword + "'");
        }
        HikariConfig owner = new HikariConfig();
        owner.setJdbcUrl(url);
        owner.setUsername(user);
        if (password != null) {
            owner.setPassword(password);
        }
        owner.setMaximumPoolSize(2);
        owner.setPoolName(name + "-migrate");
        try (HikariDataSource pool = new HikariDataSource(owner)) {
            Migrations.migrate(pool);
        }
        String grants = new String(FreshDatabase.class.getResourceAsStream("/sql/grants.sql").readAllBytes(),
                StandardCharsets.UTF_8)
                .lines().filter(l -> !l.startsWith("--")).collect(Collectors.joining("\n"))
                .replace(":\"daemon\"", role).replace(":\"DBNAME\"", name);
        try (Connection c = connect(url); Statement st = c.createStatement()) {
            st.execute(grants);
        }
        return url;
    }

    /** A connection as the admin. */
    Connection connect(String url) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", user);
        if (password != null) {
            props.setProperty("password", password);
        }
        if (applicationName != null) {
            props.setProperty("ApplicationName", applicationName);
        }
        return DriverManager.getConnection(url, props);
    }
}
