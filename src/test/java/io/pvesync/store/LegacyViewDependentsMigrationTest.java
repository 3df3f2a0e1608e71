package io.pvesync.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pvesync.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The view the old V2 widened cannot be rebuilt while the owners' views read it: never CASCADE. */
class LegacyViewDependentsMigrationTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    @Test
    void aWidenedViewThatOtherViewsReadStopsMigrateNamingThemEvenWhenToldToKeepChanges() throws Exception {
        AccountDbSeed.create(db);
        LegacySchema.migrateWithTheOldScripts(db);
        AccountDbSeed.owner(db, "CREATE VIEW public.running_vms AS SELECT id, name FROM public.vms_with_rls"
                + " WHERE status = 'running'");
        Table table = new Table(db);

        for (OwnerChanges changes : OwnerChanges.values()) {
            assertThatThrownBy(() -> Migrations.migrate(db.ownerPool(), changes))
                    .isInstanceOf(StoreException.class)
                    .hasMessage("pvesync cannot repair what an earlier pvesync did to the AccountDB; nothing was applied:\n  view public.vms_with_rls: shows pvesync's columns"
                            + " (proxmox_cluster, incarnation, last_seen_at, retired_at), added by an earlier pvesync;"
                            + " taking them out means dropping and creating it again, and public.running_vms depends on it:"
                            + " drop it, run migrate, then create it again");
        }
        assertThat(AccountDbSeed.viewColumns(table)).hasSize(18);
        assertThat(Migrations.pending(db.ownerPool())).containsExactly("5", "6", "7");
    }
}
