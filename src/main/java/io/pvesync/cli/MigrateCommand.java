package io.pvesync.cli;

import com.zaxxer.hikari.HikariDataSource;
import io.pvesync.config.PvesyncConfig;
import io.pvesync.store.Database;
import io.pvesync.store.Migrations;
import io.pvesync.store.OwnerChanges;
import java.io.PrintStream;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code pvesync migrate --config FILE [--keep-owner-changes]}: applies the migrations as the owner
 * account and exits. It stops at a policy or view of the AccountDB that its owners changed, unless
 * {@code --keep-owner-changes} says to leave such objects exactly as they are.
 */
final class MigrateCommand {
    static final String KEEP_OWNER_CHANGES = "--keep-owner-changes";
    private final PrintStream out;
    private final PrintStream err;

    MigrateCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    int run(List<String> rest) throws UsageException {
        Arguments args = Arguments.parse("migrate", rest, Set.of("--config"), Set.of(KEEP_OWNER_CHANGES));
        Optional<PvesyncConfig> loaded = ConfigFile.load(args, err);
        if (loaded.isEmpty()) {
            return ExitCode.USAGE;
        }
        PvesyncConfig config = loaded.get();
        try (HikariDataSource pool = Database.openForMigration(config.database(), "pvesync-migrate")) {
            List<String> applied = Migrations.migrate(pool,
                    args.flag(KEEP_OWNER_CHANGES) ? OwnerChanges.KEEP : OwnerChanges.STOP);
            out.println("database: " + (applied.isEmpty() ? "schema already current, nothing applied"
                    : "applied migration(s) " + String.join(", ", applied)));
            return ExitCode.OK;
        } catch (RuntimeException e) {
            err.println(DatabaseErrors.describe(config.database(), e));
            return ExitCode.FAILED;
        }
    }
}
