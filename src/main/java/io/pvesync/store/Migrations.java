package io.pvesync.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.configuration.FluentConfiguration;

/**
 * The schema pvesync needs: Flyway migrations from {@code classpath:db/migration}, with the history
 * table {@code pvesync.flyway_schema_history} in the daemon's own schema, plus migration 5
 * ({@link OwnersObjectsMigration}), Java because it compares the owners' policies and view with the
 * seed's and takes the operator's {@link OwnerChanges} choice.
 *
 * <p>{@link #migrate} runs as the tables' owner ({@code pvesync migrate}); {@link #pending} and
 * {@link #requireCurrent} only read the history table, so the daemon's role needs no more than
 * {@code USAGE} on schema {@code pvesync} and {@code SELECT} on the history table.
 */
public final class Migrations {
    /** The schema that holds the history table (and the daemon's other tables). */
    public static final String SCHEMA = "pvesync";
    private static final String LOCATION = "classpath:db/migration";

    private Migrations() {
    }

    /**
     * Applies every pending migration, each in its own transaction, and stops before applying
     * anything where the AccountDB's owners changed a policy or the view (DESIGN.md 3.8).
     *
     * @return the versions applied now, oldest first; empty when the schema was already current
     * @throws StoreException when a migration fails (that migration is rolled back)
     */
    public static List<String> migrate(DataSource owner) {
        return migrate(owner, OwnerChanges.STOP);
    }

    /**
     * Applies every pending migration; {@code changes} says what to do with a policy or view of the
     * AccountDB that its owners changed from the seed's definition.
     *
     * @throws StoreException when a migration fails (that migration is rolled back), or, with
     *                        {@link OwnerChanges#STOP}, naming each changed object before anything is applied
     */
    public static List<String> migrate(DataSource owner, OwnerChanges changes) {
        return migrate(owner, MigrationVersion.LATEST, changes);
    }

    /** Migrates up to {@code target} only: lets tests build a schema that is one version behind. */
    static List<String> migrate(DataSource owner, MigrationVersion target) {
        return migrate(owner, target, OwnerChanges.STOP);
    }

    private static List<String> migrate(DataSource owner, MigrationVersion target, OwnerChanges changes) {
        try {
            Flyway flyway = flyway(owner, changes).target(target).load();
            if (Arrays.stream(flyway.info().pending()).anyMatch(m -> OwnersObjectsMigration.VERSION.equals(m.getVersion()))) {
                OwnersObjectsPreflight.check(owner, changes);
            }
            LegacyChecksums.realign(flyway, owner);
            return flyway.migrate().migrations.stream()
                    .map(m -> m.version)
                    .toList();
        } catch (FlywayException e) {
            // a refusal of migration 5 is already a message for the operator; Flyway's report around it is not
            Optional<StoreException> refusal = cause(e, StoreException.class);
            String detail = refusal.map(Throwable::getMessage).orElse(e.getMessage());
            throw new StoreException("schema " + SCHEMA + ": migration failed: " + detail, e);
        }
    }

    private static <T extends Throwable> Optional<T> cause(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return Optional.of(type.cast(t));
            }
        }
        return Optional.empty();
    }

    /**
     * The versions this build would still apply, oldest first: empty when the schema is current.
     * Reads only the history table (absent history table: every version is pending).
     *
     * @throws StoreException when the database cannot be read; a refused privilege is named
     */
    public static List<String> pending(DataSource ds) {
        try {
            return Arrays.stream(flyway(ds, OwnerChanges.STOP).load().info().pending())
                    .map(MigrationInfo::getVersion)
                    .map(MigrationVersion::getVersion)
                    .toList();
        } catch (FlywayException e) {
            // Flyway's own text is a multi-line report; for a missing grant the driver's line and
            // the grant to add say it all
            Optional<SQLException> denied = Grants.denial(e);
            String detail = denied.isPresent()
                    ? denied.get().getMessage().lines().findFirst().orElse("") + missingGrants(ds) : e.getMessage();
            throw new StoreException("schema " + SCHEMA + ": cannot read the migration history: " + detail, e);
        }
    }

    private static String missingGrants(DataSource ds) {
        try (Connection c = ds.getConnection()) {
            return Grants.hint(c);
        } catch (SQLException e) {
            return "";
        }
    }

    /**
     * Refuses to go on against an outdated schema: the daemon's writes rely on the latest columns,
     * policies and indexes.
     *
     * @throws StoreException naming the pending versions and the command that applies them
     */
    public static void requireCurrent(DataSource ds) {
        List<String> pending = pending(ds);
        if (!pending.isEmpty()) {
            throw new StoreException("database schema is not current: migration" + (pending.size() == 1 ? " " : "s ")
                    + String.join(", ", pending) + " pending; run `pvesync migrate` (as the owner of public.vms)");
        }
    }

    private static FluentConfiguration flyway(DataSource ds, OwnerChanges changes) {
        return Flyway.configure(Migrations.class.getClassLoader())
                .dataSource(ds)
                .schemas(SCHEMA)
                .createSchemas(true)
                .locations(LOCATION)
                // an instance, not a class on the classpath: the operator's choice must reach it
                .javaMigrations(new OwnersObjectsMigration(changes))
                .loggers("slf4j")
                // the AccountDB holds the application's data: never let anything drop it
                .cleanDisabled(true);
    }
}
