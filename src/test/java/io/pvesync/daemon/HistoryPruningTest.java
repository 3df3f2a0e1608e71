package io.pvesync.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvesync.config.HistoryConfig;
import io.pvesync.schedule.PassListener;
import io.pvesync.store.HistoryPruner;
import io.pvesync.store.Migrations;
import io.pvesync.sync.SyncMode;
import io.pvesync.sync.SyncOutcome;
import io.pvesync.testing.OwnerSql;
import io.pvesync.testing.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The daemon prunes the change history after each reconcile pass, never after a poll, never with retention 0. */
class HistoryPruningTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    private static OwnerSql owner;

    @BeforeAll
    static void migrate() throws Exception {
        Migrations.migrate(db.ownerPool());
        db.grantDaemon();
        owner = new OwnerSql(db);
    }

    @Test
    void aReconcilePrunesAndAPollDoesNot() throws Exception {
        owner.update("TRUNCATE public.vm_changes");
        owner.update("INSERT INTO public.vm_changes (vm_id, vmid, proxmox_cluster, changed_at, kind, changes)"
                + " VALUES (1, 100, 'lab', now() - interval '100 days', 'updated', '{}'),"
                + " (1, 100, 'lab', now() - interval '1 day', 'updated', '{}')");
        HistoryPruning pruning = HistoryPruning.of(HistoryConfig.DEFAULT,
                new HistoryPruner(db.daemonPool(), Duration.ofSeconds(30))).orElseThrow();
        try (pruning) {
            PassListener listener = pruning.after(PassListener.NONE);

            listener.finished(outcome(SyncMode.POLL));
            pruning.lastRun().get(30, TimeUnit.SECONDS);
            assertThat(left()).as("a poll prunes nothing").isEqualTo(2);

            listener.finished(outcome(SyncMode.RECONCILE));
            pruning.lastRun().get(30, TimeUnit.SECONDS);
            assertThat(left()).as("the 100-day-old change is gone, the day-old one stays").isEqualTo(1);
        }
    }

    @Test
    void retentionZeroKeepsEveryChange() {
        assertThat(HistoryPruning.of(new HistoryConfig(Duration.ZERO),
                new HistoryPruner(db.daemonPool(), Duration.ofSeconds(30)))).isEmpty();
    }

    private static SyncOutcome outcome(SyncMode mode) {
        return SyncOutcome.failed("lab", mode, Instant.now(), Duration.ofMillis(5), "a pass's result does not matter here");
    }

    private static long left() throws Exception {
        return (Long) owner.query("SELECT count(*) AS n FROM public.vm_changes").get(0).get("n");
    }
}
