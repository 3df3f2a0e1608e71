package io.pvesync.check;

import com.zaxxer.hikari.HikariDataSource;
import io.pvesync.config.DatabaseConfig;
import io.pvesync.store.Database;
import io.pvesync.store.Grants;
import io.pvesync.store.Migrations;
import io.pvesync.store.SessionPinning;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks the database as the daemon's role: it connects, each connection keeps its own session (no
 * transaction pooler in between), the schema is current, row-level security is on, and the role has exactly the power it needs: not superuser, not BYPASSRLS, not the
 * table's owner (any of these would let it bypass the policies), every grant of config/grants.sql
 * and no more than SELECT, INSERT, UPDATE on public.vms.
 */
public final class DatabaseChecks {
    private static final String SUBJECT = "database";

    private DatabaseChecks() {
    }

    public static List<CheckResult> run(DatabaseConfig config) {
        List<CheckResult> results = new ArrayList<>();
        try (HikariDataSource pool = Database.open(config, "pvesync-check")) {
            try (Connection c = pool.getConnection(); Statement st = c.createStatement()) {
                results.add(CheckResult.ok(SUBJECT, "connected to " + config.displayUrl() + " as " + config.username()
                        + " (PostgreSQL " + one(st, "SHOW server_version") + ")"));
            }
            results.add(sessions(config));
            // Flyway borrows its own connections from the pool: hold none while it reads
            CheckResult schema = schema(pool);
            results.add(schema);
            if (schema.level() == CheckResult.Level.FAIL) {
                return results;
            }
            try (Connection c = pool.getConnection(); Statement st = c.createStatement()) {
                results.set(results.size() - 1, CheckResult.ok(SUBJECT, schema.message() + " (version " + one(st,
                        "SELECT version FROM " + Migrations.SCHEMA + ".flyway_schema_history WHERE success"
                                + " ORDER BY installed_rank DESC LIMIT 1") + ")"));
                results.add(rls(st));
                results.add(role(st, config.username()));
                results.add(grants(st, config.username()));
            }
        } catch (SQLException | RuntimeException e) {
            results.add(CheckResult.fail(SUBJECT, "cannot connect to " + config.displayUrl() + " as " + config.username()
                    + ": " + e.getMessage()));
        }
        return results;
    }

    /** DESIGN 3.8: the pass lock and the session settings need one PostgreSQL session per connection. */
    private static CheckResult sessions(DatabaseConfig config) {
        SessionPinning.Finding finding;
        try {
            finding = SessionPinning.probe(config);
        } catch (RuntimeException e) {
            return CheckResult.fail(SUBJECT, "cannot tell whether each connection keeps its own session: "
                    + e.getMessage());
        }
        if (finding.pinned()) {
            return CheckResult.ok(SUBJECT, "each connection keeps its own session (no transaction pooling)");
        }
        return CheckResult.fail(SUBJECT, finding.evidence() + "; pvesync's pass lock and session settings need one"
                + " PostgreSQL session per connection: " + SessionPinning.REMEDY);
    }

    private static CheckResult schema(HikariDataSource pool) {
        List<String> pending;
        try {
            pending = Migrations.pending(pool);
        } catch (RuntimeException e) {
            return CheckResult.fail(SUBJECT, "schema unreadable (" + e.getMessage() + "); run pvesync migrate and"
                    + " the GRANTs of config/grants.sql");
        }
        if (!pending.isEmpty()) {
            return CheckResult.fail(SUBJECT, "schema not current: pending migration(s) " + String.join(", ", pending)
                    + "; run: pvesync migrate --config FILE");
        }
        return CheckResult.ok(SUBJECT, "schema current");
    }

    private static CheckResult rls(Statement st) throws SQLException {
        boolean enabled = "t".equals(one(st, "SELECT relrowsecurity FROM pg_class WHERE oid = 'public.vms'::regclass"));
        if (!enabled) {
            return CheckResult.fail(SUBJECT, "row-level security is OFF on public.vms: every user sees every VM;"
                    + " run: ALTER TABLE public.vms ENABLE ROW LEVEL SECURITY");
        }
        // the history names every VM's changes: without its policies every user reads everyone's
        String history = one(st, "SELECT relrowsecurity::text || relforcerowsecurity::text FROM pg_class"
                + " WHERE oid = to_regclass('public.vm_changes')");
        if (!"truetrue".equals(history)) {
            return "truefalse".equals(history)
                    ? CheckResult.fail(SUBJECT, "row-level security is not forced on public.vm_changes: its owner (the"
                    + " role that migrates) reads every customer's change history, whatever the context;"
                    + " run: ALTER TABLE public.vm_changes FORCE ROW LEVEL SECURITY")
                    : CheckResult.fail(SUBJECT, "row-level security is OFF on public.vm_changes (or the table is"
                    + " missing: run pvesync migrate): every user reads every VM's change history;"
                    + " run: ALTER TABLE public.vm_changes ENABLE ROW LEVEL SECURITY");
        }
        return CheckResult.ok(SUBJECT, "row-level security enabled on public.vms and public.vm_changes (forced)");
    }

    private static CheckResult role(Statement st, String user) throws SQLException {
        List<String> powers = new ArrayList<>();
        try (ResultSet rs = st.executeQuery("SELECT r.rolsuper, r.rolbypassrls,"
                + " pg_has_role(current_user, c.relowner, 'USAGE') AS owns"
                + " FROM pg_roles r, pg_class c WHERE r.rolname = current_user AND c.oid = 'public.vms'::regclass")) {
            rs.next();
            if (rs.getBoolean("rolsuper")) {
                powers.add("is SUPERUSER");
            }
            if (rs.getBoolean("rolbypassrls")) {
                powers.add("has BYPASSRLS");
            }
            if (rs.getBoolean("owns")) {
                powers.add("owns public.vms (or is a member of its owner)");
            }
        }
        if (powers.isEmpty()) {
            return CheckResult.ok(SUBJECT, "role " + user + " is not superuser, not BYPASSRLS, not owner of"
                    + " public.vms: row-level security applies to it");
        }
        return CheckResult.fail(SUBJECT, "role " + user + " " + String.join(", ", powers)
                + ": row-level security does not apply to it; use a role made as README shows");
    }

    private static CheckResult grants(Statement st, String user) throws SQLException {
        // the whole of config/grants.sql: without USAGE on the sequence every insert fails
        List<String> missing = Grants.missing(st.getConnection());
        List<String> extra = new ArrayList<>();
        for (String privilege : List.of("DELETE", "TRUNCATE")) {
            if ("t".equals(one(st, "SELECT has_table_privilege(current_user, 'public.vms', '" + privilege + "')"))) {
                extra.add(privilege);
            }
        }
        if (!missing.isEmpty()) {
            return CheckResult.fail(SUBJECT, "role " + user + " lacks " + String.join(", ", missing)
                    + "; run config/grants.sql");
        }
        if (!extra.isEmpty()) {
            return CheckResult.warn(SUBJECT, "role " + user + " may also " + String.join(", ", extra)
                    + " public.vms, which pvesync never does; revoke it (config/grants.sql is the whole set)");
        }
        return CheckResult.ok(SUBJECT, "role " + user + " may SELECT, INSERT, UPDATE public.vms and no more");
    }

    private static String one(Statement st, String sql) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }
}
