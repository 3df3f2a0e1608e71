package io.pvesync.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * How PostgreSQL itself prints the seed's definitions. PostgreSQL stores a policy's expression and a
 * view's query parsed and prints them back rewritten (casts spelled out, parentheses added), so the
 * owners' objects are compared with what it prints for the seed's text, never with the text itself:
 * the probe creates the seed's expression as a policy on an empty copy of {@code public.vms} and as
 * a view over it, in the caller's transaction, reads the printed form and drops the probe again.
 */
final class CatalogProbe {
    private static final String PROBE_TABLE = Migrations.SCHEMA + ".migration_probe_vms";
    private static final String PROBE_VIEW = Migrations.SCHEMA + ".migration_probe_view";

    private final Connection c;

    CatalogProbe(Connection c) {
        this.c = c;
    }

    /** The USING expression as {@code pg_policies.qual} shows it for a policy on {@code public.vms}. */
    String policyUsing(String using) throws SQLException {
        try (Statement st = c.createStatement()) {
            // same column names and types as public.vms: a column prints by name, a cast by its type
            st.execute("CREATE TABLE " + PROBE_TABLE + " (LIKE " + SeedObjects.TABLE + ")");
            st.execute("CREATE POLICY probe ON " + PROBE_TABLE + " USING (" + using + ")");
            try (ResultSet rs = st.executeQuery("SELECT qual FROM pg_catalog.pg_policies WHERE schemaname = '"
                    + Migrations.SCHEMA + "' AND tablename = 'migration_probe_vms' AND policyname = 'probe'")) {
                rs.next();
                return rs.getString(1);
            } finally {
                st.execute("DROP TABLE " + PROBE_TABLE);
            }
        }
    }

    /** The view's query as {@code pg_get_viewdef} prints it for a view over {@code public.vms}. */
    String viewDefinition(List<String> columns, String where) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("CREATE VIEW " + PROBE_VIEW + " AS " + SeedObjects.viewQuery(columns, where));
            try (PreparedStatement ps = c.prepareStatement("SELECT pg_catalog.pg_get_viewdef(?::regclass)")) {
                ps.setString(1, PROBE_VIEW);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getString(1);
                }
            } finally {
                st.execute("DROP VIEW " + PROBE_VIEW);
            }
        }
    }
}
