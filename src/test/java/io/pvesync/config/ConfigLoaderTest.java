package io.pvesync.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    @TempDir
    Path dir;

    private static final String MINIMAL = MinimalConfig.YAML;

    private Path write(String name, String content) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, content);
        return file;
    }

    private ConfigException failure(String yaml) throws IOException {
        Path file = write("pvesync.yaml", yaml);
        try {
            new ConfigLoader(Map.of()).load(file);
        } catch (ConfigException e) {
            return e;
        }
        throw new AssertionError("expected the config to be refused");
    }

    @Test
    void shippedExampleLoadsAsItIs() throws Exception {
        PvesyncConfig config = new ConfigLoader(Map.of()).load(Path.of("config/pvesync.yaml"));

        assertThat(config.database().url()).isEqualTo("jdbc:postgresql://127.0.0.1:5432/accountdb");
        assertThat(config.clusters()).hasSize(1);
        ClusterConfig lab = config.clusters().get(0);
        assertThat(lab.name()).isEqualTo("lab");
        assertThat(lab.endpoints()).containsExactly(
                URI.create("https://pve1.lab.example:8006"), URI.create("https://pve2.lab.example:8006"));
        assertThat(lab.missing()).isEqualTo(new MissingPolicy(Duration.ofMinutes(10), 0.10, 5));
        assertThat(config.schedule()).isEqualTo(new ScheduleConfig(Duration.ofSeconds(30), "0 0 * * * ?", false));
        assertThat(config.database().statementTimeout()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void defaultsApplyWhenKeysAreAbsent() throws Exception {
        PvesyncConfig config = new ConfigLoader(Map.of()).load(write("min.yaml", MINIMAL));

        ClusterConfig lab = config.clusters().get(0);
        assertThat(lab.tokenSecret().reveal()).isEqualTo("abc");
        assertThat(lab.tls()).isEqualTo(TlsConfig.systemDefault());
        assertThat(lab.includeContainers()).isFalse();
        assertThat(lab.connectTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(lab.addressConcurrency()).isEqualTo(2);
        assertThat(lab.missing()).isEqualTo(MissingPolicy.DEFAULT);
        assertThat(config.database().password()).isEmpty();
        assertThat(config.database().poolSize()).isEqualTo(4);
        assertThat(config.status().listen().getHostString()).isEqualTo("127.0.0.1");
        assertThat(config.status().listen().getPort()).isEqualTo(9187);
        assertThat(config.status().resyncToken()).isEmpty();
    }

    @Test
    void everyProblemIsReportedTogetherWithFileAndKey() throws Exception {
        ConfigException e = failure("""
                database:
                  url: jdbc:mysql://x/y
                clusters:
                  - name: lab
                    endpoints: ["ftp://pve1"]
                    token-id: "pvesync"
                  - name: lab
                    endpoints: ["https://pve2:8006"]
                    token-id: "a@pve!b"
                    token-secret: s
                schedule:
                  poll: "30"
                  reconcile: "every hour"
                """);

        assertThat(e.problems()).containsExactly(
                "database.url: must start with jdbc:postgresql:// (got \"jdbc:mysql://x/y\")",
                "database.username: required",
                "clusters[0].endpoints[0]: \"ftp://pve1\" is not an https://host:port URL",
                "clusters[0].token-id: \"pvesync\" is not USER@REALM!TOKENID (e.g. pvesync@pve!inventory)",
                "clusters[0].token-secret: required (or token-secret-file)",
                "clusters[1].name: \"lab\" is used by another cluster; names must be unique",
                "schedule.poll: \"30\" has no unit (try \"30s\")",
                "schedule.reconcile: \"every hour\" is not a Quartz cron expression (Illegal characters for this"
                        + " position: 'EVE'); example: \"0 0 * * * ?\" = hourly");
        assertThat(e.getMessage()).startsWith(dir.resolve("pvesync.yaml") + ": database.url: must start");
        assertThat(e.getMessage().lines()).allMatch(l -> l.startsWith(dir.resolve("pvesync.yaml").toString()));
    }

    @Test
    void statementTimeoutDefaultsTo30sAndMustBoundTheWait() throws Exception {
        assertThat(new ConfigLoader(Map.of()).load(write("min.yaml", MINIMAL)).database().statementTimeout())
                .isEqualTo(Duration.ofSeconds(30));
        PvesyncConfig config = new ConfigLoader(Map.of()).load(write("st.yaml",
                MINIMAL.replace("username: pvesync", "username: pvesync\n  statement-timeout: 2m")));
        assertThat(config.database().statementTimeout()).isEqualTo(Duration.ofMinutes(2));

        assertThat(failure(MINIMAL.replace("username: pvesync", "username: pvesync\n  statement-timeout: 0s"))
                .problems()).containsExactly("database.statement-timeout: must be at least 1s (it bounds every"
                        + " statement of a pass, lock waits included)");
        assertThat(failure(MINIMAL.replace("username: pvesync", "username: pvesync\n  statement-timeout: 2h"))
                .problems()).containsExactly("database.statement-timeout: must be at most 1h");
        assertThat(failure(MINIMAL.replace("username: pvesync", "username: pvesync\n  statement-timeout: 30"))
                .problems()).containsExactly("database.statement-timeout: \"30\" has no unit (try \"30s\")");
    }

    @Test
    void addressBudgetDefaultsToHalfThePollButAtLeastTheAddressTimeout() throws Exception {
        String secret = "token-secret: \"abc\"";
        assertThat(new ConfigLoader(Map.of()).load(write("min.yaml", MINIMAL)).clusters().get(0).addressBudget())
                .isEqualTo(Duration.ofSeconds(15));
        assertThat(new ConfigLoader(Map.of()).load(write("poll.yaml", MINIMAL + "schedule:\n  poll: 5m\n"))
                .clusters().get(0).addressBudget()).isEqualTo(Duration.ofMinutes(2).plusSeconds(30));
        assertThat(new ConfigLoader(Map.of()).load(write("fast.yaml", MINIMAL + "schedule:\n  poll: 5s\n"))
                .clusters().get(0).addressBudget()).isEqualTo(Duration.ofSeconds(10));
        assertThat(new ConfigLoader(Map.of()).load(write("set.yaml", MINIMAL.replace(secret,
                secret + "\n    addresses:\n      budget: 40s"))).clusters().get(0).addressBudget())
                .isEqualTo(Duration.ofSeconds(40));

        assertThat(failure(MINIMAL.replace(secret, secret + "\n    addresses:\n      budget: 500ms")).problems())
                .containsExactly("clusters[0].addresses.budget: must be between 1s and 1h (how long a pass may start"
                        + " per-VM lookups)");
    }

    @Test
    void unknownKeysAreRefusedWithASuggestion() throws Exception {
        ConfigException e = failure(MINIMAL.replace("token-secret: \"abc\"", "token-secret: \"abc\"\n    includ-containers: true")
                + "shedule:\n  poll: 10s\n");

        assertThat(e.problems()).containsExactly(
                "clusters[0].includ-containers: unknown key (did you mean \"include-containers\"?)",
                "shedule: unknown key (did you mean \"schedule\"?)");
    }

    @Test
    void missingFileAndBrokenYamlAreClear() throws Exception {
        assertThatThrownBy(() -> new ConfigLoader(Map.of()).load(dir.resolve("nope.yaml")))
                .hasMessage(dir.resolve("nope.yaml") + ": file does not exist");
        ConfigException e = failure("database: [unclosed\n");
        assertThat(e.getMessage()).contains("line ").contains("not valid YAML");
    }

    @Test
    void secretFilesExpandEnvironmentVariablesAndResolveRelativeToTheConfig() throws Exception {
        Path creds = Files.createDirectory(dir.resolve("creds"));
        Files.writeString(creds.resolve("token"), "from-file\n");
        Files.writeString(dir.resolve("db-pw"), "db-secret\n");
        String yaml = MINIMAL.replace("token-secret: \"abc\"", "token-secret-file: ${CREDENTIALS_DIRECTORY}/token")
                .replace("username: pvesync", "username: pvesync\n  password-file: db-pw");
        PvesyncConfig config = new ConfigLoader(Map.of("CREDENTIALS_DIRECTORY", creds.toString()))
                .load(write("with-files.yaml", yaml));

        assertThat(config.clusters().get(0).tokenSecret().reveal()).isEqualTo("from-file");
        assertThat(config.database().password().orElseThrow().reveal()).isEqualTo("db-secret");
    }

    @Test
    void secretFileProblemsNameTheKeyAndPath() throws Exception {
        ConfigException e = failure(MINIMAL.replace("token-secret: \"abc\"",
                "token-secret-file: ${CREDENTIALS_DIRECTORY}/token")
                .replace("username: pvesync", "username: pvesync\n  password: x\n  password-file: /nonexistent/pw"));

        assertThat(e.problems()).containsExactly(
                "database.password: give either password or password-file, not both",
                "clusters[0].token-secret-file: environment variable CREDENTIALS_DIRECTORY is not set"
                        + " (used in \"${CREDENTIALS_DIRECTORY}/token\")");
        ConfigException missing = failure(MINIMAL.replace("token-secret: \"abc\"", "token-secret-file: gone"));
        assertThat(missing.problems()).containsExactly(
                "clusters[0].token-secret-file: file " + dir.resolve("gone") + " does not exist");
    }

    @Test
    void tlsModesAreValidated() throws Exception {
        Path ca = write("ca.pem", "-----BEGIN CERTIFICATE-----\n");
        String fp = "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89";
        PvesyncConfig pinned = new ConfigLoader(Map.of()).load(write("fp.yaml",
                MINIMAL + "    tls:\n      fingerprint: \"" + fp.toLowerCase() + "\"\n"));
        assertThat(pinned.clusters().get(0).tls().fingerprints()).containsExactly(fp);

        PvesyncConfig withCa = new ConfigLoader(Map.of()).load(write("ca.yaml",
                MINIMAL + "    tls:\n      ca-file: ca.pem\n"));
        assertThat(withCa.clusters().get(0).tls().caFile()).contains(ca);

        ConfigException e = failure(MINIMAL + "    tls:\n      ca-file: ca.pem\n      insecure: true\n"
                + "      fingerprint: [\"12:34\"]\n");
        assertThat(e.problems()).containsExactly(
                "clusters[0].tls.fingerprint: \"12:34\" is not a SHA-256 fingerprint (32 hex pairs joined by ':',"
                        + " as shown by: pvenode cert info)",
                "clusters[0].tls: choose one of ca-file, fingerprint and insecure");
    }

    @Test
    void missingPolicyAcceptsPercentOrFraction() throws Exception {
        PvesyncConfig config = new ConfigLoader(Map.of()).load(write("m.yaml",
                MINIMAL + "    missing:\n      grace: 2m\n      max-share: 25%\n      min-count: 3\n"));
        assertThat(config.clusters().get(0).missing()).isEqualTo(new MissingPolicy(Duration.ofMinutes(2), 0.25, 3));
        assertThat(new MissingPolicy(Duration.ZERO, 0.10, 5).limitFor(200)).isEqualTo(20);
        assertThat(new MissingPolicy(Duration.ZERO, 0.10, 5).limitFor(20)).isEqualTo(5);

        ConfigException e = failure(MINIMAL + "    missing:\n      max-share: lots\n");
        assertThat(e.problems()).containsExactly("clusters[0].missing.max-share: \"lots\" is not a share (examples: 10%, 0.1)");
    }

    @Test
    void secretsNeverAppearInToStringOrProblems() throws Exception {
        Files.writeString(dir.resolve("pw"), "DB-SECRET-VALUE");
        PvesyncConfig config = new ConfigLoader(Map.of()).load(write("s.yaml", MINIMAL
                .replace("token-secret: \"abc\"", "token-secret: \"TOKEN-SECRET-VALUE\"")
                .replace("username: pvesync", "username: pvesync\n  password-file: pw")
                + "status:\n  resync-token: RESYNC-SECRET-VALUE\n"));

        assertThat(config.toString()).doesNotContain("SECRET").contains("<masked>");

        ConfigException e = failure(MINIMAL.replace("token-secret: \"abc\"", "token-secret: [\"SECRET-IN-LIST\"]")
                .replace("username: pvesync", "username: pvesync\n  password-file: pw\n  pool-size: 0"));
        assertThat(e.getMessage()).doesNotContain("SECRET").contains("clusters[0].token-secret: must be a single value");
        List<String> problems = e.problems();
        assertThat(problems).contains("database.pool-size: must be a whole number from 1 to 64, not \"0\"");
    }

    @Test
    void statusReachableFromOtherHostsNeedsAResyncToken() throws Exception {
        ConfigException e = failure(MINIMAL + "status:\n  listen: 0.0.0.0:9187\n");
        assertThat(e.problems()).singleElement().asString()
                .startsWith("status.listen: \"0.0.0.0:9187\" is reachable from other hosts")
                .contains("status.resync-token");
        assertThat(e.getMessage()).contains("pvesync.yaml");

        PvesyncConfig withToken = new ConfigLoader(Map.of()).load(write("t.yaml",
                MINIMAL + "status:\n  listen: 0.0.0.0:9187\n  resync-token: tok\n"));
        assertThat(withToken.status().listen().getPort()).isEqualTo(9187);
        PvesyncConfig loopback = new ConfigLoader(Map.of()).load(write("l.yaml",
                MINIMAL + "status:\n  listen: \"[::1]:9187\"\n"));
        assertThat(loopback.status().resyncToken()).isEmpty();
    }
}
