package io.pvesync.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import io.pvesync.testing.LogCapture;
import io.pvesync.testing.TestDatabase;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The owners tightened the seed's user policy (SELECT only, for their application's role): migrate
 * stops and names the difference, applying nothing; told to keep it, migrate leaves it exactly as
 * it is and applies the rest (DESIGN.md 3.8).
 */
class ChangedPolicyMigrationTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    @Test
    void aPolicyTheOwnersChangedStopsMigrateUntilToldToKeepItAndIsNeverReplaced() throws Exception {
        AccountDbSeed.create(db);
        AccountDbSeed.owner(db, "DROP POLICY vms_user_policy ON public.vms;"
                + " CREATE POLICY vms_user_policy ON public.vms FOR SELECT TO " + db.daemonUser()
                + " USING (owner_id = current_setting('app.current_user_id', TRUE)::INTEGER)");
        Table table = new Table(db);
        List<Map<String, Object>> owners = AccountDbSeed.policies(table);
        String view = AccountDbSeed.viewDefinition(table);

        assertThatThrownBy(() -> Migrations.migrate(db.ownerPool()))
                .isInstanceOf(StoreException.class)
                .hasMessage("the AccountDB's owners changed what pvesync would give the NULLIF fix to; nothing was"
                        + " applied:\n  policy vms_user_policy on public.vms: command is SELECT where the seed has ALL;"
                        + " roles are " + db.daemonUser() + " where the seed has PUBLIC\nrestore the seed's definition,"
                        + " or run `pvesync migrate --keep-owner-changes` to leave it exactly as it is and apply the rest");
        assertThat(AccountDbSeed.policies(table)).isEqualTo(owners);
        assertThat(AccountDbSeed.viewDefinition(table)).isEqualTo(view);
        // not a migration applied, not even the history table or pvesync's columns
        assertThat(table.query("SELECT to_regclass('pvesync.flyway_schema_history') IS NULL AS none").get(0))
                .containsEntry("none", true);
        assertThat(table.query("SELECT 1 FROM information_schema.columns WHERE table_schema = 'public'"
                + " AND table_name = 'vms' AND column_name = 'proxmox_cluster'")).isEmpty();

        try (LogCapture logs = new LogCapture(OwnersObjects.class)) {
            assertThat(Migrations.migrate(db.ownerPool(), OwnerChanges.KEEP)).containsExactly("1", "2", "3", "4", "5", "6", "7");
            assertThat(logs.messages(Level.WARN)).containsExactly("policy vms_user_policy on public.vms - changed by"
                    + " its owners (command is SELECT where the seed has ALL; roles are " + db.daemonUser()
                    + " where the seed has PUBLIC); left exactly as it is (--keep-owner-changes). It does not get"
                    + " pvesync's NULLIF fix: if it casts current_setting(..., TRUE) to INTEGER, add NULLIF(..., '')"
                    + " yourself (README, \"pvesync migrate\")");
        }
        assertThat(AccountDbSeed.policies(table)).isEqualTo(owners);
        // what was still the seed's got the fix
        assertThat(AccountDbSeed.viewDefinition(table)).contains(AccountDbSeed.NULLIF);
        assertThat(AccountDbSeed.viewColumns(table)).containsExactlyElementsOf(AccountDbSeed.VIEW_COLUMNS);
    }
}
