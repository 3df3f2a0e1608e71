package io.pvesync.testing;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * SQL on a {@link TestDatabase} as its owner, past row-level security: the test's own eyes on the
 * tables the daemon writes. Each statement runs on a connection of its own, in auto-commit.
 */
public final class OwnerSql {
    private final TestDatabase db;

    public OwnerSql(TestDatabase db) {
        this.db = db;
    }

    /** The rows as column-label-to-value maps, in the order the query gives them. */
    public List<Map<String, Object>> query(String sql, Object... params) throws SQLException {
        try (Connection c = db.ownerConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, params);
            List<Map<String, Object>> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                ResultSetMetaData md = rs.getMetaData();
                while (rs.next()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    for (int i = 1; i <= md.getColumnCount(); i++) {
                        Object value = rs.getObject(i);
                        // timestamptz as OffsetDateTime: comparable to java.time values and with equals,
                        // exact to the microsecond
                        row.put(md.getColumnLabel(i), value instanceof Timestamp
                                ? rs.getObject(i, OffsetDateTime.class) : value);
                    }
                    out.add(row);
                }
            }
            return out;
        }
    }

    /** Runs a statement that returns no rows (INSERT, UPDATE, TRUNCATE...); the rows it touched. */
    public int update(String sql, Object... params) throws SQLException {
        try (Connection c = db.ownerConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, params);
            return ps.executeUpdate();
        }
    }

    private static void bind(PreparedStatement ps, Object[] params) throws SQLException {
        for (int i = 0; i < params.length; i++) {
            ps.setObject(i + 1, params[i]);
        }
    }
}
