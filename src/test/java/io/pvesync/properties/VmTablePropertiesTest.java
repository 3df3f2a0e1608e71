package io.pvesync.properties;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.pvesync.config.ClusterConfig;
import io.pvesync.config.MissingPolicy;
import io.pvesync.config.Secret;
import io.pvesync.config.TlsConfig;
import io.pvesync.details.GuestDetails;
import io.pvesync.properties.GuestEntries.Entry;
import io.pvesync.properties.ScriptedApi.Answer;
import io.pvesync.proxmox.ApiCall;
import io.pvesync.store.ApplyResult;
import io.pvesync.store.Migrations;
import io.pvesync.store.VmStore;
import io.pvesync.sync.ClusterSync;
import io.pvesync.sync.SyncMode;
import io.pvesync.sync.SyncOutcome;
import io.pvesync.testing.HistoryReplay;
import io.pvesync.testing.TestDatabase;
import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Whole passes of {@link ClusterSync} over generated listings and guest answers, written as the
 * daemon's role (not owner, not BYPASSRLS, only config/grants.sql) into a real table that also
 * holds the application's rows: every pass ends ok or degraded, never failed; every row the table
 * holds afterwards means what its columns say; the application's columns and other clusters' rows
 * are never touched; and the same answers, repeated, soon write nothing.
 */
class VmTablePropertiesTest {
    private static final TestDatabase db = new TestDatabase();
    private static final int ANSWER_SLOTS = 4;
    private static HikariDataSource daemon;
    private static HikariDataSource owner;

    /** A row the application (or an earlier pvesync) wrote before the passes. */
    record AppRow(int vmid, String cluster, String node, String name, String status, Integer ownerId, String notes,
                  Integer templateId) {
    }

    /** One pass: the listing, and the config and interfaces answers of guest slot vmid % 4. */
    record Pass(List<Entry> entries, List<Answer> configs, List<Answer> agents, List<Answer> containers) {
    }

    @BeforeContainer
    static void createDatabase() throws Exception {
        db.create(VmTablePropertiesTest.class);
        owner = db.ownerPool();
        Migrations.migrate(owner);
        db.grantDaemon();
        try (Connection c = owner.getConnection(); Statement st = c.createStatement()) {
            st.execute("INSERT INTO public.users (id, username) VALUES (1, 'alice'), (2, 'bob')");
        }
        daemon = db.daemonPool();
    }

    @AfterContainer
    static void dropDatabase() throws SQLException {
        db.drop();
    }

    /** Text the application could have stored: PostgreSQL text holds anything but NUL. */
    private static Arbitrary<String> storableText(int max) {
        return WireJson.nastyText().map(s -> GuestEntries.expectedName(s, 1))
                .map(s -> s.codePointCount(0, s.length()) <= max ? s : s.substring(0, s.offsetByCodePoints(0, max)));
    }

    @Provide
    Arbitrary<List<AppRow>> appRows() {
        Arbitrary<AppRow> row = Combinators.combine(Arbitraries.integers().between(100, 115),
                        Arbitraries.of("lab", "other").injectNull(0.4), Arbitraries.of("pve1", "pve2", "pve9"),
                        storableText(100), Arbitraries.of("running", "stopped"), Arbitraries.of(1, 2).injectNull(0.3),
                        storableText(500).injectNull(0.3), Arbitraries.integers().between(1, 50).injectNull(0.5))
                .as(AppRow::new);
        // one live row per (cluster, vmid): the unique index the migration adds
        return row.list().ofMaxSize(8).uniqueElements(r -> r.cluster() == null ? r : r.cluster() + "/" + r.vmid());
    }

    @Provide
    Arbitrary<List<Pass>> passes() {
        Arbitrary<Pass> pass = Combinators.combine(
                        GuestEntries.specs().flatMap(GuestEntries::render).list().ofMaxSize(10),
                        GuestAnswers.config().list().ofSize(ANSWER_SLOTS),
                        GuestAnswers.agent().list().ofSize(ANSWER_SLOTS),
                        GuestAnswers.containerInterfaces().list().ofSize(ANSWER_SLOTS))
                .as(Pass::new);
        return pass.list().ofMinSize(1).ofMaxSize(3);
    }

    @Property(tries = 30, edgeCases = EdgeCasesMode.NONE)
    void passesKeepEveryRowWithinItsColumnsAndNeverTouchTheApplicationsColumns(
            @ForAll("appRows") List<AppRow> rows, @ForAll("passes") List<Pass> passes) throws Exception {
        Set<Integer> seeded = seed(rows);
        Map<Integer, List<Object>> applicationColumns = applicationColumns();
        List<List<Object>> otherCluster = otherClusterRows();
        ScriptedApi api = new ScriptedApi();
        ClusterConfig config = new ClusterConfig("lab", List.of(URI.create("https://pve1:8006")), "pvesync@pve!inventory",
                Secret.of("unused"), TlsConfig.systemDefault(), true, Duration.ofSeconds(1), Duration.ofSeconds(1),
                Duration.ofSeconds(1), 2, Duration.ofMinutes(15), new MissingPolicy(Duration.ZERO, 0.5, 2));
        // One request at a time: a scripted 595 or "API unavailable" for one guest stops the lookups
        // of the guests after it in that pass, and with two workers which guests come after it is
        // up to the thread scheduler, so repeated passes could look at different guests and the
        // "a third time writes nothing" claim below would hold only by luck (it failed in CI once).
        // Only pve1 is online, so this is one queue in listing order: the same guests every pass.
        try (GuestDetails details = new GuestDetails(api, 1, Duration.ofMinutes(15), Clock.systemUTC());
             ClusterSync sync = new ClusterSync(config, api, details, new VmStore(daemon), java.util.Set.of(), Clock.systemUTC())) {
            for (int i = 0; i < passes.size(); i++) {
                script(api, passes.get(i));
                SyncOutcome outcome = sync.run(i == 0 ? SyncMode.RECONCILE : SyncMode.POLL);

                assertThat(outcome.result()).as("pass %d: %s", i, outcome.problem()).isNotEqualTo(SyncOutcome.Result.FAILED);
                assertEveryRowFitsItsColumns(seeded);
                assertThat(applicationColumns()).as("owner_id, notes, template_id, created_at")
                        .containsAllEntriesOf(applicationColumns);
                assertThat(otherClusterRows()).as("rows of cluster other").isEqualTo(otherCluster);
            }
            // The same answers again insert nothing. They may still update: a guest's config is
            // cached between polls, so a pass may look up an address with the config of an earlier
            // pass, and the next config read (a marker still wanted, a reconcile) corrects it. They
            // may mark rows missing that the guard spared: the rows this pass inserted count as
            // known next time, so the same absences can be a smaller share of them. A third time
            // writes nothing at all.
            ApplyResult again = repeat(sync);
            assertThat(again.inserted()).as("again: inserted (%s)", again.changes()).isZero();
            ApplyResult third = repeat(sync);
            assertThat(List.of(third.inserted(), third.updated(), third.missing()))
                    .as("a third time: inserted, updated, missing (%s)", third.changes()).containsExactly(0, 0, 0);
        }
        try (Connection c = owner.getConnection()) {
            assertThat(HistoryReplay.mismatches(c)).as("every row's history replays to it").isEmpty();
        }
    }

    private static ApplyResult repeat(ClusterSync sync) {
        SyncOutcome outcome = sync.run(SyncMode.POLL);
        return outcome.apply().orElseThrow(() -> new AssertionError("repeated pass failed: " + outcome.problem()));
    }

    /** Replaces the table's rows by {@code rows}; returns their ids. */
    private static Set<Integer> seed(List<AppRow> rows) throws SQLException {
        try (Connection c = owner.getConnection()) {
            try (Statement st = c.createStatement()) {
                st.execute("DELETE FROM public.vms"); // cheaper than TRUNCATE for a handful of rows
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO public.vms (vmid, proxmox_cluster, proxmox_node,"
                    + " name, status, owner_id, notes, template_id, created_at)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, now() - interval '1 day')")) {
                for (AppRow r : rows) {
                    ps.setInt(1, r.vmid());
                    ps.setString(2, r.cluster());
                    ps.setString(3, r.node());
                    ps.setString(4, r.name());
                    ps.setString(5, r.status());
                    ps.setObject(6, r.ownerId());
                    ps.setString(7, r.notes());
                    ps.setObject(8, r.templateId());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            Set<Integer> ids = new HashSet<>();
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT id FROM public.vms")) {
                while (rs.next()) {
                    ids.add(rs.getInt(1));
                }
            }
            return ids;
        }
    }

    private static void script(ScriptedApi api, Pass pass) {
        String listing = pass.entries().stream().map(e -> "," + e.json()).collect(Collectors.joining());
        api.answer(ApiCall.clusterResources(), Answer.of(WireJson.parse("[" + GuestEntries.NODE_ENTRIES + listing + "]")));
        Set<Integer> vmids = new HashSet<>();
        pass.entries().forEach(e -> vmids.add(e.spec().vmid()));
        for (int vmid : vmids) {
            int slot = vmid % ANSWER_SLOTS;
            for (String node : GuestEntries.NODES.keySet()) {
                api.answer(ApiCall.qemuConfig(node, vmid), pass.configs().get(slot));
                api.answer(ApiCall.lxcConfig(node, vmid), pass.configs().get(slot));
                api.answer(ApiCall.qemuAgentInterfaces(node, vmid), pass.agents().get(slot));
                api.answer(ApiCall.lxcInterfaces(node, vmid), pass.containers().get(slot));
            }
        }
    }

    /** owner_id, notes, template_id and created_at by row id. */
    private static Map<Integer, List<Object>> applicationColumns() throws SQLException {
        Map<Integer, List<Object>> out = new HashMap<>();
        try (Connection c = owner.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT id, owner_id, notes, template_id, created_at FROM public.vms")) {
            while (rs.next()) {
                out.put(rs.getInt(1), columns(rs, 2, 5));
            }
        }
        return out;
    }

    private static List<List<Object>> otherClusterRows() throws SQLException {
        List<List<Object>> out = new ArrayList<>();
        try (Connection c = owner.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT * FROM public.vms WHERE proxmox_cluster = 'other' ORDER BY id")) {
            while (rs.next()) {
                out.add(columns(rs, 1, rs.getMetaData().getColumnCount()));
            }
        }
        return out;
    }

    private static List<Object> columns(ResultSet rs, int from, int to) throws SQLException {
        List<Object> values = new ArrayList<>();
        for (int i = from; i <= to; i++) {
            values.add(Objects.toString(rs.getObject(i), null));
        }
        return values;
    }

    private static void assertEveryRowFitsItsColumns(Set<Integer> seeded) throws SQLException {
        Set<Integer> liveVmids = new HashSet<>();
        try (Connection c = owner.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT id, vmid, name, status, cpu_cores, memory_mb, disk_gb, proxmox_node,"
                     + " ip_address, proxmox_cluster, retired_at, owner_id, notes, template_id"
                     + " FROM public.vms")) {
            while (rs.next()) {
                String what = "row " + rs.getInt("id") + " vmid " + rs.getInt("vmid");
                assertThat(rs.getInt("vmid")).as(what).isBetween(1, 999_999_999);
                ColumnRules.assertName(rs.getString("name"), what);
                assertThat(rs.getString("status")).as(what).isIn("running", "stopped", "paused", "error", "missing");
                ColumnRules.assertCount((Integer) rs.getObject("cpu_cores"), what + " cpu_cores");
                ColumnRules.assertCount((Integer) rs.getObject("memory_mb"), what + " memory_mb");
                ColumnRules.assertCount((Integer) rs.getObject("disk_gb"), what + " disk_gb");
                ColumnRules.assertNode(rs.getString("proxmox_node"), what);
                ColumnRules.assertAddress(rs.getString("ip_address"), what);
                if ("lab".equals(rs.getString("proxmox_cluster")) && rs.getObject("retired_at") == null) {
                    assertThat(liveVmids.add(rs.getInt("vmid"))).as(what + " is the only live row of its vmid").isTrue();
                }
                if (!seeded.contains(rs.getInt("id"))) {
                    // inserted by pvesync: no owner, so visible to admins only until the application
                    // assigns it
                    assertThat(List.of(Objects.toString(rs.getObject("owner_id")), Objects.toString(rs.getObject("notes")),
                            Objects.toString(rs.getObject("template_id")))).as(what).containsOnly("null");
                }
            }
        }
    }
}
