package io.pvesync.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pvesync.sim.ProxmoxSimulator;
import io.pvesync.sim.SimVm;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The installed package reaches a healthy daemon by README's steps alone ("Install (Debian/Ubuntu,
 * systemd)" and "Database roles and GRANTs"): apt-get install the .deb, create the daemon's role, edit
 * the shipped example config the way its own comments say, put the secrets in
 * /etc/pvesync/credentials/ with README's printf lines, {@code pvesync migrate}, the shipped
 * grants.sql, {@code pvesync check}, then start the service.
 *
 * <p>This machine has no systemd as PID 1, so the last step is done the way the installed unit
 * would do it: its {@code ExecStart=} command line, as its {@code User=}, with the files its
 * {@code LoadCredential=} lines name copied into a directory only that user can read, passed as
 * {@code CREDENTIALS_DIRECTORY}. The daemon so reads the packaged config (root:pvesync 0640) as the
 * packaged user, and must answer {@code /health} 200, sync the simulator's VMs into
 * {@code public.vms}, and stop on SIGTERM within the unit's {@code TimeoutStopSec=}.
 *
 * <p>Same rules as {@link DebianPackageLifecycleIT}: root and the tools are required on CI; elsewhere
 * it skips, and never touches an existing pvesync install. Afterwards the machine is as before.
 */
class DebianPackageServiceIT {
    private static final Path CONFIG = MachineInstall.CONFIG;
    private static final Path CREDENTIALS = Path.of("/etc/pvesync/credentials");
    private static final Path UNIT = Path.of("/lib/systemd/system/pvesync.service");
    /** Where the example config's commented ca-file line puts a cluster's CA. */
    private static final Path CA_FILE = Path.of("/etc/pvesync/lab-pve-root-ca.pem");
    private static final String TOKEN_SECRET = "0e6b3a52-1c4d-4f8e-9b7a-2d5c6e7f8a90";
    private static final Duration HEALTHY_WITHIN = Duration.ofSeconds(60);
    /** The unit's TimeoutStopSec=: systemd kills the daemon after this. */
    private static final Duration STOPS_WITHIN = Duration.ofSeconds(20);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    static MachineInstall install;
    static BuiltPackage built;
    static ProxmoxSimulator sim;
    static final String suffix = HexFormat.of().formatHex(new SecureRandom().generateSeed(4));
    static final String database = "pvesync_deb_service_" + suffix;
    static final String daemonRole = "pvesync_deb_daemon_" + suffix;
    static final String daemonPassword = "pw-" + suffix;
    static boolean databaseCreated;
    static Path credentialsDirectory;
    static Process daemon;
    static Path daemonLogFile;

    @BeforeAll
    static void onlyOnADisposableRootMachine() {
        Shell.requireTool("dpkg-deb", "dpkg");
        Shell.requireTool("apt-get", "apt");
        Shell.requireTool("psql", "postgresql-client");
        Shell.requireTool("setpriv", "util-linux");
        install = MachineInstall.claim("package service test");
        built = install.built();
    }

    @AfterAll
    static void leaveTheMachineAsItWas() throws IOException {
        if (daemon != null && daemon.isAlive()) {
            daemon.destroyForcibly();
        }
        if (sim != null) {
            sim.close();
        }
        if (install == null) {
            return;
        }
        install.release();
        if (databaseCreated) {
            psql("postgres", "DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
            psql("postgres", "DROP ROLE IF EXISTS " + daemonRole);
        }
        if (daemonLogFile != null) {
            Files.deleteIfExists(daemonLogFile); // its content went into the failure message or the test's output
        }
        if (credentialsDirectory != null) {
            Shell.run("rm", "-rf", credentialsDirectory.toString()).ok();
        }
    }

    /** psql as the local server's superuser, as README's "as the owner of the AccountDB (or a superuser)". */
    private static Shell.Result psql(String db, String sql) {
        return Shell.run("psql", "-h", "127.0.0.1", "-p", "5432", "-U", "postgres", "-d", db, "-v", "ON_ERROR_STOP=1",
                "-X", "-q", "-A", "-t", "-c", sql).ok();
    }

    @Test
    void readmeStepsReachAHealthyDaemon() throws Exception {
        sim = ProxmoxSimulator.builder().nodes(2).vms(3).containers(0).templates(0).tls(true)
                .tokenSecret(TOKEN_SECRET).start();

        // sudo apt install ./target/pvesync_*_all.deb
        Shell.run("apt-get", "install", "--yes", "--no-install-recommends", built.deb().toAbsolutePath().toString()).ok();
        assertThat(MachineInstall.packageStatus()).isEqualTo("install ok installed");

        // "Database roles and GRANTs": a database, the daemon's role (neither superuser nor BYPASSRLS)
        psql("postgres", "CREATE DATABASE " + database);
        databaseCreated = true;
        psql(database, "CREATE ROLE " + daemonRole + " LOGIN PASSWORD '" + daemonPassword + "'");
        assertThat(psql(database, "SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = '" + daemonRole + "'")
                .output().strip()).as("the daemon's role is superuser or BYPASSRLS").isEqualTo("f");

        // sudoedit /etc/pvesync/pvesync.yaml: the shipped example, edited as its own comments say
        int statusPort = freePort();
        String config = Files.readString(CONFIG);
        config = editLine(config, "url: jdbc:postgresql://127.0.0.1:5432/accountdb", "url: jdbc:postgresql://127.0.0.1:5432/" + database);
        config = editLine(config, "username: pvesync", "username: " + daemonRole);
        config = editLine(config, "password: change-me", "# password: change-me");
        config = editLine(config, "# password-file: ${CREDENTIALS_DIRECTORY}/db-password", "password-file: ${CREDENTIALS_DIRECTORY}/db-password");
        // the tables' owner here is the server's superuser (trust authentication on this machine)
        config = editLine(config, "# migrate-username: accountdb_owner", "migrate-username: postgres");
        config = editLine(config, "endpoints: [\"https://pve1.lab.example:8006\", \"https://pve2.lab.example:8006\"]",
                "endpoints: [" + sim.endpoints().stream().map(u -> "\"" + u + "\"").collect(Collectors.joining(", ")) + "]");
        config = editLine(config, "token-secret: \"xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx\"", "# token-secret: \"xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx\"");
        config = editLine(config, "# token-secret-file: ${CREDENTIALS_DIRECTORY}/lab-token", "token-secret-file: ${CREDENTIALS_DIRECTORY}/lab-token");
        config = editLine(config, "# ca-file: /etc/pvesync/lab-pve-root-ca.pem", "ca-file: " + CA_FILE);
        config = editLine(config, "listen: 127.0.0.1:9187", "listen: 127.0.0.1:" + statusPort);
        Files.writeString(CONFIG, config); // in place, as sudoedit does: owner and mode stay
        MachineInstall.assertConfigBelongsToGroupPvesync();
        // the cluster's CA, copied as README's scp line leaves it: scp keeps /etc/pve's mode 0640, and
        // root owns the copy; then README's chmod, without which user pvesync cannot read it
        Files.writeString(CA_FILE, sim.caCertificatePem());
        Files.setPosixFilePermissions(CA_FILE, PosixFilePermissions.fromString("rw-r-----"));
        Shell.run("chmod", "0644", CA_FILE.toString()).ok();

        // README's printf lines and chmod
        Shell.run("sh", "-c", "printf '%s' '" + daemonPassword + "' | tee /etc/pvesync/credentials/db-password >/dev/null").ok();
        Shell.run("sh", "-c", "printf '%s' '" + TOKEN_SECRET + "' | tee /etc/pvesync/credentials/lab-token >/dev/null").ok();
        Shell.run("sh", "-c", "chmod 0600 /etc/pvesync/credentials/*").ok();

        // sudo pvesync migrate, the shipped grants.sql as the owner, sudo pvesync check
        Shell.run("/usr/bin/pvesync", "migrate", "--config", CONFIG.toString()).ok();
        Shell.run("psql", "-h", "127.0.0.1", "-p", "5432", "-U", "postgres", "-d", database, "-X", "-q",
                "-v", "ON_ERROR_STOP=1", "-v", "daemon=" + daemonRole, "-f", "/usr/share/pvesync/grants.sql").ok();
        Shell.Result check = Shell.run("/usr/bin/pvesync", "check", "--config", CONFIG.toString()).ok();
        System.out.printf("pvesync check printed:%n%s%n", check.output());

        // sudo systemctl enable --now pvesync, as far as this machine allows without systemd
        InstalledUnit unit = InstalledUnit.read(UNIT);
        assertThat(unit.user()).isEqualTo("pvesync");
        credentialsDirectory = loadCredentials(unit);
        Path log = Files.createTempFile("pvesync-service-", ".log");
        daemonLogFile = log;
        daemon = startAsTheUnitWould(unit, credentialsDirectory, log);
        Supplier<String> daemonLog = () -> {
            try {
                return Files.readString(log);
            } catch (IOException e) {
                return "(cannot read " + log + ": " + e + ")";
            }
        };

        URI status = URI.create("http://127.0.0.1:" + statusPort);
        HttpResponse<String> health = waitForHealth(status.resolve("/health"), daemonLog);
        assertThat(health.statusCode()).as("GET /health; the daemon logged:%n%s", daemonLog.get()).isEqualTo(200);
        // by now setpriv has long exec'd the JVM: the process answering is the packaged user's
        assertThat(daemon.info().user()).as("the daemon's process owner").contains(unit.user());
        JsonNode lab = clusterLab(get(status.resolve("/status")).body());
        assertThat(lab.get("state").asText()).as("/status clusters[lab].state").isEqualTo("ok");

        TreeSet<Integer> simulated = sim.vms().stream().map(SimVm::vmid).collect(Collectors.toCollection(TreeSet::new));
        assertThat(simulated).hasSize(3);
        assertThat(syncedVmids()).as("public.vms rows of cluster lab").isEqualTo(simulated);

        // systemctl stop: SIGTERM to the main process, then TimeoutStopSec=
        daemon.destroy();
        assertThat(daemon.waitFor(STOPS_WITHIN.toSeconds(), TimeUnit.SECONDS))
                .as("the daemon exits within %s of SIGTERM; it logged:%n%s", STOPS_WITHIN, daemonLog.get()).isTrue();
        assertThat(unit.successExitStatuses()).as("the daemon's exit status %d is a success for the unit (0 or SuccessExitStatus=)",
                daemon.exitValue()).contains(daemon.exitValue());
        System.out.printf("the daemon exited with %d; it logged:%n%s%n", daemon.exitValue(), daemonLog.get());
    }

    /** Replaces the one line that reads {@code from} (indentation aside) by {@code to}, keeping its indentation. */
    private static String editLine(String text, String from, String to) {
        List<String> lines = new ArrayList<>(text.lines().toList());
        int hits = 0;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.strip().equals(from)) {
                lines.set(i, line.substring(0, line.indexOf(from.charAt(0))) + to);
                hits++;
            }
        }
        assertThat(hits).as("the shipped %s has exactly one line `%s` to edit", CONFIG, from).isEqualTo(1);
        return String.join("\n", lines) + "\n";
    }

    /**
     * What systemd does for LoadCredential=ID:PATH: reads PATH as root and hands a copy named ID to the
     * service, in a directory only the service's user can read.
     */
    private static Path loadCredentials(InstalledUnit unit) throws IOException {
        Path dir = Files.createTempDirectory("pvesync-credentials-");
        for (InstalledUnit.Credential credential : unit.credentials()) {
            assertThat(credential.source()).as("LoadCredential=%s's file", credential.id()).isRegularFile();
            Files.copy(credential.source(), dir.resolve(credential.id()));
        }
        String user = unit.user();
        Shell.run("chown", "-R", user + ":" + user, dir.toString()).ok();
        Shell.run("sh", "-c", "chmod 0400 \"$1\"/* && chmod 0500 \"$1\"", "sh", dir.toString()).ok();
        return dir;
    }

    /**
     * The unit's ExecStart= as its User= (and Group=) with the environment systemd gives a service.
     * setpriv, not runuser or su: it execs the command, so the process this test signals is the JVM
     * itself, as systemd's main PID is; a runuser in between would SIGKILL it 2 s after a SIGTERM.
     */
    private static Process startAsTheUnitWould(InstalledUnit unit, Path credentials, Path log) throws IOException {
        List<String> command = new ArrayList<>(List.of("setpriv", "--reuid=" + unit.user(), "--regid=" + unit.group(),
                "--init-groups", "--", "env", "-i",
                "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8",
                "USER=" + unit.user(), "LOGNAME=" + unit.user(), "HOME=/nonexistent", "SHELL=/usr/sbin/nologin",
                "CREDENTIALS_DIRECTORY=" + credentials));
        command.addAll(unit.execStart());
        return new ProcessBuilder(command).directory(Path.of("/").toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
    }

    private static HttpResponse<String> waitForHealth(URI health, Supplier<String> daemonLog) throws Exception {
        Instant deadline = Instant.now().plus(HEALTHY_WITHIN);
        HttpResponse<String> last = null;
        String lastError = "no answer yet";
        while (Instant.now().isBefore(deadline)) {
            if (!daemon.isAlive()) {
                fail("the daemon exited with " + daemon.exitValue() + " before /health answered 200; it logged:\n" + daemonLog.get());
            }
            try {
                last = get(health);
                if (last.statusCode() == 200) {
                    return last;
                }
                lastError = last.statusCode() + " " + last.body();
            } catch (IOException e) {
                lastError = e.toString();
            }
            Thread.sleep(500);
        }
        return fail("GET " + health + " did not answer 200 within " + HEALTHY_WITHIN + " (last: " + lastError
                + "); the daemon logged:\n" + daemonLog.get());
    }

    private static HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode clusterLab(String statusJson) throws IOException {
        for (JsonNode cluster : new ObjectMapper().readTree(statusJson).get("clusters")) {
            if (cluster.get("name").asText().equals("lab")) {
                return cluster;
            }
        }
        return fail("/status has no cluster lab: " + statusJson);
    }

    private static TreeSet<Integer> syncedVmids() throws Exception {
        TreeSet<Integer> vmids = new TreeSet<>();
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + database, "postgres", null);
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT vmid FROM public.vms WHERE proxmox_cluster = 'lab' AND retired_at IS NULL")) {
            while (rs.next()) {
                vmids.add(rs.getInt(1));
            }
        }
        return vmids;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
