package io.pvesync.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pvesync.testing.TestDatabase;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Pruning the change history by age (DESIGN.md 4.5, {@code history.retention}) as the daemon's role. */
class HistoryPrunerTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    private static Table table;

    @BeforeAll
    static void migrate() throws Exception {
        table = Table.migrated(db);
    }

    @BeforeEach
    void empty() throws Exception {
        table.update("TRUNCATE public.vm_changes");
    }

    @Test
    void changesOlderThanTheRetentionGoInBatchesAndYoungerOnesStay() throws Exception {
        history(7, "100 days");
        history(3, "89 days");
        history(2, "1 minute");

        HistoryPruner.Pruned pruned = new HistoryPruner(db.daemonPool(), Duration.ofSeconds(30), 3)
                .prune(Duration.ofDays(90), Duration.ofMinutes(1));

        assertThat(pruned).isEqualTo(new HistoryPruner.Pruned(7, 3, false));
        assertThat(ages()).containsExactly("1 minute", "1 minute", "89 days", "89 days", "89 days");
    }

    @Test
    void aRunStopsAtItsBudgetAndTheNextTakesTheRest() throws Exception {
        history(10, "200 days");
        HistoryPruner pruner = new HistoryPruner(db.daemonPool(), Duration.ofSeconds(30), 4);

        HistoryPruner.Pruned first = pruner.prune(Duration.ofDays(90), Duration.ZERO);
        assertThat(first).isEqualTo(new HistoryPruner.Pruned(4, 1, true));
        assertThat(ages()).hasSize(6);

        HistoryPruner.Pruned rest = pruner.prune(Duration.ofDays(90), Duration.ofMinutes(1));
        assertThat(rest).isEqualTo(new HistoryPruner.Pruned(6, 2, false));
        assertThat(ages()).isEmpty();
    }

    @Test
    void nothingOldEnoughDeletesNothing() throws Exception {
        history(5, "1 hour");

        assertThat(new HistoryPruner(db.daemonPool(), Duration.ofSeconds(30)).prune(Duration.ofDays(90), Duration.ofMinutes(1)))
                .isEqualTo(new HistoryPruner.Pruned(0, 1, false));
        assertThat(ages()).hasSize(5);
    }

    @Test
    void aRoleWithoutDeleteIsToldWhatToGrant() throws Exception {
        history(1, "100 days");
        table.update("REVOKE DELETE ON public.vm_changes FROM " + db.daemonUser());
        try {
            assertThatThrownBy(() -> new HistoryPruner(db.daemonPool(), Duration.ofSeconds(30))
                    .prune(Duration.ofDays(90), Duration.ofMinutes(1)))
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining("history.retention")
                    .hasMessageContaining("DELETE on public.vm_changes: run config/grants.sql");
        } finally {
            table.update("GRANT DELETE ON public.vm_changes TO " + db.daemonUser());
        }
        assertThat(ages()).hasSize(1);
    }

    private static void history(int n, String age) throws Exception {
        table.update("INSERT INTO public.vm_changes (vm_id, vmid, proxmox_cluster, changed_at, kind, changes)"
                + " SELECT g, 100 + g, 'lab', now() - ?::interval, 'updated', '{}'::jsonb FROM generate_series(1, ?) g",
                age, n);
    }

    /** Each change left, by its age as inserted, youngest first. */
    private static List<String> ages() throws Exception {
        return table.query("SELECT CASE WHEN changed_at > now() - interval '1 hour' THEN '1 minute'"
                + " WHEN changed_at > now() - interval '90 days' THEN '89 days' ELSE 'old' END AS age"
                + " FROM public.vm_changes ORDER BY changed_at DESC").stream().map(r -> (String) r.get("age")).toList();
    }
}
