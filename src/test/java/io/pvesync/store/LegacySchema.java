package io.pvesync.store;

import io.pvesync.testing.TestDatabase;
import org.flywaydb.core.Flyway;

/**
 * A database as the pvesync releases before the revision of V1 and V2 left it: their scripts as
 * shipped (git e50b5ca), kept under {@code src/test/resources/db/legacy}, applied by Flyway into the
 * same history table, so the recorded checksums are the old ones.
 */
final class LegacySchema {
    private LegacySchema() {
    }

    static void migrateWithTheOldScripts(TestDatabase db) {
        Flyway.configure(LegacySchema.class.getClassLoader())
                .dataSource(db.ownerPool())
                .schemas(Migrations.SCHEMA)
                .createSchemas(true)
                .locations("classpath:db/legacy")
                .loggers("slf4j")
                .target("4")
                .load()
                .migrate();
    }
}
