package io.pvesync.store;

import static io.pvesync.store.Snap.vm;
import static org.assertj.core.api.Assertions.assertThat;

import io.pvesync.config.MissingPolicy;
import io.pvesync.inventory.ObservedVm;
import io.pvesync.inventory.VmStatus;
import io.pvesync.testing.TestDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A pass costs the same few statements for 20 VMs as for 2,000: never one round trip per VM. */
class VmStoreBatchTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    private static final ApplyOptions RECONCILE = new ApplyOptions(true, false, java.util.Set.of(),
            new MissingPolicy(Duration.ZERO, 0.10, 5));
    private static final ApplyOptions POLL = new ApplyOptions(false, false, java.util.Set.of(),
            new MissingPolicy(Duration.ZERO, 0.10, 5));

    private static Table table;
    private static CountingDataSource counting;
    private static VmStore store;

    @BeforeAll
    static void migrate() throws Exception {
        table = Table.migrated(db);
        counting = new CountingDataSource(db.daemonPool());
        store = new VmStore(counting.dataSource());
    }

    @Test
    void statementCountDoesNotGrowWithTheNumberOfVms() throws Exception {
        assertThat(twoPasses("small", 20)).isEqualTo(twoPasses("large", 2000));
    }

    /**
     * A first pass that inserts {@code n} VMs (RLS context, lock, read, insert), then one that does
     * every kind of write (plus a reconcile touch).
     *
     * @return the statements of each pass
     */
    private List<Integer> twoPasses(String cluster, int n) throws Exception {
        List<ObservedVm> first = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            first.add(vm(1000 + i, "pve" + (i % 4), "vm-" + i + " 'quoted'"));
        }
        counting.take();
        ApplyResult inserted = store.apply(Snap.of(cluster).vms(first).build(), RECONCILE);
        int insertStatements = counting.take();
        assertThat(inserted.inserted()).isEqualTo(n);
        table.age(cluster);

        // half unchanged, a quarter changed, a twentieth vanished (within the guard's 10%), the rest new
        List<ObservedVm> second = new ArrayList<>();
        int vanished = n / 20;
        for (int i = 0; i < n - vanished; i++) {
            ObservedVm vm = first.get(i);
            second.add(i < n / 2 ? vm : vm(vm.vmid(), vm.node(), vm.name(), VmStatus.STOPPED, 4, 4096, 64, null, null));
        }
        for (int i = 0; i < n / 5; i++) {
            second.add(vm(100_000 + i, "pve0", "new-" + i));
        }
        ApplyResult result = store.apply(Snap.of(cluster).vms(second).build(), RECONCILE);
        int mixedStatements = counting.take();

        assertThat(result.unchanged()).isEqualTo(n / 2);
        assertThat(result.updated()).isEqualTo(n - vanished - n / 2);
        assertThat(result.missing()).isEqualTo(vanished);
        assertThat(result.inserted()).isEqualTo(n / 5);
        assertThat(table.query("SELECT status, count(*) AS n FROM public.vms WHERE proxmox_cluster = ?"
                + " GROUP BY status ORDER BY status", cluster)).containsExactly(
                Map.of("status", "missing", "n", (long) vanished),
                Map.of("status", "running", "n", (long) (n / 2 + n / 5)),
                Map.of("status", "stopped", "n", (long) (n - vanished - n / 2)));
        return List.of(insertStatements, mixedStatements);
    }

    @Test
    void eachPassSendsOnlyItsFixedStatements() throws Exception {
        List<Integer> counts = twoPasses("exact", 40);
        // context, lock, read, nodes (drop gone, add new), insert, read back | context, lock, read, nodes
        // (a reconcile records them again), mark, update, insert, touch, read back
        assertThat(counts).containsExactly(7, 10);
        store.apply(Snap.of("exact").vm(vm(1000, "pve0", "vm-0 'quoted'")).build(),
                new ApplyOptions(false, true, java.util.Set.of(), MissingPolicy.DEFAULT));
        assertThat(counting.take()).as("a dry run reads and writes nothing").isEqualTo(3);
    }

    @Test
    void aPollOfTheRowsLastWrittenReadsNoRow() throws Exception {
        List<ObservedVm> vms = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            vms.add(vm(5000 + i, "pve0", "poll-" + i));
        }
        store.apply(Snap.of("polled").vms(vms).build(), POLL);
        counting.take();

        store.known("polled");
        assertThat(counting.take()).as("known: context, fingerprint").isEqualTo(2);
        ApplyResult unchanged = store.apply(Snap.of("polled").vms(vms).build(), POLL);
        assertThat(unchanged.unchanged()).isEqualTo(50);
        assertThat(counting.take()).as("apply: context, lock, fingerprint").isEqualTo(3);

        vms.set(7, vm(5007, "pve1", "poll-7"));
        ApplyResult moved = store.apply(Snap.of("polled").vms(vms).build(), POLL);
        assertThat(moved.updated()).isEqualTo(1);
        // pve1 is a node the cluster's listing did not show before: its nodes are recorded again
        assertThat(counting.take()).as("context, lock, fingerprint, nodes (2), update, read back").isEqualTo(7);
        assertThat(table.live("polled", 5007)).containsEntry("proxmox_node", "pve1");
    }
}
