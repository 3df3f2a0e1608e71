package io.pvesync.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pvesync.testing.TestDatabase;
import org.flywaydb.core.api.MigrationVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The daemon reads the schema's version with its own, least-privileged role. */
class SchemaVersionTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    @Test
    void daemonRoleSeesPendingMigrationsAndIsToldToMigrate() throws Exception {
        assertThat(Migrations.pending(db.daemonPool())).containsExactly("1", "2", "3", "4", "5", "6", "7");

        Migrations.migrate(db.ownerPool(), MigrationVersion.fromVersion("1"));
        // the part of config/grants.sql that reading the version needs (the rest names later tables)
        try (java.sql.Connection c = db.ownerConnection(); java.sql.Statement st = c.createStatement()) {
            st.execute("GRANT USAGE ON SCHEMA pvesync TO " + db.daemonUser());
            st.execute("GRANT SELECT ON pvesync.flyway_schema_history TO " + db.daemonUser());
        }
        assertThat(Migrations.pending(db.daemonPool())).containsExactly("2", "3", "4", "5", "6", "7");
        assertThatThrownBy(() -> Migrations.requireCurrent(db.daemonPool()))
                .isInstanceOf(StoreException.class)
                .hasMessage("database schema is not current: migrations 2, 3, 4, 5, 6, 7 pending; run `pvesync migrate`"
                        + " (as the owner of public.vms)");

        assertThat(Migrations.migrate(db.ownerPool())).containsExactly("2", "3", "4", "5", "6", "7");
        assertThat(Migrations.pending(db.daemonPool())).isEmpty();
        assertThatCode(() -> Migrations.requireCurrent(db.daemonPool())).doesNotThrowAnyException();
    }
}
