package io.pvesync.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pvesync.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The owners narrowed the view: it is treated like a changed policy (DESIGN.md 3.8). */
class ChangedViewMigrationTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    @Test
    void aViewTheOwnersChangedStopsMigrateNamingItsColumnsAndIsKeptWhenToldTo() throws Exception {
        AccountDbSeed.create(db);
        AccountDbSeed.owner(db, "DROP VIEW public.vms_with_rls; CREATE VIEW public.vms_with_rls AS"
                + " SELECT id, vmid, name FROM public.vms WHERE owner_id = current_setting('app.current_user_id', TRUE)::INTEGER");
        Table table = new Table(db);
        String view = AccountDbSeed.viewDefinition(table);

        assertThatThrownBy(() -> Migrations.migrate(db.ownerPool()))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("nothing was applied:\n  view public.vms_with_rls: columns are id, vmid, name where"
                        + " the seed has id, vmid, name, ip_address, status, cpu_cores, memory_mb, disk_gb, proxmox_node,"
                        + " template_id, notes, created_at, updated_at, owner_id\n");
        assertThat(AccountDbSeed.policies(table)).extracting(p -> p.get("qual")).noneMatch(q -> ((String) q).contains("NULLIF"));

        assertThat(Migrations.migrate(db.ownerPool(), OwnerChanges.KEEP)).containsExactly("1", "2", "3", "4", "5", "6", "7");
        assertThat(AccountDbSeed.viewDefinition(table)).isEqualTo(view);
        assertThat(AccountDbSeed.policies(table)).filteredOn(p -> p.get("policyname").equals("vms_user_policy"))
                .extracting(p -> p.get("qual")).containsExactly("(owner_id = (" + AccountDbSeed.NULLIF + ")::integer)");
    }
}
