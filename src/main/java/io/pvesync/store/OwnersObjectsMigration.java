package io.pvesync.store;

import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.migration.Context;
import org.flywaydb.core.api.migration.JavaMigration;

/**
 * Migration 5: the NULLIF fix (DESIGN.md 3.7) for the AccountDB's policies and view where they are
 * still the seed's, the repair of a view the old V2 widened, and a stop (or, told so, a warning) for
 * whatever the owners changed (DESIGN.md 3.8). Java rather than SQL because the verdict compares the
 * catalog with what PostgreSQL prints for the seed's definitions, and because the operator's choice
 * ({@link OwnerChanges}) must reach it. Runs in Flyway's transaction: all of it or nothing.
 */
final class OwnersObjectsMigration implements JavaMigration {
    static final MigrationVersion VERSION = MigrationVersion.fromVersion("5");

    private final OwnerChanges changes;

    OwnersObjectsMigration(OwnerChanges changes) {
        this.changes = changes;
    }

    @Override
    public MigrationVersion getVersion() {
        return VERSION;
    }

    @Override
    public String getDescription() {
        return "owners policies and view";
    }

    /** None: the migration's outcome depends on the database it meets, not on its text. */
    @Override
    public Integer getChecksum() {
        return null;
    }

    @Override
    public boolean canExecuteInTransaction() {
        return true;
    }

    @Override
    public void migrate(Context context) throws Exception {
        new OwnersObjects(context.getConnection()).migrate(changes);
    }
}
