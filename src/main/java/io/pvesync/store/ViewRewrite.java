package io.pvesync.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Gives {@code public.vms_with_rls} the fixed query while keeping everything else its owners set:
 * options, owner, grants and comments. Runs inside the migration's transaction: readers see the old
 * view or the new one, never none.
 */
final class ViewRewrite {
    private static final String FIXED_QUERY =
            SeedObjects.viewQuery(SeedObjects.VIEW_COLUMNS, SeedObjects.VIEW_FIXED_WHERE);

    private final Connection c;

    ViewRewrite(Connection c) {
        this.c = c;
    }

    /**
     * The seed's view, same columns: CREATE OR REPLACE keeps owner, grants and comments, but resets
     * the options (security_barrier, security_invoker, check_option), so they are set again.
     */
    void fix() throws SQLException {
        List<String> restore = options();
        execute(List.of("CREATE OR REPLACE VIEW " + SeedObjects.VIEW + " AS " + FIXED_QUERY));
        execute(restore);
    }

    /**
     * The view the old V2 widened with pvesync's columns: a column cannot leave a view by CREATE OR
     * REPLACE, so it is dropped and created again, then given back its owner, grants, comments and
     * whatever options the owners set since (the ones the old V2 dropped cannot be known).
     */
    void rebuild() throws SQLException {
        List<String> restore = new ArrayList<>(owner());
        restore.addAll(grants());
        restore.addAll(comments());
        restore.addAll(options());
        execute(List.of("DROP VIEW " + SeedObjects.VIEW, "CREATE VIEW " + SeedObjects.VIEW + " AS " + FIXED_QUERY));
        execute(restore);
    }

    private List<String> options() throws SQLException {
        return statements("SELECT 'ALTER VIEW " + SeedObjects.VIEW + " SET (' || string_agg(quote_ident(split_part(o, '=', 1))"
                + " || ' = ' || quote_literal(substr(o, strpos(o, '=') + 1)), ', ') || ')'"
                + " FROM pg_catalog.pg_class, unnest(reloptions) o WHERE oid = ?::regclass HAVING count(*) > 0");
    }

    private List<String> owner() throws SQLException {
        return statements("SELECT 'ALTER VIEW " + SeedObjects.VIEW + " OWNER TO ' || quote_ident(pg_get_userbyid(relowner))"
                + " FROM pg_catalog.pg_class WHERE oid = ?::regclass");
    }

    /**
     * The ACL exactly: a NULL relacl (the default) stays NULL; otherwise the owner's own entry is
     * emptied first (it may lack some privileges) and every entry granted again, by the owner.
     */
    private List<String> grants() throws SQLException {
        List<String> out = new ArrayList<>(statements("SELECT 'REVOKE ALL ON " + SeedObjects.VIEW + " FROM '"
                + " || quote_ident(pg_get_userbyid(relowner)) FROM pg_catalog.pg_class WHERE oid = ?::regclass"
                + " AND relacl IS NOT NULL"));
        out.addAll(statements("SELECT 'GRANT ' || a.privilege_type || ' ON " + SeedObjects.VIEW + " TO '"
                + " || CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(a.grantee)) END"
                + " || CASE WHEN a.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END"
                + " FROM pg_catalog.pg_class cl, aclexplode(cl.relacl) a WHERE cl.oid = ?::regclass"));
        return out;
    }

    /** The view's comment and those of the seed's columns (pvesync's columns leave the view). */
    private List<String> comments() throws SQLException {
        List<String> out = new ArrayList<>(statements("SELECT 'COMMENT ON VIEW " + SeedObjects.VIEW + " IS '"
                + " || quote_literal(d.description) FROM pg_catalog.pg_description d WHERE d.objoid = ?::regclass"
                + " AND d.classoid = 'pg_catalog.pg_class'::regclass AND d.objsubid = 0"));
        try (PreparedStatement ps = c.prepareStatement("SELECT 'COMMENT ON COLUMN " + SeedObjects.VIEW + ".'"
                + " || quote_ident(a.attname) || ' IS ' || quote_literal(d.description)"
                + " FROM pg_catalog.pg_description d JOIN pg_catalog.pg_attribute a"
                + " ON a.attrelid = d.objoid AND a.attnum = d.objsubid"
                + " WHERE d.objoid = ?::regclass AND d.classoid = 'pg_catalog.pg_class'::regclass AND d.objsubid > 0"
                + " AND a.attname = ANY (?)")) {
            ps.setString(1, SeedObjects.VIEW);
            ps.setArray(2, c.createArrayOf("text", SeedObjects.VIEW_COLUMNS.toArray()));
            out.addAll(read(ps));
        }
        return out;
    }

    private List<String> statements(String query) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(query)) {
            ps.setString(1, SeedObjects.VIEW);
            return read(ps);
        }
    }

    private static List<String> read(PreparedStatement ps) throws SQLException {
        List<String> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    private void execute(List<String> statements) throws SQLException {
        try (Statement st = c.createStatement()) {
            for (String sql : statements) {
                st.execute(sql);
            }
        }
    }
}
