package io.pvesync.store;

import static io.pvesync.store.Snap.vm;
import static org.assertj.core.api.Assertions.assertThat;

import io.pvesync.config.MissingPolicy;
import io.pvesync.inventory.Doubt;
import io.pvesync.inventory.NodeState;
import io.pvesync.inventory.ObservedVm;
import io.pvesync.inventory.VmStatus;
import io.pvesync.store.VmChange.Kind;
import io.pvesync.testing.TestDatabase;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Which VM is this row (DESIGN.md 3.1, 3.5, 3.10), against real PostgreSQL as the daemon's role:
 * a customer never sees another customer's VM, not even for one poll. Each test has a cluster
 * name and VMIDs of its own.
 */
class TenantIsolationTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    private static final MissingPolicy POLICY = new MissingPolicy(Duration.ofMinutes(10), 0.10, 5);

    private static Table table;
    private static VmStore store;

    @BeforeAll
    static void migrate() throws Exception {
        table = Table.migrated(db);
        store = new VmStore(db.daemonPool());
    }

    private static ApplyOptions sole() {
        return new ApplyOptions(false, false, Set.of(), POLICY);
    }

    private static ObservedVm guest(int vmid, String name, String marker, Doubt doubt, String sameAs) {
        return vm(vmid, "pve1", name, VmStatus.RUNNING, 2, 2048, 32, null, marker).withIdentity(doubt, sameAs);
    }

    private static Snap listing(String cluster, ObservedVm... guests) {
        // twenty quiet neighbours, so a single change stays far below the guards' limits
        Snap snap = Snap.of(cluster);
        for (int i = 0; i < 20; i++) {
            snap.vm(vm(5000 + i, "pve1", "quiet-" + i, VmStatus.RUNNING, 1, 1024, 8, null, "uuid:quiet-" + i));
        }
        for (ObservedVm guest : guests) {
            snap.vm(guest);
        }
        return snap;
    }

    private static int owner(String name) throws Exception {
        table.update("INSERT INTO public.users (username) VALUES ('" + name + "')");
        return (Integer) table.query("SELECT id FROM public.users WHERE username = ?", name).get(0).get("id");
    }

    @Test
    void aCloneOfTheSameTemplateUnderAReusedVmidDoesNotInheritTheOwner() throws Exception {
        // case 1: Alice's VM 900 and Bob's clone both carry the template's meta ctime; only smbios1 differs
        store.apply(listing("clone", guest(900, "alice-web", "uuid:aaaa", Doubt.NONE, null)).build(), sole());
        int alice = owner("alice-clone");
        table.update("UPDATE public.vms SET owner_id = ? WHERE proxmox_cluster = 'clone' AND vmid = 900", alice);

        ApplyResult result = store.apply(listing("clone",
                guest(900, "bob-web", "uuid:bbbb", Doubt.LIFECYCLE, null)).build(), sole());

        assertThat(result.changes()).extracting(VmChange::kind).containsExactly(Kind.RETIRE, Kind.INSERT);
        assertThat(table.live("clone", 900)).containsEntry("name", "bob-web").containsEntry("owner_id", null)
                .containsEntry("incarnation", "uuid:bbbb");
        assertThat(table.query("SELECT name, status, owner_id FROM public.vms WHERE proxmox_cluster = 'clone'"
                + " AND vmid = 900 AND retired_at IS NOT NULL"))
                .containsExactly(Map.of("name", "alice-web", "status", "missing", "owner_id", alice));
    }

    @Test
    void aRowInTheOlderCtimeFormIsCarriedOverWhenTheVmIsNotInDoubt() throws Exception {
        store.apply(listing("carry", guest(910, "web", "ctime:1712345678", Doubt.NONE, null)).build(), sole());
        int carol = owner("carol-carry");
        table.update("UPDATE public.vms SET owner_id = ? WHERE proxmox_cluster = 'carry' AND vmid = 910", carol);
        int id = (Integer) table.live("carry", 910).get("id");

        ApplyResult result = store.apply(listing("carry",
                guest(910, "web", "uuid:7d1c", Doubt.NONE, "ctime:1712345678")).build(), sole());

        assertThat(result.changes()).containsExactly(new VmChange(910, Kind.UPDATE,
                "incarnation ctime:1712345678 -> uuid:7d1c"));
        assertThat(table.live("carry", 910)).containsEntry("id", id).containsEntry("owner_id", carol)
                .containsEntry("incarnation", "uuid:7d1c");
    }

    @Test
    void aRowInTheOlderFormIsNotCarriedOverWhenTheVmidIsInDoubt() throws Exception {
        // a destroy and a clone of the same template between two polls: the ctime proves nothing
        store.apply(listing("carry-doubt", guest(911, "web", "ctime:1712345678", Doubt.NONE, null)).build(), sole());
        int dave = owner("dave-carry");
        table.update("UPDATE public.vms SET owner_id = ? WHERE proxmox_cluster = 'carry-doubt' AND vmid = 911", dave);

        store.apply(listing("carry-doubt", guest(911, "web", "uuid:9e9e", Doubt.LIFECYCLE, null)).build(), sole());

        assertThat(table.live("carry-doubt", 911)).containsEntry("owner_id", null).containsEntry("incarnation", "uuid:9e9e");
        assertThat(table.query("SELECT owner_id FROM public.vms WHERE proxmox_cluster = 'carry-doubt' AND vmid = 911"
                + " AND retired_at IS NOT NULL")).containsExactly(Map.of("owner_id", dave));
    }

    @Test
    void aRestoreOfTheSameVmsBackupUnderItsOwnVmidKeepsItsOwner() throws Exception {
        // qemu-server restore keeps smbios1's uuid: the task puts the VMID in doubt, the marker clears it
        store.apply(listing("restore", guest(920, "db", "uuid:cafe", Doubt.NONE, null)).build(), sole());
        int erin = owner("erin-restore");
        table.update("UPDATE public.vms SET owner_id = ? WHERE proxmox_cluster = 'restore' AND vmid = 920", erin);
        int id = (Integer) table.live("restore", 920).get("id");

        ObservedVm restored = vm(920, "pve1", "db", VmStatus.STOPPED, 2, 2048, 32, null, "uuid:cafe")
                .withIdentity(Doubt.LIFECYCLE, null);
        ApplyResult result = store.apply(listing("restore", restored).build(), sole());

        assertThat(result.changes()).containsExactly(new VmChange(920, Kind.UPDATE, "status running -> stopped"));
        assertThat(table.live("restore", 920)).containsEntry("id", id).containsEntry("owner_id", erin);
    }

    @Test
    void aMissingRowWithoutMarkerIsNotRestoredByWhateverTakesItsVmid() throws Exception {
        // the application's row of a VM that never came is marked missing; a later VM under the VMID is another
        table.update("INSERT INTO public.users (username) VALUES ('frank-missing')");
        table.update("INSERT INTO public.vms (vmid, name, status, proxmox_node, owner_id, created_at) VALUES"
                + " (930, 'ordered', 'stopped', 'pve1', (SELECT id FROM public.users WHERE username = 'frank-missing'),"
                + " now() - interval '1 hour')");
        store.apply(listing("never").build(), sole());
        assertThat(table.live("never", 930)).containsEntry("status", "missing").containsEntry("name", "ordered");

        store.apply(listing("never", guest(930, "someone-else", "uuid:0930", Doubt.LIFECYCLE, null)).build(), sole());

        assertThat(table.live("never", 930)).containsEntry("name", "someone-else").containsEntry("owner_id", null);
        assertThat(table.query("SELECT name FROM public.vms WHERE vmid = 930 AND retired_at IS NOT NULL"))
                .containsExactly(Map.of("name", "ordered"));
    }

    @Test
    void anApplicationRowOnANodeNameTwoClustersShareIsNotAdopted() throws Exception {
        // case 3: both clusters have a pve1; the row names a node, not a cluster
        ApplyOptions east = new ApplyOptions(false, false, Set.of("west"), POLICY);
        ApplyOptions west = new ApplyOptions(false, false, Set.of("east"), POLICY);
        store.apply(Snap.of("west").vm(vm(7000, "pve1", "west-only")).build(), west);
        int grace = owner("grace-shared");
        table.update("INSERT INTO public.vms (vmid, name, status, proxmox_node, owner_id) VALUES"
                + " (940, 'ordered', 'stopped', 'pve1', ?)", grace);

        ApplyResult result = store.apply(listing("east", guest(940, "east-vm", "uuid:e940", Doubt.NONE, null)).build(),
                east);

        assertThat(result.changes()).filteredOn(c -> c.vmid() == 940).extracting(VmChange::kind)
                .containsExactly(Kind.INSERT);
        assertThat(table.live("east", 940)).containsEntry("owner_id", null);
        assertThat(table.query("SELECT coalesce(proxmox_cluster, '(none)') AS c FROM public.vms WHERE owner_id = ?",
                grace)).containsExactly(Map.of("c", "(none)"));
    }

    @Test
    void anApplicationRowIsAdoptedOnlyOnceEveryOtherClusterIsKnownNotToHaveItsNode() throws Exception {
        ApplyOptions north = new ApplyOptions(false, false, Set.of("south"), POLICY);
        ApplyOptions south = new ApplyOptions(false, false, Set.of("north"), POLICY);
        int heidi = owner("heidi-north");
        table.update("INSERT INTO public.vms (vmid, name, status, proxmox_node, owner_id) VALUES"
                + " (945, 'ordered', 'stopped', 'n-pve1', ?)", heidi);

        // south never listed: it might have an n-pve1 too
        ApplyResult early = store.apply(listing("north").vm(vm(945, "n-pve1", "north-vm")).build(), north);
        assertThat(early.changes()).extracting(VmChange::kind).contains(Kind.INSERT);
        table.update("UPDATE public.vms SET retired_at = now() WHERE proxmox_cluster = 'north' AND vmid = 945");

        store.apply(Snap.of("south").vm(vm(7100, "s-pve1", "south-vm")).build(), south);
        ApplyResult late = store.apply(listing("north").vm(vm(945, "n-pve1", "north-vm")).build(), north);

        assertThat(late.changes()).extracting(VmChange::kind).containsExactly(Kind.ADOPT);
        assertThat(table.live("north", 945)).containsEntry("owner_id", heidi).containsEntry("name", "north-vm");
    }

    @Test
    void aLateApplicationRowBecomesTheLiveRowAndPvesyncsRowIsRetired() throws Exception {
        // case 4: pvesync saw the VM first; the application writes its row afterwards
        store.apply(listing("late", guest(950, "shop-vm", "uuid:0950", Doubt.NONE, null)).build(), sole());
        int pvesyncRow = (Integer) table.live("late", 950).get("id");
        int ivan = owner("ivan-late");
        table.update("INSERT INTO public.vms (vmid, name, status, proxmox_node, owner_id, notes) VALUES"
                + " (950, 'ordered', 'stopped', 'pve1', ?, 'paid')", ivan);

        ApplyResult result = store.apply(listing("late", guest(950, "shop-vm", null, Doubt.NONE, null)).build(), sole());

        assertThat(result.changes()).extracting(VmChange::kind).containsExactly(Kind.RETIRE, Kind.ADOPT);
        Map<String, Object> live = table.live("late", 950);
        assertThat(live).containsEntry("owner_id", ivan).containsEntry("notes", "paid").containsEntry("name", "shop-vm")
                .containsEntry("status", "running").containsEntry("incarnation", "uuid:0950");
        assertThat(live.get("id")).isNotEqualTo(pvesyncRow);
        assertThat(table.query("SELECT id, status FROM public.vms WHERE retired_at IS NOT NULL AND vmid = 950"))
                .containsExactly(Map.of("id", pvesyncRow, "status", "missing"));
        // and it stays so: the next poll writes nothing
        assertThat(store.apply(listing("late", guest(950, "shop-vm", null, Doubt.NONE, null)).build(), sole())
                .rowsWritten()).isZero();
    }

    @Test
    void aLateApplicationRowDoesNotTakeARowThatAlreadyHasAnOwner() throws Exception {
        store.apply(listing("late-owned", guest(955, "vm", "uuid:0955", Doubt.NONE, null)).build(), sole());
        int judy = owner("judy-owned");
        int mallory = owner("mallory-owned");
        table.update("UPDATE public.vms SET owner_id = ? WHERE proxmox_cluster = 'late-owned' AND vmid = 955", judy);
        table.update("INSERT INTO public.vms (vmid, name, proxmox_node, owner_id) VALUES (955, 'mine', 'pve1', ?)",
                mallory);

        ApplyResult result = store.apply(listing("late-owned", guest(955, "vm", null, Doubt.NONE, null)).build(), sole());

        assertThat(result.rowsWritten()).isZero();
        assertThat(table.live("late-owned", 955)).containsEntry("owner_id", judy);
    }

    @Test
    void theGuardCountsYoungRowsSoALostAuditOnNewVmsMarksNobody() throws Exception {
        // case 7: 8 young rows and 2 old ones vanish at once out of 20: more than 10%, however young
        Snap first = Snap.of("guard-young");
        for (int i = 0; i < 20; i++) {
            first.vm(vm(6000 + i, "pve1", "g" + i));
        }
        store.apply(first.build(), sole());
        table.update("UPDATE public.vms SET created_at = now() - interval '1 day' WHERE proxmox_cluster = 'guard-young'"
                + " AND vmid < 6002");
        Snap later = Snap.of("guard-young");
        for (int i = 10; i < 20; i++) {
            later.vm(vm(6000 + i, "pve1", "g" + i));
        }

        ApplyResult result = store.apply(later.build(), sole());

        assertThat(result.missing()).isZero();
        assertThat(result.guardTrip()).hasValueSatisfying(t -> assertThat(t).startsWith("10 of 20 known VMs absent"));
    }

    @Test
    void theGuardTripsWhenEveryVmOfASmallClusterVanishes() throws Exception {
        store.apply(Snap.of("guard-small").vm(vm(6100, "pve1", "a")).vm(vm(6101, "pve1", "b"))
                .vm(vm(6102, "pve1", "c")).build(), sole());

        ApplyResult result = store.apply(Snap.of("guard-small").node("pve1", NodeState.ONLINE).build(), sole());

        assertThat(result.missing()).isZero();
        assertThat(result.guardTrip()).hasValueSatisfying(t -> assertThat(t).startsWith("3 of 3 known VMs absent"));
    }

    @Test
    void aMassMarkerChangeRetiresNobodyAndHoldsTheGuests() throws Exception {
        Snap first = Snap.of("guard-retire");
        Snap changed = Snap.of("guard-retire");
        for (int i = 0; i < 20; i++) {
            first.vm(vm(6200 + i, "pve1", "r" + i, VmStatus.RUNNING, 2, 2048, 32, null, "uuid:old-" + i));
            changed.vm(vm(6200 + i, "pve1", "r" + i, VmStatus.RUNNING, 2, 2048, 32, null,
                    (i < 6 ? "uuid:new-" : "uuid:old-") + i).withIdentity(Doubt.LIFECYCLE, null));
        }
        store.apply(first.build(), sole());
        int kim = owner("kim-retire");
        table.update("UPDATE public.vms SET owner_id = ? WHERE proxmox_cluster = 'guard-retire'", kim);

        ApplyResult result = store.apply(changed.build(), sole());

        assertThat(result.guardTrip()).hasValueSatisfying(t -> assertThat(t).startsWith("6 of 20 known VMs would be"
                + " retired as other VMs under their VMIDs (limit 5)"));
        assertThat(result.heldVmids()).containsExactlyInAnyOrder(6200, 6201, 6202, 6203, 6204, 6205);
        assertThat(result.held()).isEqualTo(6);
        assertThat(table.query("SELECT count(*) AS n FROM public.vms WHERE proxmox_cluster = 'guard-retire'"
                + " AND retired_at IS NULL AND owner_id = ? AND incarnation LIKE 'uuid:old-%'", kim))
                .containsExactly(Map.of("n", 20L));

        ApplyResult accepted = store.apply(changed.build(), new ApplyOptions(false, false, Set.of(),
                POLICY.accepting()));
        assertThat(accepted.changes()).filteredOn(c -> c.kind() == Kind.RETIRE).hasSize(6);
    }

    @Test
    void nodesOfEachClusterAreRecordedOnlyWhenTheyChange() throws Exception {
        store.apply(Snap.of("recorded").vm(vm(7200, "a1", "x")).node("a2", NodeState.OFFLINE).build(), sole());
        assertThat(table.query("SELECT node FROM pvesync.cluster_nodes WHERE cluster = 'recorded' ORDER BY node"))
                .containsExactly(Map.of("node", "a1"), Map.of("node", "a2"));

        store.apply(Snap.of("recorded").vm(vm(7200, "a3", "x")).build(), sole());

        assertThat(table.query("SELECT node FROM pvesync.cluster_nodes WHERE cluster = 'recorded' ORDER BY node"))
                .containsExactly(Map.of("node", "a3"));
    }

    @Test
    void newVmsInVmidsWhoseRowsWereAlreadyMissingAreOrdinaryReuseNotAMassMarkerChange() throws Exception {
        // six VMs deleted (marked missing), then six new ones given the freed VMIDs (/cluster/nextid)
        Snap first = Snap.of("reuse-freed");
        for (int i = 0; i < 30; i++) {
            first.vm(vm(6300 + i, "pve1", "f" + i, VmStatus.RUNNING, 2, 2048, 32, null, "uuid:first-" + i));
        }
        store.apply(first.build(), sole());
        table.update("UPDATE public.vms SET status = 'missing' WHERE proxmox_cluster = 'reuse-freed' AND vmid < 6306");
        Snap reused = Snap.of("reuse-freed");
        for (int i = 0; i < 30; i++) {
            reused.vm(vm(6300 + i, "pve1", "f" + i, VmStatus.RUNNING, 2, 2048, 32, null,
                    (i < 6 ? "uuid:second-" : "uuid:first-") + i).withIdentity(i < 6 ? Doubt.LIFECYCLE : Doubt.NONE, null));
        }

        ApplyResult result = store.apply(reused.build(), sole());

        assertThat(result.guardTrip()).isEmpty();
        assertThat(result.changes()).filteredOn(c -> c.kind() == Kind.RETIRE).hasSize(6);
        assertThat(result.inserted()).isEqualTo(6);
    }

    @Test
    void applicationRowsOfTheSameVmidInTwoClustersAreEachAdoptedByTheirOwn() throws Exception {
        // VMIDs collide across clusters all the time: each row names its own cluster's node
        ApplyOptions north = new ApplyOptions(false, false, Set.of("south2"), POLICY);
        ApplyOptions south = new ApplyOptions(false, false, Set.of("north2"), POLICY);
        store.apply(Snap.of("south2").vm(vm(7300, "s2-pve1", "south-first")).build(), south);
        store.apply(Snap.of("north2").vm(vm(7301, "n2-pve1", "north-first")).build(), north);
        int nora = owner("nora-north2");
        int sam = owner("sam-south2");
        table.update("INSERT INTO public.vms (vmid, name, proxmox_node, owner_id) VALUES (960, 'n', 'n2-pve1', ?)", nora);
        table.update("INSERT INTO public.vms (vmid, name, proxmox_node, owner_id) VALUES (960, 's', 's2-pve1', ?)", sam);

        store.apply(Snap.of("north2").vm(vm(7301, "n2-pve1", "north-first")).vm(vm(960, "n2-pve1", "north-960")).build(),
                north);
        store.apply(Snap.of("south2").vm(vm(7300, "s2-pve1", "south-first")).vm(vm(960, "s2-pve1", "south-960")).build(),
                south);

        assertThat(table.live("north2", 960)).containsEntry("owner_id", nora).containsEntry("name", "north-960");
        assertThat(table.live("south2", 960)).containsEntry("owner_id", sam).containsEntry("name", "south-960");
    }

    @Test
    void anApplicationRowOnANodeTheClusterDoesNotHaveIsNeverMarkedMissingByIt() throws Exception {
        table.update("INSERT INTO public.vms (vmid, name, status, proxmox_node, created_at) VALUES"
                + " (970, 'elsewhere', 'running', 'standalone-hv9', now() - interval '1 hour')");

        store.apply(listing("foreign").build(), sole());

        assertThat(table.query("SELECT status, coalesce(proxmox_cluster, '(none)') AS c FROM public.vms WHERE vmid = 970"))
                .containsExactly(Map.of("status", "running", "c", "(none)"));
    }

    @Test
    void anSmbiosEditThatDropsTheUuidKeepsTheRowAndItsMarker() throws Exception {
        // qm set --smbios1 serial=... without the uuid: the marker falls back to meta's ctime
        store.apply(listing("uuid-lost", guest(980, "db", "uuid:9898", Doubt.NONE, null)).build(), sole());
        int olga = owner("olga-uuid-lost");
        table.update("UPDATE public.vms SET owner_id = ? WHERE proxmox_cluster = 'uuid-lost' AND vmid = 980", olga);

        ApplyResult result = store.apply(listing("uuid-lost",
                guest(980, "db", "ctime:1712345678", Doubt.CHANGED, null)).build(), sole());

        assertThat(result.changes()).filteredOn(c -> c.vmid() == 980).isEmpty();
        assertThat(table.live("uuid-lost", 980)).containsEntry("owner_id", olga).containsEntry("incarnation", "uuid:9898");
    }
}
