package io.pvesync.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.pvesync.cli.Main;
import io.pvesync.sim.ProxmoxSimulator;
import io.pvesync.sim.SimVm;
import io.pvesync.sim.SimulatorBuilder;
import io.pvesync.store.Migrations;
import io.pvesync.store.RlsContext;
import io.pvesync.testing.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon's database role after real passes ({@code pvesync sync} against the simulator):
 * values reach the table only as bind parameters, so hostile names round-trip exactly; row-level
 * security holds for it (it sees rows only in the admin context); it needs exactly
 * {@code config/grants.sql}, and without one of those grants a pass fails naming what is missing.
 * {@code pvesync check} flagging grants beyond those is DatabaseChecksTest#extraPowerIsFlagged.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DaemonRoleTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    /** Names that break SQL built by concatenation, LIKE patterns, dollar quoting or format strings. */
    private static final List<String> HOSTILE_NAMES = List.of(
            "'); DROP TABLE vms; --",
            "O'Brien's \"VM\"",
            "back\\slash\\\\ and \\' too",
            "$$ dollar $1 $tag$ quoted $$",
            "100% done_ish",
            "Robert'); DELETE FROM public.vms WHERE ('1'='1",
            "%s %n {} ${jndi:ldap://x}",
            "Ünïcödé 😀 שלום مرحبا");

    @TempDir
    static Path dir;

    private static ProxmoxSimulator sim;
    private static Path config;

    @BeforeAll
    static void setUp() throws Exception {
        try (HikariDataSource owner = db.ownerPool()) {
            Migrations.migrate(owner);
        }
        sim = ProxmoxSimulator.builder().nodes(2).vms(8).seed(3).start();
        Files.writeString(dir.resolve("ca.pem"), sim.caCertificatePem());
        config = dir.resolve("pvesync.yaml");
        Files.writeString(config, """
                database:
                  url: %s
                  username: %s
                  password: "%s"
                clusters:
                  - name: lab
                    endpoints: ["%s"]
                    token-id: "pvesync@pve!inventory"
                    token-secret: "%s"
                    tls:
                      ca-file: ca.pem
                """.formatted(db.url(), db.daemonUser(), db.daemonPassword(), sim.endpoints().get(0),
                SimulatorBuilder.DEFAULT_TOKEN_SECRET));
    }

    @AfterAll
    static void stopSimulator() {
        sim.close();
    }

    private record Run(int exit, String out) {
    }

    private static Run sync() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
        int exit = Main.run(new String[] {"sync", "--config", config.toString()}, print, print);
        return new Run(exit, out.toString(StandardCharsets.UTF_8));
    }

    private static void asOwner(String sql) throws SQLException {
        try (Connection c = db.ownerConnection(); Statement st = c.createStatement()) {
            st.execute(sql.replace("DAEMON", db.daemonUser()));
        }
    }

    private static List<Integer> qemuVmids() {
        return sim.vms().stream().filter(v -> !v.template() && v.kind() == SimVm.Kind.QEMU).map(SimVm::vmid).toList();
    }

    /** Each case: what is revoked, and what the failed pass must name. */
    private static void assertPassFailsWithout(String grant, String revoke, String named) throws Exception {
        asOwner(revoke);
        try {
            Run run = sync();
            assertThat(run.exit()).as("sync without %s", grant).isEqualTo(1);
            assertThat(run.out()).as("sync without %s", grant).contains(named);
        } finally {
            db.grantDaemon();
        }
    }

    @Test
    @Order(1)
    void withoutAnyOfItsGrantsAPassFailsNamingWhatIsMissing() throws Exception {
        db.grantDaemon();
        String run = ": run config/grants.sql as the owner of public.vms";
        assertPassFailsWithout("USAGE on schema pvesync", "REVOKE USAGE ON SCHEMA pvesync FROM DAEMON",
                "schema pvesync: cannot read the migration history: ERROR: permission denied for schema pvesync;"
                        + " the role lacks USAGE on schema pvesync" + run + "\n");
        assertPassFailsWithout("SELECT on the history", "REVOKE SELECT ON pvesync.flyway_schema_history FROM DAEMON",
                "schema pvesync: cannot read the migration history: ERROR: permission denied for table"
                        + " flyway_schema_history; the role lacks SELECT on pvesync.flyway_schema_history" + run + "\n");
        assertPassFailsWithout("SELECT on vms", "REVOKE SELECT ON public.vms FROM DAEMON",
                "database: cluster lab: reading the known VMs failed: ERROR: permission denied for table vms;"
                        + " the role lacks SELECT on public.vms" + run + "; rows left as they were");
        assertPassFailsWithout("INSERT on vms", "REVOKE INSERT ON public.vms FROM DAEMON",
                "database: cluster lab: applying the listing failed, nothing was written: ERROR: permission denied"
                        + " for table vms; the role lacks INSERT on public.vms" + run + "; rows left as they were");
        assertPassFailsWithout("USAGE on the sequence", "REVOKE USAGE ON SEQUENCE public.vms_id_seq FROM DAEMON",
                "ERROR: permission denied for sequence vms_id_seq; the role lacks USAGE on sequence"
                        + " public.vms_id_seq" + run + "; rows left as they were");
        // nothing was written by any of them
        try (Connection c = db.ownerConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM public.vms")) {
            rs.next();
            assertThat(rs.getInt(1)).isZero();
        }
    }

    /**
     * Exactly config/grants.sql (TestDatabase#grantDaemon runs the file) is enough for a full pass,
     * and names with quotes, backslashes, dollar quotes, percent signs and SQL in them are stored
     * exactly as Proxmox has them: values are bind parameters only.
     */
    @Test
    @Order(2)
    void withExactlyItsGrantsAPassStoresHostileNamesExactly() throws Exception {
        List<Integer> vmids = qemuVmids();
        Map<Integer, String> expected = new TreeMap<>();
        for (int i = 0; i < HOSTILE_NAMES.size(); i++) {
            sim.rename(vmids.get(i), HOSTILE_NAMES.get(i));
            expected.put(vmids.get(i), HOSTILE_NAMES.get(i));
        }

        Run run = sync();

        assertThat(run.exit()).as(run.out()).isZero();
        assertThat(run.out()).startsWith("lab: pass ok in ");
        Map<Integer, String> stored = new TreeMap<>();
        try (Connection c = db.ownerConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT vmid, name FROM public.vms WHERE vmid = ANY(?)")) {
            ps.setArray(1, c.createArrayOf("int4", vmids.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    stored.put(rs.getInt(1), rs.getString(2));
                }
            }
        }
        stored.keySet().retainAll(expected.keySet());
        assertThat(stored).isEqualTo(expected);
    }

    @Test
    @Order(3)
    void withoutUpdateAChangedVmFailsThePass() throws Exception {
        int vmid = qemuVmids().get(0);
        sim.rename(vmid, "renamed-" + vmid);

        assertPassFailsWithout("UPDATE on vms", "REVOKE UPDATE ON public.vms FROM DAEMON", "ERROR: permission denied"
                + " for table vms; the role lacks UPDATE on public.vms: run config/grants.sql as the owner of public.vms");

        assertThat(sync().exit()).isZero();
    }

    /** The application gives two synced rows to user 1 and one to user 2; pvesync's own stay unowned. */
    private static Map<Integer, Integer> assignOwners() throws SQLException {
        List<Integer> vmids = qemuVmids();
        Map<Integer, Integer> owners = new LinkedHashMap<>();
        owners.put(vmids.get(0), 1);
        owners.put(vmids.get(1), 1);
        owners.put(vmids.get(2), 2);
        asOwner("INSERT INTO public.users (id, username) VALUES (1, 'alice'), (2, 'bob') ON CONFLICT DO NOTHING");
        for (Map.Entry<Integer, Integer> e : owners.entrySet()) {
            asOwner("UPDATE public.vms SET owner_id = " + e.getValue() + " WHERE vmid = " + e.getKey());
        }
        return owners;
    }

    private static List<Integer> vmids(Connection c, String relation) throws SQLException {
        List<Integer> vmids = new ArrayList<>();
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT vmid FROM " + relation + " ORDER BY vmid")) {
            while (rs.next()) {
                vmids.add(rs.getInt(1));
            }
        }
        return vmids;
    }

    private static int update(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement()) {
            return st.executeUpdate(sql);
        }
    }

    /**
     * Through the daemon's own role (not owner, not BYPASSRLS): a user context sees and updates only
     * its rows, in the table and in the view, and cannot hand a row to another user; no context sees
     * nothing; only the admin context sees every row. The view needs SELECT and UPDATE on it, which
     * config/grants.sql rightly does not give the daemon (it never reads the view): granted here, in
     * this test only, to show the view's filter, not the daemon's powers.
     */
    @Test
    @Order(4)
    void rowLevelSecurityHoldsForTheDaemonsRole() throws Exception {
        Map<Integer, Integer> owners = assignOwners();
        List<Integer> ofUser1 = owners.entrySet().stream().filter(e -> e.getValue() == 1).map(Map.Entry::getKey)
                .sorted().toList();
        asOwner("GRANT SELECT, UPDATE ON public.vms_with_rls TO DAEMON");
        try (Connection c = db.daemonConnection()) {
            c.setAutoCommit(false);

            RlsContext.user(c, 1);
            assertThat(vmids(c, "public.vms")).isEqualTo(ofUser1);
            assertThat(vmids(c, "public.vms_with_rls")).isEqualTo(ofUser1);
            assertThat(update(c, "UPDATE public.vms SET notes = 'mine'")).isEqualTo(2);
            assertThat(update(c, "UPDATE public.vms_with_rls SET notes = 'mine too'")).isEqualTo(2);
            assertThat(update(c, "UPDATE public.vms SET notes = 'not mine' WHERE owner_id = 2 OR owner_id IS NULL")).isZero();
            assertThatThrownBy(() -> update(c, "UPDATE public.vms SET owner_id = 2"))
                    .hasMessageContaining("new row violates row-level security policy for table \"vms\"");
            c.rollback();

            RlsContext.set(c, null, null);
            assertThat(vmids(c, "public.vms")).isEmpty();
            assertThat(vmids(c, "public.vms_with_rls")).isEmpty();
            assertThat(update(c, "UPDATE public.vms SET notes = 'anyone'")).isZero();
            c.rollback();

            // no context at all, on a connection that has never had one
            c.setAutoCommit(true);
            try (Connection fresh = db.daemonConnection()) {
                assertThat(vmids(fresh, "public.vms")).isEmpty();
            }

            c.setAutoCommit(false);
            RlsContext.admin(c);
            assertThat(vmids(c, "public.vms")).hasSize(countAsOwner());
            c.rollback();
        } finally {
            asOwner("REVOKE SELECT, UPDATE ON public.vms_with_rls FROM DAEMON");
        }
        try (Connection c = db.ownerConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM public.vms WHERE notes IS NOT NULL")) {
            rs.next();
            assertThat(rs.getInt(1)).as("every update above was rolled back").isZero();
        }
    }

    private static int countAsOwner() throws SQLException {
        try (Connection c = db.ownerConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM public.vms")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
