package io.pvesync.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pvesync.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The view the old V2 widened cannot be rebuilt while it carries what DROP VIEW removes without a
 * word (an INSTEAD OF trigger, a column default, column privileges): migrate names them instead.
 */
class LegacyViewAttachmentsMigrationTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    @Test
    void aWidenedViewCarryingTheOwnersTriggerDefaultOrColumnGrantStopsMigrateNamingThem() throws Exception {
        AccountDbSeed.create(db);
        LegacySchema.migrateWithTheOldScripts(db);
        AccountDbSeed.owner(db, "CREATE FUNCTION public.vms_view_insert() RETURNS trigger LANGUAGE plpgsql"
                + " AS $$ BEGIN RETURN NEW; END $$");
        AccountDbSeed.owner(db, "CREATE TRIGGER vms_view_insert INSTEAD OF INSERT ON public.vms_with_rls"
                + " FOR EACH ROW EXECUTE FUNCTION public.vms_view_insert()");
        AccountDbSeed.owner(db, "ALTER VIEW public.vms_with_rls ALTER COLUMN notes SET DEFAULT 'new'");
        AccountDbSeed.owner(db, "GRANT SELECT (name) ON public.vms_with_rls TO PUBLIC");

        for (OwnerChanges changes : OwnerChanges.values()) {
            assertThatThrownBy(() -> Migrations.migrate(db.ownerPool(), changes))
                    .isInstanceOf(StoreException.class)
                    .hasMessageEndingWith("a drop would lose what the owners attached to it (a default on column"
                            + " notes, privileges on column name, trigger vms_view_insert): remove them, run"
                            + " migrate, then attach them again");
        }
        assertThat(AccountDbSeed.viewColumns(new Table(db))).hasSize(18);
        try (var c = db.ownerConnection(); var st = c.createStatement();
             var rs = st.executeQuery("SELECT count(*) FROM pg_trigger WHERE tgname = 'vms_view_insert'")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(1);
        }
    }
}
