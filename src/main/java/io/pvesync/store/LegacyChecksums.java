package io.pvesync.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Map;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * V1 and V2 were revised after release: they used to replace the owners' policies and view (and V2
 * widened the view with pvesync's columns), which V5 now does only where the owners left them as the
 * seed has them. A database migrated by the old scripts records their checksums, and Flyway's
 * validation would refuse every later migrate. Rather than switching validation off (it guards
 * against any other edited script), the recorded checksum is realigned for exactly these two
 * versions and only where it is the old script's as shipped; V5 then repairs what the old scripts did.
 */
final class LegacyChecksums {
    private static final Logger log = LoggerFactory.getLogger(LegacyChecksums.class);

    /** Flyway's checksums of V1 and V2 as shipped before the revision (git e50b5ca). */
    private static final Map<String, Integer> SHIPPED = Map.of("1", -975933730, "2", 164109274);

    private LegacyChecksums() {
    }

    static void realign(Flyway flyway, DataSource owner) {
        for (MigrationInfo m : flyway.info().applied()) {
            if (m.getVersion() == null) {
                continue;
            }
            Integer shipped = SHIPPED.get(m.getVersion().getVersion());
            Integer revised = m.getResolvedChecksum();
            if (shipped != null && shipped.equals(m.getAppliedChecksum()) && revised != null && !revised.equals(shipped)) {
                update(owner, m.getVersion().getVersion(), shipped, revised);
                log.info("schema {} - migration {} was applied by an earlier pvesync; its recorded checksum now"
                        + " names the revised script (migration 5 undoes what the old one did to the owners' view)",
                        Migrations.SCHEMA, m.getVersion());
            }
        }
    }

    private static void update(DataSource owner, String version, int shipped, int revised) {
        try (Connection c = owner.getConnection(); PreparedStatement ps = c.prepareStatement("UPDATE "
                + Migrations.SCHEMA + ".flyway_schema_history SET checksum = ? WHERE version = ? AND checksum = ?")) {
            ps.setInt(1, revised);
            ps.setString(2, version);
            ps.setInt(3, shipped);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new StoreException("schema " + Migrations.SCHEMA + ": cannot realign the checksum of migration "
                    + version + " in flyway_schema_history: " + e.getMessage(), e);
        }
    }
}
