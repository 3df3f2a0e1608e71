package io.pvesync.faults;

import static io.pvesync.sync.SyncOutcome.Result.OK;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import io.pvesync.sim.AgentState;
import io.pvesync.sim.ProxmoxSimulator;
import io.pvesync.sim.SimVm;
import io.pvesync.store.Migrations;
import io.pvesync.store.RlsContext;
import io.pvesync.sync.SyncOutcome;
import io.pvesync.testing.MutableClock;
import io.pvesync.testing.TestDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * The change history and its notice (DESIGN.md 4.5) as whole passes make them, against the
 * simulator over HTTPS: the application's side is a plain JDBC connection that LISTENs on
 * {@code pvesync_vms}, and reads {@code vm_changes} under a user's context.
 */
class ChangeHistoryPassesTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    private static final ObjectMapper JSON = new ObjectMapper();
    /** How long a test waits to be sure no notice comes: the notice is sent before the pass returns. */
    private static final int QUIET_MS = 300;

    private static HikariDataSource pool;

    @TempDir
    Path dir;

    private final VmsTable table = new VmsTable(db);
    private ProxmoxSimulator sim;
    private Passes passes;
    private Connection listener;

    @BeforeAll
    static void migrate() throws Exception {
        Migrations.migrate(db.ownerPool());
        db.grantDaemon();
        pool = db.daemonPool();
    }

    @BeforeEach
    void start() throws Exception {
        table.truncate();
        table.update("TRUNCATE pvesync.cluster_nodes");
        sim = ProxmoxSimulator.builder().nodes(2).vms(8).containers(0).templates(1).endpoints(1).tls(true)
                .seed(31).clock(new MutableClock(Instant.parse("2026-03-01T10:00:00Z")))
                .authFailureDelay(Duration.ofMillis(10)).start();
        passes = new Passes(sim, dir, pool, Duration.ofSeconds(2), Duration.ofSeconds(30));
        // the application: its own plain connection, as its developers would write it
        listener = DriverManager.getConnection(db.url(), db.daemonUser(), db.daemonPassword());
        try (Statement st = listener.createStatement()) {
            st.execute("LISTEN pvesync_vms");
        }
    }

    @AfterEach
    void stop() throws Exception {
        listener.close();
        passes.close();
        sim.close();
    }

    @Test
    void theFirstPassAnnouncesEveryInsertedRowOnce() throws Exception {
        ok(passes.reconcile());

        List<JsonNode> notices = notices();
        assertThat(notices).hasSize(1);
        JsonNode notice = notices.get(0);
        List<Map<String, Object>> rows = table.query("SELECT id FROM public.vms ORDER BY id");
        List<Map<String, Object>> history = table.query("SELECT min(id) AS first, max(id) AS last, count(*) AS n"
                + " FROM public.vm_changes");
        assertThat(notice.get("cluster").asText()).isEqualTo(Passes.CLUSTER);
        assertThat(notice.get("mode").asText()).isEqualTo("reconcile");
        assertThat(notice.get("counts").get("inserted").asInt()).isEqualTo(rows.size()).isPositive();
        assertThat(notice.get("vm_count").asInt()).isEqualTo(rows.size());
        assertThat(ids(notice)).isEqualTo(rows.stream().map(r -> (Integer) r.get("id")).toList());
        assertThat(notice.get("first_change_id").asLong()).isEqualTo(history.get(0).get("first"));
        assertThat(notice.get("last_change_id").asLong()).isEqualTo(history.get(0).get("last"));
        long total = 0;
        for (JsonNode n : notice.get("counts")) {
            total += n.asLong();
        }
        assertThat(total).as("counts are the history rows the pass wrote").isEqualTo(history.get(0).get("n"));
    }

    @Test
    void anUnchangedPollWritesNoHistoryAndSendsNoNotice() throws Exception {
        ok(passes.reconcile());
        notices();
        long before = historyCount();

        ok(passes.poll());

        assertThat(historyCount()).isEqualTo(before);
        assertThat(notices()).isEmpty();
    }

    @Test
    void aPollThatWritesSeveralTimesSendsOneNoticeAfterItsLastWrite() throws Exception {
        ok(passes.reconcile());
        notices();
        int vmid = sim.create(SimVm.Kind.QEMU, sim.nodes().get(0));
        sim.setAgent(vmid, AgentState.RUNNING);
        sim.start(vmid);
        long before = lastChangeId();

        ok(passes.poll());

        int id = (Integer) table.live(vmid).get("id");
        List<Map<String, Object>> written = table.query("SELECT kind, changes::text AS changes FROM public.vm_changes"
                + " WHERE id > ? ORDER BY id", before);
        // the listing's row first, then its marker and the guest agent's address, each a change of its own
        assertThat(written).as("%s", written).extracting(r -> r.get("kind")).startsWith("inserted")
                .containsOnly("inserted", "updated").hasSizeGreaterThan(1);
        JsonNode inserted = JSON.readTree((String) written.get(0).get("changes"));
        assertThat(inserted.has("incarnation") || inserted.has("ip_address")).as("written later: " + inserted).isFalse();
        String later = written.subList(1, written.size()).toString();
        assertThat(later).contains("incarnation").contains("ip_address");
        List<JsonNode> notices = notices();
        assertThat(notices).hasSize(1);
        assertThat(notices.get(0).get("counts").get("inserted").asInt()).isEqualTo(1);
        assertThat(notices.get(0).get("counts").get("updated").asInt()).isEqualTo(written.size() - 1);
        assertThat(ids(notices.get(0))).containsExactly(id);
        assertThat(notices.get(0).get("last_change_id").asLong()).isEqualTo(lastChangeId());
    }

    @Test
    void aVmidReusedByACloneOfTheSameTemplateKeepsTheOldHistoryWithTheOldOwner() throws Exception {
        ok(passes.reconcile());
        int template = sim.vms().stream().filter(SimVm::template).findFirst().orElseThrow().vmid();
        int vmid = 950;
        sim.cloneStart(template, vmid, "alice-web");
        sim.cloneFinish(vmid);
        ok(passes.poll());
        int alice = table.giveToNewUser(vmid, "alice", "alice's web server");
        sim.start(vmid);
        ok(passes.poll());
        int alicesRow = (Integer) table.live(vmid).get("id");

        sim.delete(vmid);
        sim.cloneStart(template, vmid, "bob-web");
        sim.cloneFinish(vmid);
        ok(passes.poll());

        int bobsRow = (Integer) table.live(vmid).get("id");
        assertThat(bobsRow).isNotEqualTo(alicesRow);
        // what Alice's session shows: her VM's changes since it was hers, the retirement included
        assertThat(asUser(alice)).extracting(r -> r.get("vm_id"), r -> r.get("kind")).containsExactly(
                org.assertj.core.groups.Tuple.tuple(alicesRow, "updated"),
                org.assertj.core.groups.Tuple.tuple(alicesRow, "retired"));
        // the new VM's history is its own, from its insert, and no customer's yet
        assertThat(table.query("SELECT kind, owner_id FROM public.vm_changes WHERE vm_id = ? ORDER BY id", bobsRow))
                .extracting(r -> r.get("kind"), r -> r.get("owner_id"))
                .first().isEqualTo(org.assertj.core.groups.Tuple.tuple("inserted", null));
        assertThat(table.query("SELECT count(*) AS n FROM public.vm_changes WHERE vm_id = ? AND owner_id IS NOT NULL",
                bobsRow)).containsExactly(Map.of("n", 0L));
    }

    private static void ok(SyncOutcome outcome) {
        assertThat(outcome.result()).as("%s", outcome.summary()).isEqualTo(OK);
    }

    private long historyCount() throws Exception {
        return (Long) table.query("SELECT count(*) AS n FROM public.vm_changes").get(0).get("n");
    }

    private long lastChangeId() throws Exception {
        return (Long) table.query("SELECT coalesce(max(id), 0) AS m FROM public.vm_changes").get(0).get("m");
    }

    /** Every notice received so far; waits {@link #QUIET_MS} for one that may still be on its way. */
    private List<JsonNode> notices() throws Exception {
        List<JsonNode> out = new ArrayList<>();
        PGNotification[] batch = listener.unwrap(PGConnection.class).getNotifications(QUIET_MS);
        while (batch != null && batch.length > 0) {
            for (PGNotification n : batch) {
                assertThat(n.getName()).isEqualTo("pvesync_vms");
                out.add(JSON.readTree(n.getParameter()));
            }
            batch = listener.unwrap(PGConnection.class).getNotifications(QUIET_MS);
        }
        return out;
    }

    private static List<Integer> ids(JsonNode notice) {
        List<Integer> ids = new ArrayList<>();
        notice.get("vm_ids").forEach(n -> ids.add(n.asInt()));
        return ids;
    }

    private List<Map<String, Object>> asUser(int userId) throws Exception {
        List<Map<String, Object>> out = new ArrayList<>();
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            RlsContext.user(c, userId);
            try (PreparedStatement ps = c.prepareStatement("SELECT vm_id, kind FROM public.vm_changes ORDER BY id");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(Map.of("vm_id", rs.getInt(1), "kind", rs.getString(2)));
                }
            }
            c.commit();
        }
        return out;
    }
}
