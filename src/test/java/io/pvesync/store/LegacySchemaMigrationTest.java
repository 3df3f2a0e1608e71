package io.pvesync.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvesync.testing.TestDatabase;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An AccountDB migrated by the old V1 to V4, which widened the view with pvesync's columns and
 * dropped its options: the new migrate accepts its history and gives the view back the seed's
 * columns, keeping its grants, comment, the options the owners set again, and every row.
 */
class LegacySchemaMigrationTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();
    private static final String ROWS = "SELECT *, xmin::text AS xmin, ctid::text AS ctid FROM public.vms ORDER BY id";

    private static Table table;
    private static List<Map<String, Object>> rowsBefore;
    private static List<String> applied;

    @BeforeAll
    static void oldReleaseThenNewMigrate() throws Exception {
        AccountDbSeed.create(db);
        AccountDbSeed.owner(db, "GRANT SELECT ON public.vms_with_rls TO " + db.daemonUser() + ";"
                + " COMMENT ON VIEW public.vms_with_rls IS 'the application reads VMs here';"
                + " COMMENT ON COLUMN public.vms_with_rls.notes IS 'free text of the owner'");
        LegacySchema.migrateWithTheOldScripts(db);
        table = new Table(db);
        // the owners noticed the lost option and set it again
        AccountDbSeed.owner(db, "ALTER VIEW public.vms_with_rls SET (security_barrier = true);"
                + " UPDATE public.vms SET proxmox_cluster = 'lab' WHERE vmid = 100");
        assertThat(AccountDbSeed.viewColumns(table)).hasSize(18);
        rowsBefore = table.query(ROWS);
        applied = Migrations.migrate(db.ownerPool());
    }

    @Test
    void theOldHistoryIsAcceptedAndOnlyMigration5IsApplied() throws Exception {
        assertThat(applied).containsExactly("5", "6", "7");
        assertThat(Migrations.migrate(db.ownerPool())).isEmpty();
        assertThat(Migrations.pending(db.ownerPool())).isEmpty();
    }

    @Test
    void theViewHasTheSeedColumnsAgainWithItsGrantsCommentsAndOptions() throws Exception {
        assertThat(AccountDbSeed.viewColumns(table)).containsExactlyElementsOf(AccountDbSeed.VIEW_COLUMNS);
        assertThat(AccountDbSeed.viewDefinition(table)).contains(AccountDbSeed.NULLIF);
        assertThat(AccountDbSeed.reloptions(table)).isEqualTo("security_barrier=true");
        assertThat(table.query("SELECT has_table_privilege(?, 'public.vms_with_rls', 'SELECT') AS p",
                db.daemonUser()).get(0).get("p")).isEqualTo(true);
        assertThat(table.query("SELECT obj_description('public.vms_with_rls'::regclass, 'pg_class') AS v,"
                + " col_description('public.vms_with_rls'::regclass, 11) AS notes").get(0))
                .containsEntry("v", "the application reads VMs here")
                .containsEntry("notes", "free text of the owner");
    }

    @Test
    void everyRowIsKeptUnrewritten() throws Exception {
        assertThat(rowsBefore).hasSize(3);
        assertThat(table.query(ROWS)).isEqualTo(rowsBefore);
    }
}
