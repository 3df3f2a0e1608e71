package io.pvesync.store;

import static io.pvesync.store.Snap.vm;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pvesync.config.MissingPolicy;
import io.pvesync.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Row-level security as the daemon's role sees it (neither owner nor superuser nor BYPASSRLS). */
class RlsContextTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    private static int alice;
    private static int bob;

    @BeforeAll
    static void seed() throws Exception {
        Table table = Table.migrated(db);
        // the application's own role reads the view; the daemon does not need it, so the README's
        // grants leave it out and this test grants it for itself
        table.update("GRANT SELECT ON public.vms_with_rls TO " + db.daemonUser());
        table.update("INSERT INTO public.users (username) VALUES ('alice'), ('bob')");
        alice = (Integer) table.query("SELECT id FROM public.users WHERE username = 'alice'").get(0).get("id");
        bob = (Integer) table.query("SELECT id FROM public.users WHERE username = 'bob'").get(0).get("id");
        table.update("INSERT INTO public.vms (vmid, name, owner_id) VALUES (1, 'alice-1', ?), (2, 'alice-2', ?),"
                + " (3, 'bob-1', ?), (4, 'nobody', NULL)", alice, alice, bob);
    }

    @Test
    void contextOutsideATransactionIsRefused() throws Exception {
        try (Connection c = db.daemonConnection()) {
            assertThatThrownBy(() -> RlsContext.admin(c))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("RlsContext needs a transaction: call setAutoCommit(false)");
        }
    }

    @Test
    void userContextSeesOnlyItsOwnRows() throws Exception {
        try (Connection c = db.daemonConnection()) {
            c.setAutoCommit(false);
            RlsContext.user(c, alice);
            assertThat(names(c, "SELECT name FROM public.vms_with_rls ORDER BY vmid")).containsExactly("alice-1", "alice-2");
            assertThat(names(c, "SELECT name FROM public.vms ORDER BY vmid")).containsExactly("alice-1", "alice-2");
            RlsContext.user(c, bob);
            assertThat(names(c, "SELECT name FROM public.vms_with_rls ORDER BY vmid")).containsExactly("bob-1");
            c.rollback();
        }
    }

    @Test
    void adminContextSeesEveryRow() throws Exception {
        try (Connection c = db.daemonConnection()) {
            c.setAutoCommit(false);
            RlsContext.admin(c);
            assertThat(names(c, "SELECT name FROM public.vms_with_rls WHERE vmid < 10 ORDER BY vmid"))
                    .containsExactly("alice-1", "alice-2", "bob-1", "nobody");
            c.rollback();
        }
    }

    @Test
    void emptySettingLeftByAnEarlierTransactionDoesNotRaise() throws Exception {
        DataSource single = db.singleConnectionDaemonPool();
        try (Connection c = single.getConnection()) {
            c.setAutoCommit(false);
            RlsContext.user(c, bob);
            assertThat(names(c, "SELECT name FROM public.vms_with_rls")).containsExactly("bob-1");
            c.commit();
        }
        // same physical connection: the settings now read '' instead of NULL, and the seed's
        // ''::INTEGER cast would raise "invalid input syntax for type integer" here, admins included
        try (Connection c = single.getConnection()) {
            c.setAutoCommit(false);
            assertThat(names(c, "SELECT current_setting('app.current_user_id', true)")).containsExactly("");
            RlsContext.admin(c);
            assertThat(names(c, "SELECT name FROM public.vms_with_rls WHERE vmid < 10 ORDER BY vmid"))
                    .containsExactly("alice-1", "alice-2", "bob-1", "nobody");
            c.commit();
        }
        try (Connection c = single.getConnection()) {
            assertThat(names(c, "SELECT name FROM public.vms_with_rls")).isEmpty();
            assertThat(names(c, "SELECT name FROM public.vms")).isEmpty();
        }
    }

    @Test
    void adminContextOfAnApplyDoesNotLeakToTheNextBorrower() throws Exception {
        DataSource single = db.singleConnectionDaemonPool();
        new VmStore(single).apply(Snap.of("leak").vm(vm(50, "pve1", "synced")).build(),
                new ApplyOptions(false, false, java.util.Set.of(), MissingPolicy.DEFAULT));
        try (Connection c = single.getConnection()) {
            assertThat(names(c, "SELECT current_setting('app.current_user_role', true)")).containsExactly("");
            assertThat(names(c, "SELECT name FROM public.vms_with_rls")).isEmpty();
            assertThat(names(c, "SELECT name FROM public.vms")).isEmpty();
        }
        assertThat(new Table(db).live("leak", 50)).containsEntry("name", "synced");
    }

    private static List<String> names(Connection c, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }
}
