package io.pvesync.store;

import io.pvesync.store.Finding.Verdict;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Compares {@code public.vms_with_rls} with the seed's view and with what pvesync's own earlier
 * migrations made of it, by what {@code pg_get_viewdef} prints for each.
 */
final class ViewCheck {
    static final String OBJECT = "view " + SeedObjects.VIEW;

    private final Connection c;
    private final CatalogProbe probe;

    ViewCheck(Connection c, CatalogProbe probe) {
        this.c = c;
        this.probe = probe;
    }

    Finding inspect() throws SQLException {
        String definition;
        try (PreparedStatement ps = c.prepareStatement("SELECT relkind::text, CASE WHEN relkind = 'v'"
                + " THEN pg_catalog.pg_get_viewdef(oid) END FROM pg_catalog.pg_class WHERE oid = to_regclass(?)")) {
            ps.setString(1, SeedObjects.VIEW);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return new Finding(OBJECT, Verdict.ABSENT, "is absent where the seed has it");
                }
                if (!"v".equals(rs.getString(1))) {
                    return new Finding(OBJECT, Verdict.CHANGED, "is no longer a plain view (relkind "
                            + rs.getString(1) + ") where the seed has one");
                }
                definition = rs.getString(2);
            }
        }
        if (definition.equals(probe.viewDefinition(SeedObjects.VIEW_COLUMNS, SeedObjects.VIEW_SEED_WHERE))) {
            return Finding.of(OBJECT, Verdict.SEED);
        }
        if (definition.equals(probe.viewDefinition(SeedObjects.VIEW_COLUMNS, SeedObjects.VIEW_FIXED_WHERE))) {
            return Finding.of(OBJECT, Verdict.FIXED);
        }
        if (tableHasPvesyncColumns() && definition.equals(probe.viewDefinition(withPvesyncColumns(),
                SeedObjects.VIEW_FIXED_WHERE))) {
            List<String> dependents = dependentViews();
            List<String> attached = attachments();
            if (dependents.isEmpty() && attached.isEmpty()) {
                return Finding.of(OBJECT, Verdict.DAMAGED_BY_OLD_V2);
            }
            String why = "shows pvesync's columns (" + String.join(", ", SeedObjects.PVESYNC_COLUMNS) + "), added by"
                    + " an earlier pvesync; taking them out means dropping and creating it again, and ";
            if (!dependents.isEmpty()) {
                why += String.join(", ", dependents) + " depend" + (dependents.size() == 1 ? "s" : "") + " on it: drop "
                        + (dependents.size() == 1 ? "it" : "them") + ", run migrate, then create "
                        + (dependents.size() == 1 ? "it" : "them") + " again";
            }
            if (!attached.isEmpty()) {
                // DROP VIEW without CASCADE silently takes these with it: never lose the owners' work
                why += (dependents.isEmpty() ? "" : "; and ") + "a drop would lose what the owners attached to it ("
                        + String.join(", ", attached) + "): remove " + (attached.size() == 1 ? "it" : "them")
                        + ", run migrate, then attach " + (attached.size() == 1 ? "it" : "them") + " again";
            }
            return new Finding(OBJECT, Verdict.BLOCKED, why);
        }
        List<String> columns = viewColumns();
        String difference = columns.equals(SeedObjects.VIEW_COLUMNS)
                ? "definition is not the seed's: " + definition.strip().replaceAll("\\s+", " ")
                : "columns are " + String.join(", ", columns) + " where the seed has "
                + String.join(", ", SeedObjects.VIEW_COLUMNS);
        return new Finding(OBJECT, Verdict.CHANGED, difference);
    }

    static List<String> withPvesyncColumns() {
        List<String> columns = new ArrayList<>(SeedObjects.VIEW_COLUMNS);
        columns.addAll(SeedObjects.PVESYNC_COLUMNS);
        return columns;
    }

    private boolean tableHasPvesyncColumns() throws SQLException {
        return columnsOf(SeedObjects.TABLE).containsAll(SeedObjects.PVESYNC_COLUMNS);
    }

    private List<String> viewColumns() throws SQLException {
        return columnsOf(SeedObjects.VIEW);
    }

    private List<String> columnsOf(String relation) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT attname FROM pg_catalog.pg_attribute WHERE attrelid"
                + " = ?::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum")) {
            ps.setString(1, relation);
            return strings(ps);
        }
    }

    /** Views (and materialized views) whose query reads this view: DROP VIEW would need CASCADE. */
    /** What DROP VIEW (without CASCADE) removes with the view itself, as the owners would name it. */
    private List<String> attachments() throws SQLException {
        String sql = "SELECT 'trigger ' || quote_ident(tgname) FROM pg_catalog.pg_trigger"
                + " WHERE tgrelid = ?::regclass AND NOT tgisinternal"
                + " UNION ALL SELECT 'rule ' || quote_ident(rulename) FROM pg_catalog.pg_rewrite"
                + " WHERE ev_class = ?::regclass AND rulename <> '_RETURN'"
                + " UNION ALL SELECT 'a default on column ' || quote_ident(a.attname) FROM pg_catalog.pg_attrdef d"
                + " JOIN pg_catalog.pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum"
                + " WHERE d.adrelid = ?::regclass"
                + " UNION ALL SELECT 'privileges on column ' || quote_ident(attname) FROM pg_catalog.pg_attribute"
                + " WHERE attrelid = ?::regclass AND attacl IS NOT NULL"
                + " UNION ALL SELECT 'a security label of ' || provider FROM pg_catalog.pg_seclabel"
                + " WHERE objoid = ?::regclass AND classoid = 'pg_catalog.pg_class'::regclass"
                + " ORDER BY 1";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 1; i <= 5; i++) {
                ps.setString(i, SeedObjects.VIEW);
            }
            return strings(ps);
        }
    }

    private List<String> dependentViews() throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT DISTINCT quote_ident(n.nspname) || '.' || quote_ident(dependent.relname)"
                + " FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_rewrite r ON r.oid = d.objid"
                + " JOIN pg_catalog.pg_class dependent ON dependent.oid = r.ev_class"
                + " JOIN pg_catalog.pg_namespace n ON n.oid = dependent.relnamespace"
                + " WHERE d.classid = 'pg_catalog.pg_rewrite'::regclass AND d.refclassid = 'pg_catalog.pg_class'::regclass"
                + " AND d.refobjid = ?::regclass AND dependent.oid <> d.refobjid ORDER BY 1")) {
            ps.setString(1, SeedObjects.VIEW);
            return strings(ps);
        }
    }

    private static List<String> strings(PreparedStatement ps) throws SQLException {
        List<String> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }
}
