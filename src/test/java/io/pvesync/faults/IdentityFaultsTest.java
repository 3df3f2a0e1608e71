package io.pvesync.faults;

import static io.pvesync.sync.SyncOutcome.Result.OK;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import com.zaxxer.hikari.HikariDataSource;
import io.pvesync.sim.Backup;
import io.pvesync.sim.ProxmoxSimulator;
import io.pvesync.sim.SimVm;
import io.pvesync.store.Migrations;
import io.pvesync.store.VmStore;
import io.pvesync.sync.SyncOutcome;
import io.pvesync.testing.MutableClock;
import io.pvesync.testing.TestDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which VM is this row (DESIGN.md 3.1, 3.10), end to end: the simulator doing what qemu-server does
 * (clone copies {@code meta}, a new smbios1 uuid on create and clone, the same on restore, task
 * lists per node), pvesync's passes over HTTPS, and a real database written by the daemon's role.
 * Each case is one that shipped a tenant leak or a lost owner before.
 */
class IdentityFaultsTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    private static HikariDataSource pool;

    @TempDir
    Path dir;

    private final VmsTable table = new VmsTable(db);
    private ProxmoxSimulator sim;
    private Passes passes;

    @BeforeAll
    static void migrate() throws Exception {
        Migrations.migrate(db.ownerPool());
        db.grantDaemon();
        pool = db.daemonPool();
    }

    @BeforeEach
    void firstPass() throws Exception {
        table.truncate();
        table.update("TRUNCATE pvesync.cluster_nodes");
        sim = ProxmoxSimulator.builder().nodes(3).vms(12).containers(0).templates(1).endpoints(1).tls(true)
                .seed(23).clock(new MutableClock(Instant.parse("2026-03-01T10:00:00Z")))
                .authFailureDelay(Duration.ofMillis(10)).start();
        passes = new Passes(sim, dir, pool, Duration.ofSeconds(2), Duration.ofSeconds(30));
        SyncOutcome first = passes.reconcile();
        assertThat(first.result()).as("%s", first.summary()).isEqualTo(OK);
    }

    @AfterEach
    void stop() {
        passes.close();
        sim.close();
    }

    private SimVm template() {
        return sim.vms().stream().filter(SimVm::template).findFirst().orElseThrow();
    }

    private SyncOutcome poll() {
        SyncOutcome outcome = passes.poll();
        assertThat(outcome.result()).as("%s", outcome.summary()).isEqualTo(OK);
        return outcome;
    }

    @Test
    void aCloneOfTheSameTemplateUnderAReusedVmidNeverShowsTheOldOwnersRowTheNewVm() throws Exception {
        int vmid = 950;
        sim.cloneStart(template().vmid(), vmid, "alice-web");
        assertThat(poll().apply().orElseThrow().inserted()).as("not inserted while it is being cloned").isZero();
        assertThat(table.rowsOf(vmid)).isEmpty();
        sim.cloneFinish(vmid);
        poll();
        int alice = table.giveToNewUser(vmid, "alice", "alice's web server");
        SimVm alices = sim.vm(vmid).orElseThrow();

        // Alice's VM is deleted; Bob's is cloned from the same template into the same VMID
        sim.delete(vmid);
        sim.cloneStart(template().vmid(), vmid, "bob-web");
        poll();
        assertThat(table.live(vmid)).as("held while the clone runs").containsEntry("owner_id", alice)
                .containsEntry("name", "alice-web");
        sim.cloneFinish(vmid);
        SimVm bobs = sim.vm(vmid).orElseThrow();
        assertThat(bobs.ctime()).as("clone copies meta: both carry the template's ctime").isEqualTo(alices.ctime());
        poll();

        List<Map<String, Object>> rows = table.rowsOf(vmid);
        assertThat(rows).hasSize(2);
        assertThat(rows.get(0)).containsEntry("owner_id", alice).containsEntry("name", "alice-web")
                .containsEntry("status", "missing").containsEntry("incarnation", alices.marker());
        assertThat(rows.get(0).get("retired_at")).isNotNull();
        assertThat(rows.get(1)).containsEntry("owner_id", null).containsEntry("name", "bob-web")
                .containsEntry("incarnation", bobs.marker()).containsEntry("retired_at", null);
    }

    @Test
    void aVmidDeletedAndCreatedAgainBetweenTwoPollsUnderTheSameNameAndStatusIsCaughtByThatPoll() throws Exception {
        SimVm vm = sim.vms().stream().filter(v -> !v.template()).findFirst().orElseThrow();
        int carol = table.giveToNewUser(vm.vmid(), "carol", "carol's shop");
        poll(); // a pass that settles the rows against the task lists

        sim.reuseVmidKeepingNameAndStatus(vm.vmid());
        SimVm newcomer = sim.vm(vm.vmid()).orElseThrow();
        assertThat(newcomer.name()).isEqualTo(vm.name());
        assertThat(newcomer.status()).isEqualTo(vm.status());
        SyncOutcome outcome = poll();

        assertThat(outcome.apply().orElseThrow().inserted()).isEqualTo(1);
        List<Map<String, Object>> rows = table.rowsOf(vm.vmid());
        assertThat(rows.get(0)).containsEntry("owner_id", carol).containsEntry("incarnation", vm.marker());
        assertThat(rows.get(0).get("retired_at")).isNotNull();
        assertThat(rows.get(1)).containsEntry("owner_id", null).containsEntry("incarnation", newcomer.marker());
    }

    @Test
    void aRestoreOfTheVmsOwnBackupUnderItsVmidKeepsItsOwnerAndItsRow() throws Exception {
        SimVm vm = sim.vms().stream().filter(v -> !v.template() && "stopped".equals(v.status())).findFirst()
                .orElseThrow();
        int dave = table.giveToNewUser(vm.vmid(), "dave", "dave's database");
        Object rowId = table.live(vm.vmid()).get("id");
        Backup backup = sim.backup(vm.vmid());

        sim.restoreStart(vm.vmid(), backup);
        poll();
        assertThat(table.live(vm.vmid())).as("held while the restore runs").containsEntry("owner_id", dave)
                .containsEntry("incarnation", vm.marker());
        sim.restoreFinish(vm.vmid());
        poll();

        assertThat(table.rowsOf(vm.vmid())).hasSize(1);
        assertThat(table.live(vm.vmid())).containsEntry("id", rowId).containsEntry("owner_id", dave)
                .containsEntry("incarnation", vm.marker());
    }

    @Test
    void anApplicationRowWrittenAfterPvesyncInsertedTheVmBecomesItsLiveRow() throws Exception {
        int vmid = sim.create(SimVm.Kind.QEMU, "pve2");
        poll();
        Object pvesyncRow = table.live(vmid).get("id");
        int erin = (Integer) table.query("INSERT INTO public.users (username) VALUES ('erin') RETURNING id").get(0)
                .get("id");
        table.update("INSERT INTO public.vms (vmid, name, status, proxmox_node, owner_id, notes) VALUES"
                + " (?, 'ordered', 'stopped', 'pve2', ?, 'paid')", vmid, erin);

        poll();

        Map<String, Object> live = table.live(vmid);
        assertThat(live.get("id")).isNotEqualTo(pvesyncRow);
        assertThat(live).containsEntry("owner_id", erin).containsEntry("notes", "paid")
                .containsEntry("name", sim.vm(vmid).orElseThrow().name()).containsEntry("proxmox_cluster", "lab");
        assertThat(table.query("SELECT id FROM public.vms WHERE vmid = ? AND retired_at IS NOT NULL AND owner_id IS NULL", vmid))
                .containsExactly(Map.of("id", pvesyncRow));
    }

    @Test
    void anApplicationRowOnANodeNameTwoClustersShareIsAdoptedByNeither() throws Exception {
        try (ProxmoxSimulator other = ProxmoxSimulator.builder().nodes(3).vms(4).containers(0).templates(0)
                .endpoints(1).tls(true).seed(5).start();
             Passes lab = new Passes(sim, dir, pool, Duration.ofSeconds(2), Duration.ofSeconds(30), "lab",
                     Set.of("dc2"));
             Passes dc2 = new Passes(other, dir, pool, Duration.ofSeconds(2), Duration.ofSeconds(30), "dc2",
                     Set.of("lab"));
             Logs logs = new Logs(VmStore.class)) {
            assertThat(dc2.reconcile().result()).isEqualTo(OK);
            int vmid = sim.create(SimVm.Kind.QEMU, "pve1");
            table.update("INSERT INTO public.vms (vmid, name, status, proxmox_node) VALUES (?, 'ordered', 'stopped',"
                    + " 'pve1')", vmid);

            SyncOutcome outcome = lab.poll();

            assertThat(outcome.result()).isEqualTo(OK);
            assertThat(table.query("SELECT coalesce(proxmox_cluster, '(none)') AS c, name FROM public.vms"
                    + " WHERE vmid = ? ORDER BY id", vmid)).containsExactly(Map.of("c", "(none)", "name", "ordered"),
                    Map.of("c", "lab", "name", sim.vm(vmid).orElseThrow().name()));
            assertThat(logs.at(Level.WARN)).anySatisfy(line -> assertThat(line).contains("vmid=" + vmid
                    + " - not adopted: row").contains("its node pve1 is a node of cluster lab and of dc2"));
        }
    }

    @Test
    void aNewVmWhoseFirstConfigReadFailsGetsItsRowAtOnceAndItsMarkerAPassLater() throws Exception {
        // a VMID without a row has nothing to inherit (DESIGN.md 3.1): the row need not wait
        int vmid = newVmWithoutItsMarker();
        assertThat(table.live(vmid)).containsEntry("incarnation", null)
                .containsEntry("name", sim.vm(vmid).orElseThrow().name());

        int alice = table.giveToNewUser(vmid, "alice", "alice's new VM");
        poll();

        assertThat(table.rowsOf(vmid)).hasSize(1);
        assertThat(table.live(vmid)).containsEntry("owner_id", alice)
                .containsEntry("incarnation", sim.vm(vmid).orElseThrow().marker());
    }

    @Test
    void aRowWithoutItsMarkerWhoseVmidIsReusedBeforeTheMarkerIsReadStaysWithItsOwner() throws Exception {
        int vmid = newVmWithoutItsMarker();
        int alice = table.giveToNewUser(vmid, "alice", "alice's new VM");

        sim.reuseVmid(vmid);
        poll();

        assertMarkerlessRowRetiredFor(vmid, alice);
    }

    @Test
    void aRowWithoutItsMarkerWhoseVmidACloneTookAfterItsDestroyLeftTheTaskListStaysWithItsOwner() throws Exception {
        int vmid = newVmWithoutItsMarker();
        int alice = table.giveToNewUser(vmid, "alice", "alice's new VM");

        // the destroy leaves pve1's short task list; the clone's task carries the template's VMID
        sim.delete(vmid);
        sim.noiseTasks("pve1", 30);
        sim.cloneStart(template().vmid(), vmid, "bob-web");
        sim.cloneFinish(vmid);
        assertThat(sim.listedLifecycleTasks().getOrDefault(vmid, java.util.Set.of())).as("no task of the VMID shows")
                .isEmpty();
        poll();

        assertMarkerlessRowRetiredFor(vmid, alice);
    }

    @Test
    void aRowWithoutItsMarkerWhoseStatusChangeTheTaskListCannotVouchForKeepsItsOwnerAndGetsItsMarker()
            throws Exception {
        int vmid = newVmWithoutItsMarker();
        int alice = table.giveToNewUser(vmid, "alice", "alice's new VM");

        // pve1's short list no longer reaches back to the pass that wrote the row: nothing vouches
        sim.stop(vmid);
        sim.noiseTasks("pve1", 30);
        poll();

        assertThat(table.rowsOf(vmid)).hasSize(1);
        assertThat(table.live(vmid)).containsEntry("owner_id", alice).containsEntry("status", "stopped")
                .containsEntry("incarnation", sim.vm(vmid).orElseThrow().marker());
    }

    /** A new VM on pve1 whose first config read fails: its row is written without its marker. */
    private int newVmWithoutItsMarker() {
        int vmid = sim.create(SimVm.Kind.QEMU, "pve1");
        sim.failNext("/nodes/pve1/", 595, "Connection timed out");
        poll();
        return vmid;
    }

    /** The row inserted before its marker keeps its owner, retired; the VM now under the VMID starts unowned. */
    private void assertMarkerlessRowRetiredFor(int vmid, int owner) throws Exception {
        List<Map<String, Object>> rows = table.rowsOf(vmid);
        assertThat(rows).hasSize(2);
        assertThat(rows.get(0)).containsEntry("owner_id", owner).containsEntry("incarnation", null)
                .containsEntry("status", "missing");
        assertThat(rows.get(0).get("retired_at")).isNotNull();
        assertThat(rows.get(1)).containsEntry("owner_id", null).containsEntry("retired_at", null)
                .containsEntry("incarnation", sim.vm(vmid).orElseThrow().marker())
                .containsEntry("name", sim.vm(vmid).orElseThrow().name());
    }
}
