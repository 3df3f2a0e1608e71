package io.pvesync.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvesync.testing.TestDatabase;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Migrations on an AccountDB that already has the seed's users, vms, policies, view and rows. */
class ExistingAccountDbMigrationTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    private static final String SEED_COLUMNS = "id, vmid, name, ip_address, status, cpu_cores, memory_mb, disk_gb,"
            + " proxmox_node, template_id, notes, created_at, updated_at, owner_id";
    private static final String ROWS = "SELECT " + SEED_COLUMNS + ", xmin::text AS xmin, ctid::text AS ctid"
            + " FROM public.vms ORDER BY id";

    private static Table table;
    private static List<Map<String, Object>> before;
    private static List<Map<String, Object>> usersBefore;

    @BeforeAll
    static void seedThenMigrate() throws Exception {
        try (Connection c = db.ownerConnection(); Statement st = c.createStatement()) {
            st.execute(AccountDbSeed.SCHEMA + """
                    INSERT INTO public.users (username, email) VALUES ('alice', 'a@example.org'), ('bob', NULL);
                    INSERT INTO public.vms (vmid, name, ip_address, status, cpu_cores, memory_mb, disk_gb,
                            proxmox_node, template_id, notes, created_at, updated_at, owner_id)
                    VALUES (100, 'alice-web', '10.0.0.10', 'running', 2, 2048, 32, 'pve1', 9000,
                                'customer pays yearly', '2024-03-01 10:00:00+00', '2024-06-01 12:00:00+00', 1),
                           (101, 'bob-db', NULL, 'stopped', 4, 8192, 100, 'pve2', NULL, NULL,
                                '2024-04-01 10:00:00+00', '2024-04-01 10:00:00+00', 2),
                           (102, 'spare', '2001:db8::1', 'error', NULL, NULL, NULL, NULL, NULL,
                                'no owner yet', '2025-01-01 00:00:00+00', '2025-01-02 00:00:00+00', NULL);
                    """);
        }
        table = new Table(db);
        before = table.query(ROWS);
        usersBefore = table.query("SELECT * FROM public.users ORDER BY id");
        Migrations.migrate(db.ownerPool());
    }

    @Test
    void everySeedRowSurvivesUnchangedAndUnrewritten() throws Exception {
        assertThat(before).hasSize(3);
        assertThat(table.query(ROWS)).isEqualTo(before);
        assertThat(table.query("SELECT * FROM public.users ORDER BY id")).isEqualTo(usersBefore);
    }

    @Test
    void existingRowsHaveNoDaemonValuesYet() throws Exception {
        assertThat(table.query("SELECT count(*) AS n FROM public.vms WHERE proxmox_cluster IS NULL"
                + " AND incarnation IS NULL AND last_seen_at IS NULL AND retired_at IS NULL"))
                .containsExactly(Map.of("n", 3L));
    }

    @Test
    void policiesAndViewNowReadAnEmptySettingAsNoUser() throws Exception {
        String nullif = "NULLIF(current_setting('app.current_user_id'::text, true), ''::text)";
        assertThat((String) table.query("SELECT pg_get_viewdef('public.vms_with_rls'::regclass) AS d").get(0).get("d"))
                .contains(nullif);
        assertThat((String) table.query("SELECT qual FROM pg_policies WHERE policyname = 'vms_user_policy'")
                .get(0).get("qual")).contains(nullif);
        assertThat(table.query("SELECT policyname FROM pg_policies WHERE tablename = 'vms' ORDER BY 1"))
                .extracting(r -> r.get("policyname")).containsExactly("vms_admin_policy", "vms_user_policy");
    }

    @Test
    void applicationUserStillSeesItsRowsThroughTheView() throws Exception {
        db.grantDaemon();
        table.update("GRANT SELECT ON public.vms_with_rls TO " + db.daemonUser());
        try (Connection c = db.daemonConnection()) {
            c.setAutoCommit(false);
            RlsContext.user(c, 1);
            try (Statement st = c.createStatement();
                    var rs = st.executeQuery("SELECT * FROM public.vms_with_rls")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt("vmid")).isEqualTo(100);
                assertThat(rs.getString("notes")).isEqualTo("customer pays yearly");
                // the seed's columns only: readers that go by position still find owner_id last
                assertThat(rs.getMetaData().getColumnCount()).isEqualTo(14);
                assertThat(rs.getMetaData().getColumnName(14)).isEqualTo("owner_id");
                assertThat(rs.next()).isFalse();
            }
            c.rollback();
        }
    }
}
