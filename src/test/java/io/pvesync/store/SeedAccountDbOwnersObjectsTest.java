package io.pvesync.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvesync.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An AccountDB as the seed defines it, whose owners then set the view's options, granted it to the
 * application's role and commented it: migrate gives the policies and the view the NULLIF fix and
 * keeps everything else of theirs (DESIGN.md 3.8).
 */
class SeedAccountDbOwnersObjectsTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();
    private static Table table;

    @BeforeAll
    static void seedThenMigrate() throws Exception {
        AccountDbSeed.create(db);
        // the application's reader: here the test's non-owner, non-BYPASSRLS role
        AccountDbSeed.owner(db, "ALTER VIEW public.vms_with_rls SET (security_barrier = true, security_invoker = true);"
                + " GRANT SELECT ON public.vms_with_rls TO " + db.daemonUser() + ";"
                + " COMMENT ON VIEW public.vms_with_rls IS 'the application reads VMs here'");
        table = new Table(db);
        Migrations.migrate(db.ownerPool());
        db.grantDaemon();
    }

    @Test
    void viewKeepsExactlyTheSeedColumnsInTheSeedOrder() throws SQLException {
        assertThat(AccountDbSeed.viewColumns(table)).containsExactlyElementsOf(AccountDbSeed.VIEW_COLUMNS);
    }

    @Test
    void viewKeepsTheOwnersOptionsGrantAndComment() throws SQLException {
        assertThat(AccountDbSeed.reloptions(table)).isEqualTo("security_barrier=true,security_invoker=true");
        assertThat(table.query("SELECT has_table_privilege(?, 'public.vms_with_rls', 'SELECT') AS p",
                db.daemonUser()).get(0).get("p")).isEqualTo(true);
        assertThat(table.query("SELECT obj_description('public.vms_with_rls'::regclass, 'pg_class') AS d")
                .get(0).get("d")).isEqualTo("the application reads VMs here");
    }

    @Test
    void policiesAndViewReadAnEmptySettingAsNoUser() throws SQLException {
        assertThat(AccountDbSeed.viewDefinition(table)).contains(AccountDbSeed.NULLIF);
        assertThat(AccountDbSeed.policies(table)).satisfiesExactly(
                admin -> assertThat(admin).containsEntry("cmd", "ALL").containsEntry("roles", "public")
                        .containsEntry("qual", "(current_setting('app.current_user_role'::text, true) = 'admin'::text)"),
                user -> assertThat(user).containsEntry("cmd", "ALL").containsEntry("roles", "public")
                        .containsEntry("qual", "(owner_id = (" + AccountDbSeed.NULLIF + ")::integer)")
                        .containsEntry("with_check", null));
    }

    @Test
    void theSeedsRowLevelSecurityStillHoldsThroughTheView() throws Exception {
        DataSource single = db.singleConnectionDaemonPool();
        try (Connection c = single.getConnection()) {
            c.setAutoCommit(false);
            RlsContext.admin(c);
            assertThat(names(c)).containsExactly("alice-web", "bob-db", "spare");
            c.commit();
            RlsContext.user(c, 1);
            assertThat(names(c)).containsExactly("alice-web");
            c.commit();
            // the settings now read '' on this connection: the seed's ''::INTEGER would raise here
            assertThat(names(c)).isEmpty();
            c.commit();
        }
    }

    private static List<String> names(Connection c) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT name FROM public.vms_with_rls ORDER BY vmid")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }
}
