package io.pvesync.store;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The privileges of {@code config/grants.sql}, the whole set the daemon's role needs, and which of
 * them the connected role lacks. PostgreSQL's "permission denied for table vms" does not say which
 * privilege was missing; this does, so a failed pass can tell the operator what to grant.
 */
public final class Grants {
    /** SQLSTATE insufficient_privilege. */
    static final String DENIED = "42501";

    // Looked up by OID from the catalogs, which every role may read: resolving a name such as
    // 'pvesync.flyway_schema_history' would itself fail without USAGE on its schema.
    private static final String MISSING = "SELECT g.privilege || ' on ' || g.shown FROM (VALUES"
            + " (1, 'USAGE', 'schema', 'public', NULL, 'schema public'),"
            + " (2, 'USAGE', 'schema', '" + Migrations.SCHEMA + "', NULL, 'schema " + Migrations.SCHEMA + "'),"
            + " (3, 'SELECT', 'table', 'public', 'vms', 'public.vms'),"
            + " (4, 'INSERT', 'table', 'public', 'vms', 'public.vms'),"
            + " (5, 'UPDATE', 'table', 'public', 'vms', 'public.vms'),"
            + " (6, 'USAGE', 'sequence', 'public', 'vms_id_seq', 'sequence public.vms_id_seq'),"
            + " (7, 'SELECT', 'table', '" + Migrations.SCHEMA + "', 'flyway_schema_history', '" + Migrations.SCHEMA
            + ".flyway_schema_history'),"
            + " (8, 'SELECT', 'table', '" + Migrations.SCHEMA + "', 'cluster_nodes', '" + Migrations.SCHEMA
            + ".cluster_nodes'),"
            + " (9, 'INSERT', 'table', '" + Migrations.SCHEMA + "', 'cluster_nodes', '" + Migrations.SCHEMA
            + ".cluster_nodes'),"
            + " (10, 'DELETE', 'table', '" + Migrations.SCHEMA + "', 'cluster_nodes', '" + Migrations.SCHEMA
            + ".cluster_nodes'),"
            + " (11, 'SELECT', 'table', '" + Migrations.SCHEMA + "', 'cluster_state', '" + Migrations.SCHEMA
            + ".cluster_state'),"
            + " (12, 'INSERT', 'table', '" + Migrations.SCHEMA + "', 'cluster_state', '" + Migrations.SCHEMA
            + ".cluster_state'),"
            + " (13, 'UPDATE', 'table', '" + Migrations.SCHEMA + "', 'cluster_state', '" + Migrations.SCHEMA
            + ".cluster_state'),"
            + " (14, 'SELECT', 'table', 'public', 'vm_changes', 'public.vm_changes'),"
            + " (15, 'INSERT', 'table', 'public', 'vm_changes', 'public.vm_changes'),"
            + " (16, 'DELETE', 'table', 'public', 'vm_changes', 'public.vm_changes')"
            + ") AS g(n, privilege, kind, schema, name, shown)"
            + " LEFT JOIN pg_namespace s ON s.nspname = g.schema"
            + " LEFT JOIN pg_class c ON c.relnamespace = s.oid AND c.relname = g.name"
            + " WHERE NOT coalesce(CASE g.kind"
            + " WHEN 'schema' THEN has_schema_privilege(s.oid, g.privilege)"
            + " WHEN 'sequence' THEN has_sequence_privilege(c.oid, g.privilege)"
            + " ELSE has_table_privilege(c.oid, g.privilege) END, false)"
            + " ORDER BY g.n";

    private Grants() {
    }

    /**
     * The privileges of config/grants.sql the connected role lacks, as {@code "INSERT on public.vms"},
     * in the file's order; empty when it has them all. An object that does not exist counts as lacking.
     */
    public static List<String> missing(Connection c) throws SQLException {
        List<String> missing = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(MISSING)) {
            while (rs.next()) {
                missing.add(rs.getString(1));
            }
        }
        return missing;
    }

    /** The refused-privilege error in {@code error}'s causes (itself included), if any. */
    static Optional<SQLException> denial(Throwable error) {
        return Causes.find(error, t -> t instanceof SQLException sql && DENIED.equals(sql.getSQLState()))
                .map(SQLException.class::cast);
    }

    /**
     * What to add to the message of a failure that {@link #denial} found, on a connection that can
     * still run a query: {@code "; the role lacks X, Y: run config/grants.sql as the owner of
     * public.vms"}, or empty when the role lacks none (a policy refused, not a grant). Never throws:
     * the original failure is the one to report.
     */
    static String hint(Connection c) {
        try {
            List<String> missing = missing(c);
            return missing.isEmpty() ? "" : "; the role lacks " + String.join(", ", missing)
                    + ": run config/grants.sql as the owner of public.vms";
        } catch (SQLException | RuntimeException e) {
            return "";
        }
    }
}
