package io.pvesync.check;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.pvesync.config.DatabaseConfig;
import io.pvesync.config.Secret;
import io.pvesync.store.Migrations;
import io.pvesync.testing.TestDatabase;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code pvesync check}'s database lines, against a real server, as the daemon's role. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DatabaseChecksTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();
    /** A direct connection: no pooler hands its transactions to other backends. */
    private static final String SESSIONS_OK = "[ ok ] database: each connection keeps its own session (no transaction"
            + " pooling)";

    private static DatabaseConfig daemon() {
        return new DatabaseConfig(db.url(), db.daemonUser(), Optional.of(Secret.of(db.daemonPassword())),
                Optional.empty(), Optional.empty(), 2);
    }

    private static List<String> lines() {
        return DatabaseChecks.run(daemon()).stream().map(CheckResult::line).toList();
    }

    private static void asOwner(String sql) throws Exception {
        try (Connection c = db.ownerConnection(); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    @Test
    @Order(1)
    void anUnmigratedDatabaseFailsTheSchemaLine() {
        List<String> lines = lines();

        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).startsWith("[ ok ] database: connected to " + db.url() + " as " + db.daemonUser());
        assertThat(lines.get(1)).isEqualTo(SESSIONS_OK);
        assertThat(lines.get(2)).startsWith("[FAIL] database: schema");
    }

    @Test
    @Order(2)
    void aMigratedDatabaseWithTheReadmeGrantsPassesEveryLine() throws Exception {
        try (HikariDataSource owner = db.ownerPool()) {
            Migrations.migrate(owner);
        }
        db.grantDaemon();

        assertThat(lines()).satisfiesExactly(
                l -> assertThat(l).startsWith("[ ok ] database: connected to "),
                l -> assertThat(l).isEqualTo(SESSIONS_OK),
                l -> assertThat(l).isEqualTo("[ ok ] database: schema current (version 7)"),
                l -> assertThat(l).isEqualTo("[ ok ] database: row-level security enabled on public.vms and public.vm_changes (forced)"),
                l -> assertThat(l).isEqualTo("[ ok ] database: role " + db.daemonUser() + " is not superuser, not"
                        + " BYPASSRLS, not owner of public.vms: row-level security applies to it"),
                l -> assertThat(l).isEqualTo("[ ok ] database: role " + db.daemonUser()
                        + " may SELECT, INSERT, UPDATE public.vms and no more"));
    }

    @Test
    @Order(3)
    void extraPowerIsFlagged() throws Exception {
        asOwner("GRANT DELETE ON public.vms TO " + db.daemonUser());
        assertThat(lines()).contains("[warn] database: role " + db.daemonUser() + " may also DELETE public.vms,"
                + " which pvesync never does; revoke it (config/grants.sql is the whole set)");
        asOwner("REVOKE DELETE ON public.vms FROM " + db.daemonUser());
    }

    @Test
    @Order(4)
    void aRoleWithBypassRlsFails() throws Exception {
        asOwner("ALTER ROLE " + db.daemonUser() + " BYPASSRLS");
        try {
            assertThat(lines()).contains("[FAIL] database: role " + db.daemonUser() + " has BYPASSRLS: row-level"
                    + " security does not apply to it; use a role made as README shows");
        } finally {
            asOwner("ALTER ROLE " + db.daemonUser() + " NOBYPASSRLS");
        }
    }

    @Test
    @Order(5)
    void rowLevelSecurityTurnedOffFails() throws Exception {
        asOwner("ALTER TABLE public.vms DISABLE ROW LEVEL SECURITY");
        try {
            assertThat(lines()).contains("[FAIL] database: row-level security is OFF on public.vms: every user sees"
                    + " every VM; run: ALTER TABLE public.vms ENABLE ROW LEVEL SECURITY");
        } finally {
            asOwner("ALTER TABLE public.vms ENABLE ROW LEVEL SECURITY");
        }
        asOwner("ALTER TABLE public.vm_changes DISABLE ROW LEVEL SECURITY");
        try {
            assertThat(lines()).contains("[FAIL] database: row-level security is OFF on public.vm_changes (or the table"
                    + " is missing: run pvesync migrate): every user reads every VM's change history;"
                    + " run: ALTER TABLE public.vm_changes ENABLE ROW LEVEL SECURITY");
        } finally {
            asOwner("ALTER TABLE public.vm_changes ENABLE ROW LEVEL SECURITY");
        }
        asOwner("ALTER TABLE public.vm_changes NO FORCE ROW LEVEL SECURITY");
        try {
            assertThat(lines()).contains("[FAIL] database: row-level security is not forced on public.vm_changes: its"
                    + " owner (the role that migrates) reads every customer's change history, whatever the context;"
                    + " run: ALTER TABLE public.vm_changes FORCE ROW LEVEL SECURITY");
        } finally {
            asOwner("ALTER TABLE public.vm_changes FORCE ROW LEVEL SECURITY");
        }
    }

    @Test
    @Order(6)
    void aMissingGrantOfGrantsSqlFailsNamingIt() throws Exception {
        asOwner("REVOKE USAGE ON SEQUENCE public.vms_id_seq FROM " + db.daemonUser());
        asOwner("REVOKE UPDATE ON public.vms FROM " + db.daemonUser());
        try {
            assertThat(lines()).contains("[FAIL] database: role " + db.daemonUser() + " lacks UPDATE on public.vms,"
                    + " USAGE on sequence public.vms_id_seq; run config/grants.sql");
        } finally {
            db.grantDaemon();
        }
    }

    @Test
    @Order(7)
    void anUpgradeWithoutTheNewGrantsFailsNamingTheClusterNodesTable() throws Exception {
        asOwner("REVOKE INSERT, DELETE ON pvesync.cluster_nodes FROM " + db.daemonUser());
        try {
            assertThat(lines()).contains("[FAIL] database: role " + db.daemonUser() + " lacks INSERT on"
                    + " pvesync.cluster_nodes, DELETE on pvesync.cluster_nodes; run config/grants.sql");
        } finally {
            db.grantDaemon();
        }
    }
}
