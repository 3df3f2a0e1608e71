package io.pvesync.daemon;

import io.pvesync.config.ConfigException;
import io.pvesync.config.ConfigLoader;
import io.pvesync.config.PvesyncConfig;
import io.pvesync.sim.ProxmoxSimulator;
import io.pvesync.store.Database;
import io.pvesync.store.Migrations;
import io.pvesync.config.DatabaseConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code pvesync demo}: the whole daemon against the built-in simulated cluster (HTTPS, token,
 * one node that goes offline now and then) and a database of its own on the local PostgreSQL, with
 * the simulated cluster changing every few seconds so rows visibly change. The daemon writes as a
 * role of its own that is not the owner, exactly as in production.
 */
public final class Demo implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Demo.class);
    private static final Pattern URL_PARTS = Pattern.compile("^(jdbc:postgresql://[^/]+/)([^?]+)(.*)$");
    static final String DAEMON_ROLE = "pvesync_demo";

    /**
     * @param databaseUrl  JDBC URL of the demo's database; created if absent
     * @param adminUser    a role that may create databases and roles (locally: postgres)
     * @param adminPassword its password, or null under trust authentication
     * @param statusPort   where the status endpoint listens (0: any free port)
     * @param changeEvery  how often the simulated cluster changes
     */
    public record Options(String databaseUrl, String adminUser, String adminPassword, int statusPort, int vms,
                          Duration poll, Duration changeEvery, Path workDir) {
    }

    private final ProxmoxSimulator simulator;
    private final Daemon daemon;
    private final ScheduledExecutorService changes;
    private final Options options;

    private Demo(Options options, ProxmoxSimulator simulator, Daemon daemon, ScheduledExecutorService changes) {
        this.options = options;
        this.simulator = simulator;
        this.daemon = daemon;
        this.changes = changes;
    }

    public static Demo start(Options options) throws StartupException {
        ProxmoxSimulator simulator = ProxmoxSimulator.builder().nodes(3).vms(options.vms())
                .containers(Math.max(1, options.vms() / 10)).templates(1).endpoints(2).tls(true)
                .seed(System.nanoTime()).start();
        try {
            String daemonPassword = prepareDatabase(options);
            PvesyncConfig config = writeConfig(options, simulator, daemonPassword);
            Daemon daemon = Daemon.start(config, Clock.systemUTC());
            ScheduledExecutorService changes = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "pvesync-demo-changes");
                t.setDaemon(true);
                return t;
            });
            Random random = new Random();
            long every = options.changeEvery().toMillis();
            changes.scheduleWithFixedDelay(() -> change(simulator, random), every, every, TimeUnit.MILLISECONDS);
            return new Demo(options, simulator, daemon, changes);
        } catch (StartupException e) {
            simulator.close();
            throw e;
        } catch (RuntimeException | SQLException | IOException e) {
            simulator.close();
            throw new StartupException("demo: " + e.getMessage(), e);
        }
    }

    private static void change(ProxmoxSimulator simulator, Random random) {
        try {
            // mostly guests changing; now and then a node drops out for a while
            if (random.nextInt(12) == 0) {
                String node = simulator.nodes().get(simulator.nodes().size() - 1);
                boolean offline = random.nextBoolean();
                simulator.nodeOffline(node, offline);
                log.info("demo - simulated node {} is now {}", node, offline ? "offline" : "online");
            } else {
                log.info("demo - simulated cluster: {}", simulator.randomStep(random));
            }
        } catch (RuntimeException e) {
            log.warn("demo - simulated change failed: {}", e.getMessage());
        }
    }

    /** Creates the database and the daemon's role if absent, migrates, grants; returns the role's password. */
    private static String prepareDatabase(Options options) throws SQLException, IOException {
        Matcher m = URL_PARTS.matcher(options.databaseUrl());
        if (!m.matches()) {
            throw new IllegalArgumentException("not a jdbc:postgresql://host:port/database URL: " + options.databaseUrl());
        }
        String database = m.group(2);
        String password = HexFormat.of().formatHex(new SecureRandom().generateSeed(12));
        try (Connection c = admin(m.group(1) + "postgres" + m.group(3), options); Statement st = c.createStatement()) {
            if (!exists(st, "SELECT 1 FROM pg_database WHERE datname = '" + database.replace("'", "''") + "'")) {
                st.execute("CREATE DATABASE \"" + database.replace("\"", "\"\"") + "\"");
                log.info("demo - created database {}", database);
            }
            if (!exists(st, "SELECT 1 FROM pg_roles WHERE rolname = '" + DAEMON_ROLE + "'")) {
                st.execute("CREATE ROLE " + DAEMON_ROLE + " LOGIN NOSUPERUSER NOBYPASSRLS");
            }
            st.execute("ALTER ROLE " + DAEMON_ROLE + " PASSWORD '" + password + "'");
        }
        DatabaseConfig owner = new DatabaseConfig(options.databaseUrl(), options.adminUser(),
                Optional.ofNullable(options.adminPassword()).map(io.pvesync.config.Secret::of), Optional.empty(),
                Optional.empty(), 2);
        try (HikariDataSource pool = Database.openForMigration(owner, "pvesync-demo-migrate")) {
            Migrations.migrate(pool);
        }
        String grants = new String(Demo.class.getResourceAsStream("/sql/grants.sql").readAllBytes(),
                java.nio.charset.StandardCharsets.UTF_8)
                .lines().filter(l -> !l.startsWith("--")).collect(Collectors.joining("\n"))
                .replace(":\"daemon\"", DAEMON_ROLE).replace(":\"DBNAME\"", "\"" + database + "\"");
        try (Connection c = admin(options.databaseUrl(), options); Statement st = c.createStatement()) {
            st.execute(grants);
            // every demo starts from a new simulated cluster: the last demo's rows would only confuse
            st.execute("DELETE FROM public.vms WHERE proxmox_cluster = 'demo'");
        }
        return password;
    }

    private static Connection admin(String url, Options options) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", options.adminUser());
        if (options.adminPassword() != null) {
            props.setProperty("password", options.adminPassword());
        }
        return DriverManager.getConnection(url, props);
    }

    private static boolean exists(Statement st, String sql) throws SQLException {
        try (var rs = st.executeQuery(sql)) {
            return rs.next();
        }
    }

    /** The config the demo runs with: written as a file and loaded like any other. */
    private static PvesyncConfig writeConfig(Options options, ProxmoxSimulator simulator, String daemonPassword)
            throws IOException {
        Path dir = options.workDir();
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("pve-root-ca.pem"), simulator.caCertificatePem());
        Files.writeString(dir.resolve("token-secret"), io.pvesync.sim.SimulatorBuilder.DEFAULT_TOKEN_SECRET);
        Files.writeString(dir.resolve("db-password"), daemonPassword);
        String endpoints = simulator.endpoints().stream().map(URI::toString).map(u -> "\"" + u + "\"")
                .collect(Collectors.joining(", "));
        String yaml = """
                # written by pvesync demo: the simulated cluster and the local demo database
                database:
                  url: %s
                  username: %s
                  password-file: db-password
                clusters:
                  - name: demo
                    endpoints: [%s]
                    token-id: "pvesync@pve!inventory"
                    token-secret-file: token-secret
                    tls:
                      ca-file: pve-root-ca.pem
                    include-containers: true
                    missing:
                      grace: 0s
                schedule:
                  poll: %s
                  reconcile: "0 * * * * ?"
                status:
                  listen: 127.0.0.1:%d
                """.formatted(options.databaseUrl(), DAEMON_ROLE, endpoints,
                io.pvesync.config.Durations.format(options.poll()), options.statusPort());
        Path file = dir.resolve("pvesync-demo.yaml");
        Files.writeString(file, yaml);
        try {
            return new ConfigLoader().load(file);
        } catch (ConfigException e) {
            throw new UncheckedIOException(new IOException("the demo's own config is refused: " + e.getMessage()));
        }
    }

    /** The status page's address when the status endpoint listens on {@code port} (the demo's is loopback). */
    public static String pageUrl(int port) {
        return "http://127.0.0.1:" + port + "/";
    }

    /** The line the demo begins with: where to look first. */
    public static String pageLine(int port) {
        return "status page: " + pageUrl(port) + "  (open it in a browser; it reloads itself)";
    }

    /** Where to look, for the operator trying the demo; the status page first. */
    public String instructions() {
        String db = URL_PARTS.matcher(options.databaseUrl()).replaceFirst("$2");
        return pageLine(statusPort()) + "\n\n" + """
                pvesync demo is running: a simulated Proxmox VE cluster (3 nodes, HTTPS, %d guests) changes
                every %s, and the daemon keeps the vms table of database %s in sync.

                  status:   curl -s http://127.0.0.1:%d/status
                  health:   curl -s http://127.0.0.1:%d/health
                  metrics:  curl -s http://127.0.0.1:%d/metrics | grep ^pvesync_
                  rows:     psql -h 127.0.0.1 -U %s -d %s -c "SELECT vmid, name, status, cpu_cores, memory_mb, disk_gb, proxmox_node, ip_address, updated_at FROM vms ORDER BY vmid"
                  history:  psql -h 127.0.0.1 -U %s -d %s -c "SELECT changed_at, vmid, kind, changes FROM vm_changes ORDER BY id DESC LIMIT 20"
                  config:   %s

                Stop with Ctrl-C.
                """.formatted(simulator.vms().size(), io.pvesync.config.Durations.format(options.changeEvery()), db,
                statusPort(), statusPort(), statusPort(), options.adminUser(), db, options.adminUser(), db,
                options.workDir().resolve("pvesync-demo.yaml"));
    }

    public int statusPort() {
        return daemon.statusAddress().getPort();
    }

    public ProxmoxSimulator simulator() {
        return simulator;
    }

    public Daemon daemon() {
        return daemon;
    }

    @Override
    public void close() {
        changes.shutdownNow();
        daemon.close();
        simulator.close();
    }
}
