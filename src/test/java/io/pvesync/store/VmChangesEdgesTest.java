package io.pvesync.store;

import static io.pvesync.store.Snap.vm;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pvesync.config.MissingPolicy;
import io.pvesync.inventory.VmStatus;
import io.pvesync.testing.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The change history (DESIGN.md 4.5) at its edges, found by the review of issue 12: the table's
 * owner reading it under a user's context (row-level security is forced), and a row another
 * session writes while a pass waits for it (the history records what the write replaced).
 */
class VmChangesEdgesTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ApplyOptions POLL = new ApplyOptions(false, false, Set.of(),
            new MissingPolicy(Duration.ZERO, 0.10, 5));

    private static Table table;
    private static VmStore store;
    private static final ExecutorService pass = Executors.newSingleThreadExecutor();

    @BeforeAll
    static void migrate() throws Exception {
        table = Table.migrated(db);
        store = new VmStore(db.daemonPool());
    }

    @AfterAll
    static void stop() {
        pass.shutdownNow();
    }

    /**
     * "History rows whose old/new values are what the table held": the write's old values come from
     * a second scan of public.vms ({@code o}) that keeps the statement's snapshot, while the row
     * written ({@code v}) is re-read after a concurrent writer commits (READ COMMITTED re-check). When
     * the application changed a column of the row while the pass waited for the row's lock, the
     * history shows the value before the application's change as "old", and a column the pass then
     * really changed back (here: the name) is missing from {@code changes} altogether.
     */
    @Test
    void aColumnThePassOverwroteWhileTheApplicationHeldTheRowIsRecordedWithWhatTheTableHeld() throws Exception {
        store.apply(Snap.of("race").vm(vm(200, "pve1", "web")).build(), POLL);
        Object id = table.live("race", 200).get("id");

        Future<ApplyResult> written;
        try (Connection app = db.ownerConnection()) {
            app.setAutoCommit(false);
            try (PreparedStatement ps = app.prepareStatement("UPDATE public.vms SET name = 'renamed-by-app' WHERE id = ?")) {
                ps.setObject(1, id);
                assertThat(ps.executeUpdate()).isEqualTo(1);
            }
            // the pass: the VM stopped; its name in Proxmox is still "web"
            written = pass.submit(() -> store.apply(Snap.of("race")
                    .vm(vm(200, "pve1", "web", VmStatus.STOPPED, 2, 2048, 32, null, null)).build(), POLL));
            awaitDaemonWaitingForARowLock();
            app.commit();
        }
        assertThat(written.get(30, TimeUnit.SECONDS).updated()).isEqualTo(1);

        assertThat(table.live("race", 200)).as("the pass wrote its name over the application's")
                .containsEntry("name", "web").containsEntry("status", "stopped");
        List<Map<String, Object>> history = table.query("SELECT kind, changes::text AS changes FROM public.vm_changes"
                + " WHERE vm_id = ? ORDER BY id", id);
        assertThat(history).extracting(h -> h.get("kind")).containsExactly("inserted", "updated");
        JsonNode changes = JSON.readTree((String) history.get(1).get("changes"));
        assertThat(changes.get("name")).as("the table held \"renamed-by-app\" and now holds \"web\": " + changes)
                .isEqualTo(JSON.readTree("[\"renamed-by-app\", \"web\"]"));
    }

    /**
     * "Same RLS as vms": the seed's convention is to read vms through vms_with_rls, whose own WHERE
     * clause filters by the context even for the tables' owner (for whom row-level security does not
     * apply without FORCE). public.vm_changes has no such view and no FORCE ROW LEVEL SECURITY, so the
     * owner of public.vms (database.migrate-username, who runs V7 and so also owns vm_changes) reading
     * the README's user-context query gets every customer's history. vms shows alice her VM only;
     * vm_changes, on the same connection under the same context, shows her bob's too.
     */
    @Test
    void theOwnerOfVmsUnderAUserContextReadsOnlyThatUsersHistoryAsVmsWithRlsShowsOnlyTheirVms() throws Exception {
        int alice = user("alice");
        int bob = user("bob");
        table.update("INSERT INTO public.vms (vmid, name, proxmox_node, owner_id) VALUES (300, 'alice-vm', 'pve1', ?),"
                + " (301, 'bob-vm', 'pve1', ?)", alice, bob);
        store.apply(Snap.of("own").vm(vm(300, "pve1", "alice-vm")).vm(vm(301, "pve1", "bob-vm")).build(), POLL);

        String role = "r12_owner_" + db.name().substring(db.name().length() - 8);
        try (Connection su = db.ownerConnection(); Statement st = su.createStatement()) {
            st.execute("CREATE ROLE " + role + " LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD 'pw'");
            // the AccountDB's owner: owns vms and its view, ran `pvesync migrate` (so owns vm_changes)
            st.execute("ALTER TABLE public.vms OWNER TO " + role);
            st.execute("ALTER VIEW public.vms_with_rls OWNER TO " + role);
            st.execute("ALTER TABLE public.vm_changes OWNER TO " + role);
        }
        try (Connection owner = DriverManager.getConnection(db.url(), role, "pw")) {
            owner.setAutoCommit(false);
            RlsContext.user(owner, alice);
            List<Integer> vms = ints(owner, "SELECT vmid FROM public.vms_with_rls WHERE vmid IN (300, 301) ORDER BY vmid");
            List<Integer> history = ints(owner, "SELECT vmid FROM public.vm_changes WHERE proxmox_cluster = 'own'"
                    + " ORDER BY vmid");
            owner.commit();

            assertThat(vms).as("vms_with_rls under alice's context").containsExactly(300);
            assertThat(history).as("vm_changes under alice's context, same connection").containsOnly(300);
        } finally {
            try (Connection su = db.ownerConnection(); Statement st = su.createStatement()) {
                st.execute("REASSIGN OWNED BY " + role + " TO " + db.ownerUser());
                st.execute("DROP OWNED BY " + role);
                st.execute("DROP ROLE " + role);
            }
        }
    }

    private static void awaitDaemonWaitingForARowLock() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            List<Map<String, Object>> waiting = table.query("SELECT count(*) AS n FROM pg_stat_activity"
                    + " WHERE usename = ? AND wait_event_type = 'Lock'", db.daemonUser());
            if ((Long) waiting.get(0).get("n") > 0) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the pass never waited for the application's row lock");
    }

    private static int user(String name) throws Exception {
        return (Integer) table.query("INSERT INTO public.users (username) VALUES (?) RETURNING id", name).get(0).get("id");
    }

    private static List<Integer> ints(Connection c, String sql) throws Exception {
        List<Integer> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(rs.getInt(1));
            }
        }
        return out;
    }
}
