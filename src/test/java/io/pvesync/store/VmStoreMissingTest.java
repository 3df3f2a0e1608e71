package io.pvesync.store;

import static io.pvesync.store.Snap.vm;
import static org.assertj.core.api.Assertions.assertThat;

import io.pvesync.config.MissingPolicy;
import io.pvesync.inventory.NodeState;
import io.pvesync.inventory.VmStatus;
import io.pvesync.store.VmChange.Kind;
import io.pvesync.testing.TestDatabase;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * VMs that vanish from a listing, or sit on a node that did not answer (DESIGN.md 3.4, 3.5), as
 * the daemon's role against real PostgreSQL. One cluster name per test.
 */
class VmStoreMissingTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    private static final ApplyOptions POLL = new ApplyOptions(false, false, java.util.Set.of(),
            new MissingPolicy(Duration.ZERO, 0.10, 5));

    private static Table table;
    private static VmStore store;

    @BeforeAll
    static void migrate() throws Exception {
        table = Table.migrated(db);
        store = new VmStore(db.daemonPool());
    }

    @Test
    void vmOnAnOfflineNodeKeepsItsRowUnchanged() throws Exception {
        store.apply(Snap.of("offline").vm(vm(170, "pve1", "a")).vm(vm(171, "pve2", "b")).build(), POLL);
        table.age("offline");
        Map<Integer, String> versions = table.versions("offline");

        ApplyResult result = store.apply(Snap.of("offline").vm(vm(170, "pve1", "a")).held(171, "pve2").build(), POLL);

        assertThat(result.held()).isEqualTo(1);
        assertThat(result.missing()).isZero();
        assertThat(result.changes()).isEmpty();
        assertThat(table.versions("offline")).isEqualTo(versions);
        assertThat(table.live("offline", 171)).containsEntry("status", "running");
    }

    @Test
    void vanishedVmOfAnOfflineNodeIsNotMarkedEvenWhenNotHeld() throws Exception {
        store.apply(Snap.of("offline2").vm(vm(175, "pve1", "a")).vm(vm(176, "pve2", "b")).build(), POLL);
        table.age("offline2");

        ApplyResult result = store.apply(Snap.of("offline2").vm(vm(175, "pve1", "a")).node("pve2", NodeState.OFFLINE)
                .build(), POLL);

        assertThat(result.missing()).isZero();
        assertThat(table.live("offline2", 176)).containsEntry("status", "running");
    }

    @Test
    void vanishedVmBecomesMissingAndComesBackRestored() throws Exception {
        store.apply(Snap.of("vanish").vm(vm(180, "pve1", "a")).vm(vm(181, "pve1", "b")).build(), POLL);
        table.age("vanish");
        Object updatedBefore = table.live("vanish", 181).get("updated_at");

        ApplyResult gone = store.apply(Snap.of("vanish").vm(vm(180, "pve1", "a")).build(), POLL);

        assertThat(gone.missing()).isEqualTo(1);
        assertThat(gone.changes()).containsExactly(new VmChange(181, Kind.MISSING,
                "status running -> missing (absent from the listing while its node pve1 was online)"));
        Map<String, Object> missing = table.live("vanish", 181);
        assertThat(missing).containsEntry("status", "missing").containsEntry("retired_at", null);
        assertThat((OffsetDateTime) missing.get("updated_at")).isAfter((OffsetDateTime) updatedBefore);
        assertThat(store.apply(Snap.of("vanish").vm(vm(180, "pve1", "a")).build(), POLL).changes()).isEmpty();

        ApplyResult back = store.apply(Snap.of("vanish").vm(vm(180, "pve1", "a")).vm(vm(181, "pve1", "b")).build(), POLL);

        assertThat(back.changes()).containsExactly(new VmChange(181, Kind.RESTORE, "status missing -> running"));
        assertThat(back.updated()).isEqualTo(1);
        assertThat(table.rows("vanish", 181)).hasSize(1);
        assertThat(table.live("vanish", 181)).containsEntry("status", "running").containsEntry("id", missing.get("id"));
    }

    @Test
    void vmWhoseNodeLeftTheClusterIsMarkedMissing() throws Exception {
        store.apply(Snap.of("gone-node").vm(vm(185, "pve1", "a")).vm(vm(186, "pve9", "b")).build(), POLL);
        table.age("gone-node");

        ApplyResult result = store.apply(Snap.of("gone-node").vm(vm(185, "pve1", "a")).build(), POLL);

        assertThat(result.changes()).containsExactly(new VmChange(186, Kind.MISSING,
                "status running -> missing (absent from the listing; its node pve9 is no longer in the cluster)"));
    }

    @Test
    void gracePeriodProtectsOnlyAnApplicationRowWhoseVmWasNeverSeen() throws Exception {
        ApplyOptions tenMinutes = new ApplyOptions(false, false, java.util.Set.of(), MissingPolicy.DEFAULT);
        Snap listing = Snap.of("young");
        for (int vmid = 190; vmid < 200; vmid++) {
            listing.vm(vm(vmid, "pve1", "vm" + vmid));
        }
        store.apply(listing.build(), tenMinutes);
        table.update("INSERT INTO public.vms (vmid, name, status, proxmox_node) VALUES (400, 'ordered', 'running', 'pve1')");

        // 191 was seen a moment ago and is gone: missing at once; the application's 400 is young
        Snap without191 = Snap.of("young");
        for (int vmid = 190; vmid < 200; vmid++) {
            if (vmid != 191) {
                without191.vm(vm(vmid, "pve1", "vm" + vmid));
            }
        }
        ApplyResult young = store.apply(without191.build(), tenMinutes);

        assertThat(young.missing()).isEqualTo(1);
        assertThat(table.live("young", 191)).containsEntry("status", "missing");
        assertThat(table.query("SELECT status, coalesce(proxmox_cluster, '(none)') AS c FROM public.vms WHERE vmid = 400"))
                .containsExactly(Map.of("status", "running", "c", "(none)"));
        table.update("UPDATE public.vms SET created_at = now() - interval '11 minutes' WHERE vmid = 400");
        ApplyResult past = store.apply(without191.build(), tenMinutes);
        assertThat(past.missing()).isEqualTo(1);
        assertThat(table.live("young", 400)).containsEntry("status", "missing").containsEntry("name", "ordered");
    }

    @Test
    void massDisappearanceGuardMarksNothingAndSaysWhy() throws Exception {
        Snap all = Snap.of("mass");
        for (int vmid = 200; vmid < 210; vmid++) {
            all.vm(vm(vmid, "pve1", "vm" + vmid));
        }
        store.apply(all.build(), POLL);
        table.age("mass");

        ApplyResult result = store.apply(Snap.of("mass").vm(vm(200, "pve1", "vm200"))
                .vm(vm(201, "pve1", "vm201", VmStatus.STOPPED, 2, 2048, 32, null, null))
                .vm(vm(202, "pve1", "vm202")).vm(vm(203, "pve1", "vm203")).build(), POLL);

        assertThat(result.guardTrip()).contains("6 of 10 known VMs absent from the listing (limit 5): the API token"
                + " may have lost VM.Audit on some VMs (check the token's ACL: pveum acl list); nothing was marked missing"
                + " (if they were really deleted: pvesync sync --config FILE --cluster mass --accept-missing, after a look with --dry-run)");
        assertThat(result.missing()).isZero();
        assertThat(result.changes()).containsExactly(new VmChange(201, Kind.UPDATE, "status running -> stopped"));
        assertThat(table.query("SELECT vmid FROM public.vms WHERE proxmox_cluster = 'mass' AND status = 'missing'"))
                .isEmpty();
        assertThat(table.live("mass", 201)).containsEntry("status", "stopped");
    }
}
