package io.pvesync.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import javax.sql.DataSource;

/**
 * Migration 5's verdict, asked before Flyway applies anything: on an AccountDB never migrated,
 * V1 to V4 would otherwise be applied before V5 stops at a policy the owners changed. Runs in a
 * transaction that is always rolled back (the catalog probe creates and drops objects). V5 asks
 * again inside its own transaction, which is what counts if anything changed in between.
 */
final class OwnersObjectsPreflight {
    private OwnersObjectsPreflight() {
    }

    static void check(DataSource owner, OwnerChanges changes) {
        try (Connection c = owner.getConnection()) {
            c.setAutoCommit(false);
            try {
                if (!tableExists(c)) {
                    return; // an empty database: V1 creates everything as it should be
                }
                try (Statement st = c.createStatement()) {
                    st.execute("CREATE SCHEMA IF NOT EXISTS " + Migrations.SCHEMA); // for the probe, rolled back
                }
                List<Finding> findings = new OwnersObjects(c).inspect().stream()
                        // absent before V1 ran: V1 creates it; absent after: V5 itself says so
                        .filter(f -> f.verdict() != Finding.Verdict.ABSENT)
                        .toList();
                OwnersObjects.refuse(findings, changes, "nothing was applied");
            } finally {
                c.rollback();
            }
        } catch (SQLException e) {
            throw new StoreException("schema " + Migrations.SCHEMA + ": cannot compare the AccountDB's policies and"
                    + " view with the seed's: " + e.getMessage(), e);
        }
    }

    private static boolean tableExists(Connection c) throws SQLException {
        try (Statement st = c.createStatement();
                var rs = st.executeQuery("SELECT to_regclass('" + SeedObjects.TABLE + "') IS NOT NULL")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }
}
