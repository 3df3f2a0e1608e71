package io.pvesync.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pvesync.testing.TestDatabase;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Migrations on an empty database. */
class MigrationsTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();
    private static Table table;
    private static List<String> applied;

    @BeforeAll
    static void migrate() {
        applied = Migrations.migrate(db.ownerPool());
        table = new Table(db);
    }

    @Test
    void emptyDatabaseGetsEveryVersion() {
        assertThat(applied).containsExactly("1", "2", "3", "4", "5", "6", "7");
    }

    @Test
    void migratingAgainAppliesNothing() {
        assertThat(Migrations.migrate(db.ownerPool())).isEmpty();
    }

    @Test
    void historyTableLivesInThePvesyncSchema() throws SQLException {
        assertThat(table.query("SELECT version FROM pvesync.flyway_schema_history WHERE success AND version IS NOT NULL"
                + " ORDER BY installed_rank")).extracting(r -> r.get("version")).contains("1", "2");
        assertThat(table.query("SELECT 1 FROM information_schema.tables WHERE table_schema = 'public'"
                + " AND table_name = 'flyway_schema_history'")).isEmpty();
    }

    @Test
    void vmsHasTheSeedColumnsThenTheDaemonColumns() throws SQLException {
        List<String> columns = table.query("SELECT column_name || ' ' || data_type || coalesce('(' ||"
                + " character_maximum_length || ')', '') AS c FROM information_schema.columns"
                + " WHERE table_schema = 'public' AND table_name = 'vms' ORDER BY ordinal_position")
                .stream().map(r -> (String) r.get("c")).toList();
        assertThat(columns).containsExactly(
                "id integer", "vmid integer", "name character varying(100)", "ip_address character varying(45)",
                "status character varying(20)", "cpu_cores integer", "memory_mb integer", "disk_gb integer",
                "proxmox_node character varying(100)", "template_id integer", "notes text",
                "created_at timestamp with time zone", "updated_at timestamp with time zone", "owner_id integer",
                "proxmox_cluster character varying(100)", "incarnation character varying(100)",
                "last_seen_at timestamp with time zone", "retired_at timestamp with time zone");
        assertThat(table.query("SELECT 1 FROM information_schema.tables WHERE table_schema = 'public'"
                + " AND table_name = 'users'")).hasSize(1);
    }

    @Test
    void rowLevelSecurityIsEnabledWithPoliciesThatReadAnEmptySettingAsNoUser() throws SQLException {
        assertThat(table.query("SELECT relrowsecurity FROM pg_class WHERE oid = 'public.vms'::regclass"))
                .containsExactly(Map.of("relrowsecurity", true));
        List<Map<String, Object>> policies = table.query("SELECT policyname, qual FROM pg_policies"
                + " WHERE schemaname = 'public' AND tablename = 'vms' ORDER BY policyname");
        assertThat(policies).extracting(p -> p.get("policyname")).containsExactly("vms_admin_policy", "vms_user_policy");
        assertThat((String) policies.get(1).get("qual")).contains("NULLIF(current_setting('app.current_user_id'::text, true), ''::text)");
    }

    @Test
    void viewUsesNullifAndHasExactlyTheSeedColumnsNeverTheDaemonColumns() throws SQLException {
        assertThat(AccountDbSeed.viewDefinition(table)).contains(AccountDbSeed.NULLIF);
        assertThat(AccountDbSeed.viewColumns(table)).containsExactlyElementsOf(AccountDbSeed.VIEW_COLUMNS);
    }

    @Test
    void oneLiveRowPerClusterAndVmidButRetiredAndUnadoptedRowsMayRepeatIt() throws SQLException {
        String insert = "INSERT INTO public.vms (vmid, name, proxmox_cluster, retired_at) VALUES (?, 'x', ?, ?)";
        table.update(insert, 700, "uniq", null);
        table.update(insert, 700, "uniq", java.time.OffsetDateTime.now());
        table.update(insert, 700, "other", null);
        table.update(insert, 700, null, null);
        table.update(insert, 700, null, null);
        assertThatThrownBy(() -> table.update(insert, 700, "uniq", null))
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("vms_cluster_vmid_live_key");
    }
}
