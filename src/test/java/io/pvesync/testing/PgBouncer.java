package io.pvesync.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A real PgBouncer (the distribution's {@code pgbouncer} binary) in front of a {@link TestDatabase}'s
 * server, on a free loopback port, in the pool mode a test asks for. It writes its own ini, lets
 * every user of {@code users} in without a password ({@code auth_type = trust}) and logs in to
 * PostgreSQL with their passwords.
 *
 * <p>PgBouncer refuses to run as root: when the JVM runs as root (here and in CI) it runs as
 * {@code nobody} through {@code runuser}. Where the binary is absent the test is skipped, except
 * under CI ({@code CI=true}), where that fails the test: CI installs pgbouncer (.ci/run), and a
 * check that silently stops running proves nothing.
 */
public final class PgBouncer implements AutoCloseable {
    private static final Pattern HOST_PORT = Pattern.compile("^jdbc:postgresql://([^:/]+)(?::(\\d+))?/([^?]*)(.*)$");
    private static final long START_LIMIT_MILLIS = 10_000;

    private final Process process;
    private final Path dir;
    private final int port;

    private PgBouncer(Process process, Path dir, int port) {
        this.process = process;
        this.dir = dir;
        this.port = port;
    }

    /**
     * Starts PgBouncer in {@code poolMode} ({@code session}, {@code transaction}, {@code statement})
     * in front of the server of {@code backendUrl}.
     *
     * @param users user name to password (null for none) of every role that connects through it
     */
    public static PgBouncer start(String poolMode, String backendUrl, Map<String, String> users) throws Exception {
        Path binary = binary();
        Matcher m = HOST_PORT.matcher(backendUrl);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a jdbc:postgresql://host:port/db URL: " + backendUrl);
        }
        Path dir = Files.createTempDirectory("pvesync-pgbouncer-");
        int port = freePort();
        StringBuilder authFile = new StringBuilder();
        users.forEach((user, password) -> authFile.append('"').append(user).append("\" \"")
                .append(password == null ? "" : password).append("\"\n"));
        Files.writeString(dir.resolve("users.txt"), authFile);
        Files.writeString(dir.resolve("pgbouncer.ini"), String.join("\n",
                "[databases]",
                "* = host=" + m.group(1) + " port=" + (m.group(2) == null ? "5432" : m.group(2)),
                "[pgbouncer]",
                "listen_addr = 127.0.0.1",
                "listen_port = " + port,
                "unix_socket_dir =",
                "auth_type = trust",
                "auth_file = " + dir.resolve("users.txt"),
                "pool_mode = " + poolMode,
                "default_pool_size = 5",
                "max_client_conn = 50",
                // pgjdbc sends extra_float_digits at start; PgBouncer must let it through
                "ignore_startup_parameters = extra_float_digits",
                ""));
        // the unprivileged user reads the ini and the auth file; the log is written by this JVM
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        for (String file : List.of("users.txt", "pgbouncer.ini")) {
            Files.setPosixFilePermissions(dir.resolve(file), PosixFilePermissions.fromString("rw-r--r--"));
        }
        List<String> command = new ArrayList<>();
        if (runningAsRoot()) {
            command.addAll(List.of("runuser", "-u", "nobody", "--"));
        }
        command.add(binary.toString());
        command.add(dir.resolve("pgbouncer.ini").toString());
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("pgbouncer.log").toFile()).start();
        PgBouncer bouncer = new PgBouncer(process, dir, port);
        bouncer.awaitListening();
        return bouncer;
    }

    /** {@code backendUrl} with its host and port replaced by this PgBouncer's. */
    public String url(String backendUrl) {
        Matcher m = HOST_PORT.matcher(backendUrl);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a jdbc:postgresql://host:port/db URL: " + backendUrl);
        }
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + m.group(3) + m.group(4);
    }

    /** What PgBouncer logged so far, for a failure's message. */
    public String log() {
        try {
            return Files.readString(dir.resolve("pgbouncer.log"));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private void awaitListening() throws Exception {
        long deadline = System.currentTimeMillis() + START_LIMIT_MILLIS;
        while (System.currentTimeMillis() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("pgbouncer exited with " + process.exitValue() + ": " + log());
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        close();
        throw new IllegalStateException("pgbouncer did not listen on 127.0.0.1:" + port + " within "
                + START_LIMIT_MILLIS + " ms: " + log());
    }

    /** The binary, or a skip (a failure under CI) naming what is missing. */
    private static Path binary() {
        Optional<Path> found = Stream.concat(
                        Stream.of(System.getenv().getOrDefault("PATH", "").split(":")),
                        Stream.of("/usr/sbin", "/usr/local/sbin", "/usr/bin"))
                .filter(d -> !d.isEmpty())
                .map(d -> Path.of(d, "pgbouncer"))
                .filter(Files::isExecutable)
                .findFirst();
        if (found.isPresent()) {
            return found.get();
        }
        String why = "the pgbouncer binary is not installed (on PATH or in /usr/sbin); install it: apt-get install -y"
                + " pgbouncer";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new IllegalStateException("CI=true but " + why + " (.ci/run installs it)");
        }
        Assumptions.abort(why);
        throw new AssertionError("unreachable");
    }

    private static boolean runningAsRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() throws Exception {
        // runuser passes SIGTERM on to pgbouncer, which then stops at once
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
