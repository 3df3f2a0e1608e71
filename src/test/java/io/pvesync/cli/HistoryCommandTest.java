package io.pvesync.cli;

import static io.pvesync.testing.CommandRun.pvesync;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pvesync.store.Migrations;
import io.pvesync.store.RlsContext;
import io.pvesync.testing.CommandRun;
import io.pvesync.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pvesync history} against a real database: the daemon's role reads public.vm_changes
 * through row-level security, filtered, newest first, as a table or as JSON.
 */
class HistoryCommandTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    /** A database nobody migrated: no public.vm_changes. */
    @RegisterExtension
    static final TestDatabase unmigrated = new TestDatabase();

    @TempDir
    static Path dir;

    /** A VM's name as its owner typed it: an escape sequence that turns the terminal red, and a newline. */
    static final String HOSTILE = "evil\u001b[31mred\nnext \"quoted\" \u202Eenil";

    static final DateTimeFormatter UTC = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);
    static Instant base;
    static String config;
    static long resized;
    static long renamed;
    static long vanished;
    static long retired;

    @BeforeAll
    static void historyOfTwoClusters() throws Exception {
        Migrations.migrate(db.ownerPool());
        db.grantDaemon();
        config = configFor(db, "history.yaml", db.url(), db.daemonPassword());
        base = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        change(12, 104, "lab", Duration.ofDays(10), "inserted", null,
                "{\"name\": [null, \"web1\"], \"status\": [null, \"running\"], \"memory_mb\": [null, 2048]}");
        resized = change(12, 104, "lab", Duration.ofDays(2), "updated", 42,
                "{\"memory_mb\": [2048, 4096], \"status\": [\"running\", \"stopped\"]}");
        renamed = change(13, 105, "lab", Duration.ofHours(1), "updated", 7,
                "{\"name\": [\"db1\", " + new ObjectMapper().writeValueAsString(HOSTILE) + "]}");
        vanished = change(40, 104, "other", Duration.ofMinutes(30), "missing", null,
                "{\"status\": [\"running\", \"missing\"]}");
        retired = change(12, 104, "lab", Duration.ofMinutes(5), "retired", 42,
                "{\"retired_at\": [null, \"2026-12-04T18:02:11Z\"]}");
    }

    /** One history row as the daemon would write it, {@code ago} before {@link #base}; returns its id. */
    private static long change(int vmId, int vmid, String cluster, Duration ago, String kind, Integer owner,
                               String changes) throws Exception {
        try (Connection c = db.ownerConnection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO public.vm_changes (vm_id, vmid, proxmox_cluster, changed_at, kind, changes, owner_id)"
                        + " VALUES (?, ?, ?, ?, ?, ?::jsonb, ?) RETURNING id")) {
            ps.setInt(1, vmId);
            ps.setInt(2, vmid);
            ps.setString(3, cluster);
            ps.setTimestamp(4, Timestamp.from(base.minus(ago)));
            ps.setString(5, kind);
            ps.setString(6, changes);
            ps.setObject(7, owner);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** A config whose one cluster is never called: the command reads only the database. */
    private static String configFor(TestDatabase of, String name, String url, String password) throws Exception {
        Path file = dir.resolve(name);
        Files.writeString(file, """
                database:
                  url: %s
                  username: %s
                  password: %s
                clusters:
                  - name: lab
                    endpoints: ["https://127.0.0.1:1"]
                    token-id: "pvesync@pve!inventory"
                    token-secret: "00000000-0000-0000-0000-000000000000"
                """.formatted(url, of.daemonUser(), password));
        return file.toString();
    }

    private static CommandRun history(String... options) {
        String[] args = new String[options.length + 3];
        args[0] = "history";
        args[1] = "--config";
        args[2] = config;
        System.arraycopy(options, 0, args, 3, options.length);
        return pvesync(args);
    }

    /** The table's CHANGED column: each change here has a time of its own, so it names the row. */
    private static List<String> changedColumn(CommandRun run) {
        return run.out().lines().skip(1).map(l -> l.substring(0, 19)).toList();
    }

    private static String at(Duration ago) {
        return UTC.format(base.minus(ago));
    }

    @Test
    void everyChangeNewestFirstInAlignedColumns() {
        CommandRun run = history();

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out().lines().toList()).containsExactly(
                "CHANGED              CLUSTER  VMID  VM_ID  KIND      OWNER  CHANGES",
                at(Duration.ofMinutes(5)) + "  lab      104   12     retired   42     retired_at NULL -> \"2026-12-04T18:02:11Z\"",
                at(Duration.ofMinutes(30)) + "  other    104   40     missing   -      status \"running\" -> \"missing\"",
                at(Duration.ofHours(1)) + "  lab      105   13     updated   7      name \"db1\" -> "
                        + "\"evil\\u001b[31mred\\nnext \\\"quoted\\\" \\u202eenil\"",
                at(Duration.ofDays(2)) + "  lab      104   12     updated   42     status \"running\" -> \"stopped\","
                        + " memory_mb 2048 -> 4096",
                at(Duration.ofDays(10)) + "  lab      104   12     inserted  -      name NULL -> \"web1\","
                        + " status NULL -> \"running\", memory_mb NULL -> 2048");
        assertThat(run.out()).as("the owner's text never drives the terminal").doesNotContain("\u001b", "\u202E");
    }

    @Test
    void theDaemonRoleSeesTheHistoryOnlyUnderTheAdminContext() throws Exception {
        try (Connection c = db.daemonConnection(); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM public.vm_changes")) {
                rs.next();
                assertThat(rs.getInt(1)).as("no context: row-level security shows the role nothing").isZero();
            }
            c.setAutoCommit(false);
            RlsContext.user(c, 42);
            try (ResultSet rs = st.executeQuery("SELECT id FROM public.vm_changes ORDER BY id")) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(resized);
                rs.next();
                assertThat(rs.getLong(1)).as("user 42 sees the changes made while it owned the row").isEqualTo(retired);
                assertThat(rs.next()).isFalse();
            }
            c.rollback();
        }

        CommandRun run = history();

        assertThat(run.out().lines().count()).as("the command sets the admin context: every change").isEqualTo(6);
    }

    @Test
    void filtersCombine() {
        assertThat(changedColumn(history("--cluster", "lab"))).containsExactly(at(Duration.ofMinutes(5)),
                at(Duration.ofHours(1)), at(Duration.ofDays(2)), at(Duration.ofDays(10)));
        assertThat(changedColumn(history("--vmid", "104"))).containsExactly(at(Duration.ofMinutes(5)),
                at(Duration.ofMinutes(30)), at(Duration.ofDays(2)), at(Duration.ofDays(10)));
        assertThat(changedColumn(history("--cluster", "lab", "--vmid", "104"))).containsExactly(
                at(Duration.ofMinutes(5)), at(Duration.ofDays(2)), at(Duration.ofDays(10)));
        assertThat(changedColumn(history("--since", "3d"))).containsExactly(at(Duration.ofMinutes(5)),
                at(Duration.ofMinutes(30)), at(Duration.ofHours(1)), at(Duration.ofDays(2)));
        assertThat(changedColumn(history("--cluster", "lab", "--vmid", "104", "--since", "1d")))
                .containsExactly(at(Duration.ofMinutes(5)));
        assertThat(changedColumn(history("--cluster", "other", "--since", "45m")))
                .containsExactly(at(Duration.ofMinutes(30)));
    }

    @Test
    void theLimitKeepsTheNewestAndSaysWhenThereIsMore() {
        CommandRun two = history("--limit", "2");
        CommandRun all = history("--limit", "5");

        assertThat(two.out().lines().toList()).hasSize(4);
        assertThat(changedColumn(two).subList(0, 2)).containsExactly(at(Duration.ofMinutes(5)), at(Duration.ofMinutes(30)));
        assertThat(two.out().lines().toList().get(3)).isEqualTo("(the newest 2 shown; older changes match too: --limit"
                + " up to 10000, or narrow with --cluster, --vmid, --since)");
        assertThat(all.out().lines().toList()).as("exactly the limit: nothing more to say").hasSize(6);
    }

    @Test
    void nothingMatchingSaysSoAndRepeatsTheFilters() {
        CommandRun none = history("--cluster", "lab", "--vmid", "999", "--since", "7d");
        CommandRun gone = history("--cluster", "old");

        assertThat(none.exit()).isZero();
        assertThat(none.out()).isEqualTo("no changes match --cluster lab --vmid 999 --since 7d\n");
        assertThat(gone.out()).isEqualTo("no changes match --cluster old (" + config + " configures no cluster old;"
                + " it has lab)\n");
    }

    @Test
    void jsonCarriesEveryFieldAsStored() throws Exception {
        CommandRun run = history("--json", "--cluster", "lab", "--since", "3d");

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).as("escaped, so also safe on a terminal").doesNotContain("\u001b", "\u202E")
                .contains("\\u001B[31m", "\\u202E");
        JsonNode array = new ObjectMapper().readTree(run.out());
        assertThat(array.size()).isEqualTo(3);
        JsonNode newest = array.get(0);
        assertThat(newest.get("id").asLong()).isEqualTo(retired);
        assertThat(newest.get("vm_id").asInt()).isEqualTo(12);
        assertThat(newest.get("vmid").asInt()).isEqualTo(104);
        assertThat(newest.get("cluster").asText()).isEqualTo("lab");
        assertThat(Instant.parse(newest.get("changed_at").asText())).isEqualTo(base.minus(Duration.ofMinutes(5)));
        assertThat(newest.get("changed_at").asText()).endsWith("Z");
        assertThat(newest.get("kind").asText()).isEqualTo("retired");
        assertThat(newest.get("owner_id").asInt()).isEqualTo(42);
        assertThat(newest.get("changes").toString()).isEqualTo("{\"retired_at\":[null,\"2026-12-04T18:02:11Z\"]}");
        JsonNode rename = array.get(1);
        assertThat(rename.get("id").asLong()).isEqualTo(renamed);
        assertThat(rename.get("changes").get("name").get(1).asText()).as("the name exactly as stored").isEqualTo(HOSTILE);
        assertThat(array.get(2).get("id").asLong()).isEqualTo(resized);
        assertThat(array.get(2).get("changes").get("memory_mb").get(1).asInt()).isEqualTo(4096);
        assertThat(new ObjectMapper().readTree(history("--json", "--vmid", "999").out()).isEmpty()).isTrue();
        JsonNode unowned = new ObjectMapper().readTree(history("--json", "--cluster", "other").out()).get(0);
        assertThat(unowned.get("id").asLong()).isEqualTo(vanished);
        assertThat(unowned.get("owner_id").isNull()).as("present, and null").isTrue();
    }

    @Test
    void badOptionsAreUsageErrorsNamingOptionAndValue() {
        assertUsage(history("--limit", "0"), "--limit \"0\" is not a number from 1 to 10000");
        assertUsage(history("--limit", "10001"), "--limit \"10001\" is not a number from 1 to 10000");
        assertUsage(history("--limit", "all"), "--limit \"all\" is not a number from 1 to 10000");
        assertUsage(history("--vmid", "-3"), "--vmid \"-3\" is not a VMID (a positive whole number such as 104)");
        assertUsage(history("--vmid", "web1"), "--vmid \"web1\" is not a VMID (a positive whole number such as 104)");
        assertUsage(history("--since", "30"), "--since \"30\" has no unit (try \"30s\")");
        assertUsage(history("--since", "a week"), "--since \"a week\" is not a duration");
        assertUsage(history("--since", "0d"), "--since \"0d\" is no time at all (examples: 30m, 7d)");
        assertUsage(history("--since", "40000d"), "--since \"40000d\" reaches back further than the database can"
                + " count (at most 36500d)");
        assertUsage(history("--cluster", " "), "--cluster needs a cluster name");
        assertUsage(history("--owner", "42"), "pvesync history: unknown argument \"--owner\"");
        assertUsage(history("--limit"), "--limit needs a value");
    }

    private static void assertUsage(CommandRun run, String message) {
        assertThat(run.exit()).as(run.err()).isEqualTo(ExitCode.USAGE);
        assertThat(run.err().lines().findFirst().orElse("")).startsWith("pvesync: " + message);
        assertThat(run.out()).isEmpty();
    }

    @Test
    void aRoleWithoutTheGrantIsToldToRunTheGrantsFile() throws Exception {
        try (Connection c = db.ownerConnection(); Statement st = c.createStatement()) {
            st.execute("REVOKE SELECT ON public.vm_changes FROM " + db.daemonUser());
        }
        CommandRun run;
        try {
            run = history();
        } finally {
            db.grantDaemon();
        }

        assertThat(run.exit()).isEqualTo(ExitCode.FAILED);
        assertThat(run.err().strip()).isEqualTo("database " + db.url() + " as " + db.daemonUser()
                + ": ERROR: permission denied for table vm_changes; the role lacks SELECT on public.vm_changes:"
                + " run config/grants.sql as the owner of public.vms (README \"Database roles and GRANTs\")");
        assertThat(history().exit()).as("granted again").isZero();
    }

    @Test
    void anUnmigratedDatabaseIsToldToMigrate() throws Exception {
        String file = configFor(unmigrated, "unmigrated.yaml", unmigrated.url(), unmigrated.daemonPassword());

        CommandRun run = pvesync("history", "--config", file, "--vmid", "104");

        assertThat(run.exit()).isEqualTo(ExitCode.FAILED);
        assertThat(run.err().strip()).isEqualTo("database " + unmigrated.url() + " as " + unmigrated.daemonUser()
                + ": public.vm_changes does not exist: the schema predates pvesync's change history;"
                + " run: pvesync migrate --config " + file);
    }

    @Test
    void anUnreachableDatabaseGivesTheReasonAndNeverThePassword() throws Exception {
        String file = configFor(db, "unreachable.yaml", "jdbc:postgresql://127.0.0.1:1/accountdb?password=URLSECRET",
                "SECRET-of-the-role");

        CommandRun run = pvesync("history", "--config", file);

        assertThat(run.exit()).isEqualTo(ExitCode.FAILED);
        assertThat(run.err()).contains("database jdbc:postgresql://127.0.0.1:1/accountdb?password=<masked> as "
                + db.daemonUser() + ": ", "127.0.0.1:1")
                .containsPattern(Pattern.compile("(?i)refused"));
        assertThat(run.out() + run.err()).doesNotContain("SECRET");
    }
}
