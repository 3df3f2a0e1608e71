package io.pvesync.store;

import static io.pvesync.store.Snap.vm;
import static org.assertj.core.api.Assertions.assertThat;

import io.pvesync.config.MissingPolicy;
import io.pvesync.inventory.Snapshot;
import io.pvesync.inventory.VmStatus;
import io.pvesync.testing.TestDatabase;
import java.sql.Connection;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The rows {@link VmStore} keeps between passes ({@link LastWritten}): after every kind of write
 * they equal the table, and a write by anyone else (an out-of-band edit) is noticed by the next
 * pass, poll or reconcile, and repaired from a full read.
 */
class VmStoreLastWrittenTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    private static final MissingPolicy NO_GRACE = new MissingPolicy(Duration.ZERO, 0.10, 5);
    private static final ApplyOptions POLL = new ApplyOptions(false, false, java.util.Set.of(), NO_GRACE);
    private static final ApplyOptions RECONCILE = new ApplyOptions(true, false, java.util.Set.of(), NO_GRACE);

    private static Table table;

    @BeforeAll
    static void migrate() throws Exception {
        table = Table.migrated(db);
    }

    @Test
    void keptRowsEqualTheTableAfterEveryKindOfWrite() throws Exception {
        VmStore store = new VmStore(db.daemonPool());
        List<Snapshot> passes = List.of(
                // inserts
                Snap.of("kept").vm(vm(500, "pve1", "a", VmStatus.RUNNING, 2, 2048, 32, "10.0.0.1", "111"))
                        .vm(vm(501, "pve1", "b")).vm(vm(502, "pve2", "c")).vm(vm(503, "pve2", "d")).build(),
                // an update, a migration, a vanished VM (marked missing), a new one
                Snap.of("kept").vm(vm(500, "pve1", "a", VmStatus.STOPPED, 4, 2048, 32, null, "111"))
                        .vm(vm(501, "pve2", "b")).vm(vm(503, "pve2", "d")).vm(vm(504, "pve1", "e")).build(),
                // the missing VM comes back; the VMID 500 is reused by another VM (retire + insert)
                Snap.of("kept").vm(vm(500, "pve1", "other", VmStatus.RUNNING, 1, 1024, 8, null, "222"))
                        .vm(vm(501, "pve2", "b")).vm(vm(502, "pve2", "c")).vm(vm(503, "pve2", "d"))
                        .vm(vm(504, "pve1", "e")).build());
        for (Snapshot pass : passes) {
            store.apply(pass, POLL);
            assertKeptRowsEqualTheTable(store, "kept");
        }
        // the application orders a VM before it exists: its row is adopted by the next poll
        table.update("INSERT INTO public.vms (vmid, name, status, proxmox_node) VALUES (505, 'ordered', 'stopped', 'pve1')");
        ApplyResult adopted = store.apply(Snap.of("kept").vms(passes.get(2).vms()).vm(vm(505, "pve1", "ordered"))
                .build(), POLL);
        assertThat(adopted.updated()).isEqualTo(1);
        assertKeptRowsEqualTheTable(store, "kept");
        store.apply(passes.get(2), RECONCILE);
        assertKeptRowsEqualTheTable(store, "kept");
    }

    @Test
    void anOutOfBandEditIsRepairedByTheNextPoll() throws Exception {
        VmStore store = new VmStore(db.daemonPool());
        Snapshot snapshot = Snap.of("edited").vm(vm(510, "pve1", "web")).vm(vm(511, "pve1", "db")).build();
        store.apply(snapshot, POLL);
        assertThat(store.apply(snapshot, POLL).rowsWritten()).isZero();

        table.update("UPDATE public.vms SET status = 'stopped', memory_mb = 1 WHERE proxmox_cluster = 'edited'"
                + " AND vmid = 511");
        ApplyResult repaired = store.apply(snapshot, POLL);

        assertThat(repaired.updated()).isEqualTo(1);
        assertThat(table.live("edited", 511)).containsEntry("status", "running").containsEntry("memory_mb", 2048);
        assertThat(store.known("edited").get(511).status()).isEqualTo(VmStatus.RUNNING);
        assertKeptRowsEqualTheTable(store, "edited");
    }

    @Test
    void anOutOfBandEditIsRepairedByReconcile() throws Exception {
        VmStore store = new VmStore(db.daemonPool());
        Snapshot snapshot = Snap.of("recon").vm(vm(520, "pve1", "web")).build();
        store.apply(snapshot, POLL);
        table.update("UPDATE public.vms SET name = 'typo' WHERE proxmox_cluster = 'recon' AND vmid = 520");

        ApplyResult repaired = store.apply(snapshot, RECONCILE);

        assertThat(repaired.updated()).isEqualTo(1);
        assertThat(table.live("recon", 520)).containsEntry("name", "web");
        assertKeptRowsEqualTheTable(store, "recon");
    }

    @Test
    void anApplicationEditOfItsOwnColumnsWritesNothingAndIsKept() throws Exception {
        VmStore store = new VmStore(db.daemonPool());
        Snapshot snapshot = Snap.of("notes").vm(vm(530, "pve1", "web")).build();
        store.apply(snapshot, POLL);
        String fingerprint = store.lastWritten("notes").orElseThrow().fingerprint();
        table.update("UPDATE public.vms SET notes = 'billing: monthly' WHERE proxmox_cluster = 'notes'");

        ApplyResult again = store.apply(snapshot, POLL);

        assertThat(again.rowsWritten()).isZero();
        assertThat(store.lastWritten("notes").orElseThrow().fingerprint()).isNotEqualTo(fingerprint);
        assertKeptRowsEqualTheTable(store, "notes");
    }

    @Test
    void aFailedApplyForgetsTheKeptRows() throws Exception {
        VmStore store = new VmStore(db.daemonPool());
        store.apply(Snap.of("failed").vm(vm(540, "pve1", "web")).build(), POLL);
        assertThat(store.lastWritten("failed")).isPresent();
        table.update("ALTER TABLE public.vms ADD CONSTRAINT no_renames CHECK (name <> 'renamed')");
        try {
            org.assertj.core.api.Assertions.assertThatThrownBy(() ->
                    store.apply(Snap.of("failed").vm(vm(540, "pve1", "renamed")).build(), POLL))
                    .isInstanceOf(StoreException.class);
        } finally {
            table.update("ALTER TABLE public.vms DROP CONSTRAINT no_renames");
        }
        assertThat(store.lastWritten("failed")).isEmpty();
    }

    /** The kept rows, their xmins and their fingerprint are exactly the table's. */
    private static void assertKeptRowsEqualTheTable(VmStore store, String cluster) throws Exception {
        LastWritten kept = store.lastWritten(cluster).orElseThrow();
        Map<Integer, Long> xmins = new HashMap<>();
        try (Connection c = db.daemonConnection()) {
            c.setAutoCommit(false);
            RlsContext.admin(c);
            List<StoredRow> read = VmRows.forApply(c, cluster, xmins);
            Map<Integer, StoredRow> stored = read.stream().filter(r -> cluster.equals(r.cluster()))
                    .collect(Collectors.toMap(StoredRow::vmid, Function.identity()));
            assertThat(kept.rows()).isEqualTo(stored);
            assertThat(kept.unadopted()).containsExactlyInAnyOrderElementsOf(
                    read.stream().filter(r -> r.cluster() == null).toList());
            assertThat(kept.xmins()).isEqualTo(xmins);
            assertThat(kept.fingerprint()).isEqualTo(VmRows.fingerprint(c, cluster));
            c.rollback();
        }
    }
}
