package io.pvesync.store;

import static io.pvesync.store.Snap.vm;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.pvesync.config.MissingPolicy;
import io.pvesync.inventory.KnownVm;
import io.pvesync.inventory.NodeState;
import io.pvesync.inventory.VmStatus;
import io.pvesync.store.VmChange.Kind;
import io.pvesync.testing.TestDatabase;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link VmStore} against real PostgreSQL, as the daemon's role under row-level security. Every
 * test uses its own cluster name and VMIDs, so the tests of this class share one database.
 */
class VmStoreTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    private static final MissingPolicy NO_GRACE = new MissingPolicy(Duration.ZERO, 0.10, 5);
    private static final ApplyOptions POLL = new ApplyOptions(false, false, java.util.Set.of(), NO_GRACE);
    private static final ApplyOptions RECONCILE = new ApplyOptions(true, false, java.util.Set.of(), NO_GRACE);
    private static final ApplyOptions DRY_RUN = new ApplyOptions(false, true, java.util.Set.of(), NO_GRACE);

    private static Table table;
    private static VmStore store;

    @BeforeAll
    static void migrate() throws Exception {
        table = Table.migrated(db);
        store = new VmStore(db.daemonPool());
    }

    @Test
    void firstSyncInsertsEveryVmWithoutOwner() throws Exception {
        ApplyResult result = store.apply(Snap.of("first")
                .vm(vm(100, "pve1", "web", VmStatus.RUNNING, 2, 2048, 32, "10.0.0.5", "1700000000"))
                .vm(vm(101, "pve2", "db", VmStatus.STOPPED, null, null, null, null, null))
                .build(), POLL);

        assertThat(result.inserted()).isEqualTo(2);
        assertThat(result.rowsWritten()).isEqualTo(2);
        assertThat(result.changes()).containsExactly(
                new VmChange(100, Kind.INSERT, "name \"web\", status running, ip_address 10.0.0.5, cpu_cores 2,"
                        + " memory_mb 2048, disk_gb 32, proxmox_node pve1, incarnation 1700000000"),
                new VmChange(101, Kind.INSERT, "name \"db\", status stopped, proxmox_node pve2"));
        Map<String, Object> web = table.live("first", 100);
        assertThat(web).containsEntry("name", "web").containsEntry("status", "running")
                .containsEntry("ip_address", "10.0.0.5").containsEntry("cpu_cores", 2)
                .containsEntry("memory_mb", 2048).containsEntry("disk_gb", 32).containsEntry("proxmox_node", "pve1")
                .containsEntry("incarnation", "1700000000").containsEntry("owner_id", null)
                .containsEntry("notes", null).containsEntry("template_id", null).containsEntry("retired_at", null);
        assertThat(web.get("last_seen_at")).isNotNull().isEqualTo(web.get("updated_at")).isEqualTo(web.get("created_at"));
        assertThat(table.live("first", 101)).containsEntry("cpu_cores", null).containsEntry("status", "stopped");
    }

    @Test
    void unchangedPassWritesNoRow() throws Exception {
        var snapshot = Snap.of("same").vm(vm(110, "pve1", "a")).vm(vm(111, "pve1", "b")).build();
        store.apply(snapshot, POLL);
        Map<Integer, String> versions = table.versions("same");
        List<Map<String, Object>> rows = table.query("SELECT * FROM public.vms WHERE proxmox_cluster = 'same' ORDER BY id");

        ApplyResult again = store.apply(snapshot, POLL);

        assertThat(again).isEqualTo(new ApplyResult(0, 0, 2, 0, 0, Optional.empty(), List.of()));
        assertThat(table.versions("same")).isEqualTo(versions);
        assertThat(table.query("SELECT * FROM public.vms WHERE proxmox_cluster = 'same' ORDER BY id")).isEqualTo(rows);
    }

    @Test
    void oneChangedFieldUpdatesExactlyOneRow() throws Exception {
        store.apply(Snap.of("one").vm(vm(120, "pve1", "a")).vm(vm(121, "pve1", "b")).vm(vm(122, "pve1", "c")).build(), POLL);
        Map<Integer, String> versions = table.versions("one");
        Object updatedBefore = table.live("one", 121).get("updated_at");

        ApplyResult result = store.apply(Snap.of("one").vm(vm(120, "pve1", "a"))
                .vm(vm(121, "pve1", "b", VmStatus.STOPPED, 2, 4096, 32, null, null)).vm(vm(122, "pve1", "c")).build(), POLL);

        assertThat(result.updated()).isEqualTo(1);
        assertThat(result.unchanged()).isEqualTo(2);
        assertThat(result.changes()).containsExactly(
                new VmChange(121, Kind.UPDATE, "status running -> stopped, memory_mb 2048 -> 4096"));
        Map<Integer, String> after = table.versions("one");
        int changedId = (Integer) table.live("one", 121).get("id");
        assertThat(after.keySet()).isEqualTo(versions.keySet());
        versions.forEach((id, version) -> {
            if (id == changedId) {
                assertThat(after.get(id)).isNotEqualTo(version);
            } else {
                assertThat(after.get(id)).isEqualTo(version);
            }
        });
        Map<String, Object> row = table.live("one", 121);
        assertThat(row).containsEntry("status", "stopped").containsEntry("memory_mb", 4096);
        assertThat((OffsetDateTime) row.get("updated_at")).isAfter((OffsetDateTime) updatedBefore);
        assertThat(row.get("last_seen_at")).isEqualTo(row.get("updated_at"));
    }

    @Test
    void applicationColumnsSurviveUpdates() throws Exception {
        store.apply(Snap.of("app").vm(vm(130, "pve1", "web")).build(), POLL);
        table.update("INSERT INTO public.users (username) VALUES ('app-owner')");
        table.update("UPDATE public.vms SET owner_id = (SELECT id FROM public.users WHERE username = 'app-owner'),"
                + " notes = 'billing: monthly', template_id = 9000, created_at = '2024-01-01T00:00:00Z'"
                + " WHERE proxmox_cluster = 'app' AND vmid = 130");
        Map<String, Object> before = table.live("app", 130);

        store.apply(Snap.of("app").vm(vm(130, "pve2", "web-renamed", VmStatus.PAUSED, 8, 1024, 10, "10.1.1.1", "x"))
                .build(), POLL);

        Map<String, Object> after = table.live("app", 130);
        assertThat(after).containsEntry("name", "web-renamed").containsEntry("proxmox_node", "pve2")
                .containsEntry("owner_id", before.get("owner_id")).containsEntry("notes", "billing: monthly")
                .containsEntry("template_id", 9000).containsEntry("created_at", before.get("created_at"));
        assertThat(before.get("owner_id")).isNotNull();
    }

    @Test
    void applicationInsertedRowIsAdoptedNotDuplicated() throws Exception {
        table.update("INSERT INTO public.users (username) VALUES ('adopter')");
        table.update("INSERT INTO public.vms (vmid, name, status, proxmox_node, owner_id, notes) VALUES"
                + " (140, 'ordered', 'stopped', 'pve1', (SELECT id FROM public.users WHERE username = 'adopter'),"
                + " 'ordered via shop')");
        int appRowId = (Integer) table.query("SELECT id FROM public.vms WHERE vmid = 140").get(0).get("id");

        ApplyResult result = store.apply(Snap.of("adopt").vm(vm(140, "pve1", "ordered")).build(), POLL);

        assertThat(result.inserted()).isZero();
        assertThat(result.updated()).isEqualTo(1);
        assertThat(result.changes()).containsExactly(new VmChange(140, Kind.ADOPT, "row id " + appRowId
                + ": proxmox_cluster NULL -> adopt, status stopped -> running, cpu_cores NULL -> 2,"
                + " memory_mb NULL -> 2048, disk_gb NULL -> 32"));
        assertThat(table.query("SELECT id FROM public.vms WHERE vmid = 140")).hasSize(1);
        assertThat(table.live("adopt", 140)).containsEntry("id", appRowId).containsEntry("notes", "ordered via shop")
                .containsEntry("status", "running");
        assertThat(table.live("adopt", 140).get("owner_id")).isNotNull();
    }

    @Test
    void rowOnANodeOutsideTheClusterIsNotAdoptedWhenSeveralClustersExist() throws Exception {
        table.update("INSERT INTO public.vms (vmid, name, proxmox_node) VALUES (145, 'elsewhere', 'other-pve')");

        ApplyResult result = store.apply(Snap.of("strict").vm(vm(145, "pve1", "new")).build(),
                new ApplyOptions(false, false, java.util.Set.of("other"), NO_GRACE));

        assertThat(result.inserted()).isEqualTo(1);
        assertThat(table.query("SELECT coalesce(proxmox_cluster, '(none)') || ' ' || name AS r FROM public.vms"
                + " WHERE vmid = 145 ORDER BY id")).extracting(r -> r.get("r")).containsExactly("(none) elsewhere", "strict new");
    }

    @Test
    void soleClusterAdoptsARowWithoutNode() throws Exception {
        table.update("INSERT INTO public.vms (vmid, name) VALUES (146, 'from the shop')");

        ApplyResult result = store.apply(Snap.of("sole").vm(vm(146, "pve1", "shop-vm")).build(),
                new ApplyOptions(false, false, java.util.Set.of(), NO_GRACE));

        assertThat(result.changes()).extracting(VmChange::kind).containsExactly(Kind.ADOPT);
        assertThat(table.query("SELECT proxmox_cluster FROM public.vms WHERE vmid = 146"))
                .containsExactly(Map.of("proxmox_cluster", "sole"));
    }

    @Test
    void migratedVmKeepsOneRow() throws Exception {
        store.apply(Snap.of("migrate").vm(vm(150, "pve1", "mover")).build(), POLL);
        Object id = table.live("migrate", 150).get("id");

        ApplyResult result = store.apply(Snap.of("migrate").vm(vm(150, "pve2", "mover")).node("pve1", NodeState.ONLINE)
                .build(), POLL);

        assertThat(result.changes()).containsExactly(new VmChange(150, Kind.UPDATE, "proxmox_node pve1 -> pve2"));
        assertThat(table.rows("migrate", 150)).hasSize(1);
        assertThat(table.live("migrate", 150)).containsEntry("id", id).containsEntry("proxmox_node", "pve2");
    }

    @Test
    void reusedVmidRetiresTheOldRowWithItsOwnerAndStartsANewOne() throws Exception {
        store.apply(Snap.of("reuse").vm(vm(160, "pve1", "old", VmStatus.RUNNING, 2, 2048, 32, null, "111")).build(), POLL);
        table.update("INSERT INTO public.users (username) VALUES ('first-customer')");
        table.update("UPDATE public.vms SET owner_id = (SELECT id FROM public.users WHERE username = 'first-customer'),"
                + " notes = 'first customer' WHERE proxmox_cluster = 'reuse'");
        Map<String, Object> old = table.live("reuse", 160);

        ApplyResult result = store.apply(Snap.of("reuse")
                .vm(vm(160, "pve1", "new", VmStatus.RUNNING, 2, 2048, 32, null, "222")).build(), POLL);

        assertThat(result.missing()).isEqualTo(1);
        assertThat(result.inserted()).isEqualTo(1);
        assertThat(result.changes()).containsExactly(
                new VmChange(160, Kind.RETIRE, "row id " + old.get("id") + " kept for its owner: incarnation 111 -> 222"
                        + " (VMID reused), status running -> missing"),
                new VmChange(160, Kind.INSERT, "name \"new\", status running, cpu_cores 2, memory_mb 2048, disk_gb 32,"
                        + " proxmox_node pve1, incarnation 222"));
        List<Map<String, Object>> rows = table.rows("reuse", 160);
        assertThat(rows).hasSize(2);
        assertThat(rows.get(0)).containsEntry("id", old.get("id")).containsEntry("status", "missing")
                .containsEntry("owner_id", old.get("owner_id")).containsEntry("notes", "first customer")
                .containsEntry("name", "old").containsEntry("incarnation", "111");
        assertThat(rows.get(0).get("retired_at")).isNotNull();
        assertThat(rows.get(1)).containsEntry("owner_id", null).containsEntry("notes", null)
                .containsEntry("name", "new").containsEntry("incarnation", "222").containsEntry("status", "running")
                .containsEntry("retired_at", null);
        assertThat(store.known("reuse")).containsOnlyKeys(160);
        assertThat(store.known("reuse").get(160).incarnation()).isEqualTo("222");
    }

    @Test
    void firstIncarnationMarkerIsStoredOnTheSameRow() throws Exception {
        store.apply(Snap.of("marker").vm(vm(165, "pve1", "vm")).build(), POLL);
        Object id = table.live("marker", 165).get("id");

        ApplyResult result = store.apply(Snap.of("marker")
                .vm(vm(165, "pve1", "vm", VmStatus.RUNNING, 2, 2048, 32, null, "abc")).build(), POLL);

        assertThat(result.changes()).containsExactly(new VmChange(165, Kind.UPDATE, "incarnation NULL -> abc"));
        assertThat(table.rows("marker", 165)).hasSize(1);
        assertThat(table.live("marker", 165)).containsEntry("id", id).containsEntry("incarnation", "abc");
    }

    @Test
    void reconcileRefreshesLastSeenWithoutTouchingUpdatedAt() throws Exception {
        var snapshot = Snap.of("reconcile").vm(vm(220, "pve1", "a")).build();
        store.apply(snapshot, POLL);
        table.update("UPDATE public.vms SET last_seen_at = '2020-01-01T00:00:00Z', updated_at = '2021-01-01T00:00:00Z'"
                + " WHERE proxmox_cluster = 'reconcile'");
        Map<Integer, String> versions = table.versions("reconcile");

        store.apply(snapshot, POLL);
        assertThat(table.versions("reconcile")).as("a poll does not refresh last_seen_at").isEqualTo(versions);

        ApplyResult result = store.apply(snapshot, RECONCILE);

        assertThat(result).isEqualTo(new ApplyResult(0, 0, 1, 0, 0, Optional.empty(), List.of()));
        Map<String, Object> row = table.live("reconcile", 220);
        assertThat(row.get("updated_at")).isEqualTo(OffsetDateTime.parse("2021-01-01T00:00:00Z"));
        assertThat((OffsetDateTime) row.get("last_seen_at")).isAfter(OffsetDateTime.now().minusHours(1));
    }

    @Test
    void dryRunWritesNothingButReportsTheChanges() throws Exception {
        store.apply(Snap.of("dry").vm(vm(230, "pve1", "a")).vm(vm(231, "pve1", "b")).build(), POLL);
        table.age("dry");
        Map<Integer, String> versions = table.versions("dry");

        ApplyResult result = store.apply(Snap.of("dry").vm(vm(230, "pve1", "a2")).vm(vm(232, "pve1", "c")).build(),
                DRY_RUN);

        assertThat(result.inserted()).isEqualTo(1);
        assertThat(result.updated()).isEqualTo(1);
        assertThat(result.missing()).isEqualTo(1);
        assertThat(result.changes()).containsExactly(
                new VmChange(230, Kind.UPDATE, "name \"a\" -> \"a2\""),
                new VmChange(232, Kind.INSERT, "name \"c\", status running, cpu_cores 2, memory_mb 2048, disk_gb 32,"
                        + " proxmox_node pve1"),
                new VmChange(231, Kind.MISSING, "status running -> missing (absent from the listing while its node pve1"
                        + " was online)"));
        assertThat(table.versions("dry")).isEqualTo(versions);
    }

    @Test
    void failedAddressLookupKeepsTheKnownAddress() throws Exception {
        store.apply(Snap.of("ip").vm(vm(240, "pve1", "a", VmStatus.RUNNING, 2, 2048, 32, "192.0.2.7", null)).build(), POLL);
        Map<Integer, String> versions = table.versions("ip");

        ApplyResult result = store.apply(Snap.of("ip").vm(vm(240, "pve1", "a")).build(), POLL);

        assertThat(result.unchanged()).isEqualTo(1);
        assertThat(table.versions("ip")).isEqualTo(versions);
        assertThat(table.live("ip", 240)).containsEntry("ip_address", "192.0.2.7");
    }

    @Test
    void unknownSizesKeepTheStoredValues() throws Exception {
        store.apply(Snap.of("sizes").vm(vm(245, "pve1", "a")).build(), POLL);

        ApplyResult result = store.apply(Snap.of("sizes")
                .vm(vm(245, "pve1", "a", VmStatus.STOPPED, null, null, null, null, null)).build(), POLL);

        assertThat(result.changes()).containsExactly(new VmChange(245, Kind.UPDATE, "status running -> stopped"));
        assertThat(table.live("sizes", 245)).containsEntry("cpu_cores", 2).containsEntry("memory_mb", 2048)
                .containsEntry("disk_gb", 32);
    }

    @Test
    void nameWithQuotesBackslashesAndUnicodeRoundTrips() throws Exception {
        String name = "O'Brien \"prod\" \\ \\\\n ünïcødé 🚀 日本; DROP TABLE public.vms; --";
        var snapshot = Snap.of("names").vm(vm(250, "pve1", name)).build();

        store.apply(snapshot, POLL);

        assertThat(table.live("names", 250)).containsEntry("name", name);
        assertThat(store.known("names").get(250).name()).isEqualTo(name);
        assertThat(store.apply(snapshot, POLL).unchanged()).isEqualTo(1);
    }

    @Test
    void oneOddVmDoesNotFailTheBatch() throws Exception {
        String longName = "x".repeat(90) + "🚀".repeat(20);
        ApplyResult result = store.apply(Snap.of("odd").vm(vm(255, "pve1", longName + "\0"))
                .vm(vm(256, "pve1", "fine", VmStatus.RUNNING, 2, 2048, 32, "2001:db8::1".repeat(5), null)).build(), POLL);

        assertThat(result.inserted()).isEqualTo(2);
        assertThat(table.live("odd", 255)).containsEntry("name", "x".repeat(90) + "🚀".repeat(10));
        assertThat(table.live("odd", 256)).containsEntry("ip_address", null);
    }

    @Test
    void knownListsTheLiveRowsOfOneCluster() throws Exception {
        store.apply(Snap.of("known").vm(vm(260, "pve1", "a", VmStatus.STOPPED, 1, 512, 8, "10.9.9.9", "m1")).build(), POLL);
        store.apply(Snap.of("known").vm(vm(260, "pve1", "a", VmStatus.STOPPED, 1, 512, 8, null, "m2")).build(), POLL);
        store.apply(Snap.of("known-other").vm(vm(261, "pve1", "other")).build(), POLL);

        assertThat(store.known("known")).isEqualTo(Map.of(260, new KnownVm(260, "a", VmStatus.STOPPED, "pve1", null,
                "m2")));
    }

    @Test
    void anErrorTheServerSendsAtCommitMeansNothingWasWrittenNotAnUnknownOutcome() throws Exception {
        // a deferred check that refuses at COMMIT: the server answers, and rolls everything back
        table.update("CREATE FUNCTION public.pvesync_test_refuse() RETURNS trigger LANGUAGE plpgsql AS"
                + " $$BEGIN RAISE EXCEPTION 'refused at commit' USING ERRCODE = '23514'; END$$");
        table.update("CREATE CONSTRAINT TRIGGER pvesync_test_refuse AFTER INSERT ON public.vms DEFERRABLE"
                + " INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.proxmox_cluster = 'refused')"
                + " EXECUTE FUNCTION public.pvesync_test_refuse()");
        try {
            StoreException refused = catchThrowableOfType(
                    () -> store.apply(Snap.of("refused").vm(vm(270, "pve1", "a")).build(), POLL), StoreException.class);

            assertThat(refused.unconfirmed()).isFalse();
            assertThat(refused.getMessage()).startsWith("cluster refused: applying the listing failed, nothing was"
                    + " written: ERROR: refused at commit");
            assertThat(table.query("SELECT id FROM public.vms WHERE proxmox_cluster = 'refused'")).isEmpty();
        } finally {
            table.update("DROP TRIGGER pvesync_test_refuse ON public.vms");
            table.update("DROP FUNCTION public.pvesync_test_refuse()");
        }
    }
}
