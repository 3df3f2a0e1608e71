package io.pvesync.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.pvesync.sim.ProxmoxSimulator;
import io.pvesync.sim.SimVm;
import io.pvesync.store.Migrations;
import io.pvesync.sync.SyncOutcome;
import io.pvesync.testing.MutableClock;
import io.pvesync.testing.TestDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two speeds (DESIGN.md 3.6) never weaken identity (3.1) or the guards (3.5): a pass's early writes
 * carry nothing of a guest whose config the pass reads, mark nothing missing and retire nothing.
 * Found by a review of the first version, which failed both.
 */
class TwoSpeedsIdentityTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    private static HikariDataSource pool;

    @TempDir
    Path dir;

    private final VmsTable table = new VmsTable(db);

    @BeforeAll
    static void migrate() throws Exception {
        Migrations.migrate(db.ownerPool());
        db.grantDaemon();
        pool = db.daemonPool();
    }

    @BeforeEach
    void empty() throws Exception {
        table.truncate();
        table.update("TRUNCATE pvesync.cluster_nodes");
    }

    /** A reuse the task list no longer shows, same name and status: only reconcile's marker read can tell. */
    @Test
    void reconcileWritesTheListingOfAReusedVmidIntoTheOldOwnersRowBeforeReadingItsMarker() throws Exception {
        try (ProxmoxSimulator sim = ProxmoxSimulator.builder().nodes(3).vms(12).containers(0).templates(0)
                .endpoints(1).tls(true).seed(23).clock(new MutableClock(Instant.parse("2026-03-01T10:00:00Z")))
                .authFailureDelay(Duration.ofMillis(10)).start();
             Passes passes = new Passes(sim, dir, pool, Duration.ofSeconds(2), Duration.ofSeconds(30))) {
            assertThat(passes.reconcile().result()).isEqualTo(SyncOutcome.Result.OK);
            SimVm vm = sim.vms().stream().filter(v -> !v.template()).findFirst().orElseThrow();
            int carol = table.giveToNewUser(vm.vmid(), "carol", "carol's shop");
            assertThat(passes.poll().result()).isEqualTo(SyncOutcome.Result.OK);
            Map<String, Object> before = table.live(vm.vmid());

            sim.reuseVmidKeepingNameAndStatus(vm.vmid());
            sim.resize(vm.vmid(), vm.cores() + 3, vm.memoryMb() + 4096, vm.diskGb() + 77);
            sim.nodes().forEach(node -> sim.noiseTasks(node, 30)); // the reuse's tasks leave the lists
            SimVm newcomer = sim.vm(vm.vmid()).orElseThrow();

            SyncOutcome reconcile = passes.reconcile();
            List<Map<String, Object>> rows = table.rowsOf(vm.vmid());
            Map<String, Object> carols = rows.stream().filter(r -> Integer.valueOf(carol).equals(r.get("owner_id")))
                    .findFirst().orElseThrow();
            assertThat(carols.get("memory_mb")).as("carol's row must not show the newcomer's memory (%s)",
                    newcomer.memoryMb()).isEqualTo(before.get("memory_mb"));
        }
    }

    /** The same reuse seen by the first poll after a restart, which has no config cached: it reads them. */
    @Test
    void theFirstPollAfterARestartWritesNothingOfAReusedVmidBeforeReadingItsMarker() throws Exception {
        try (ProxmoxSimulator sim = ProxmoxSimulator.builder().nodes(3).vms(12).containers(0).templates(0)
                .endpoints(1).tls(true).seed(23).clock(new MutableClock(Instant.parse("2026-03-01T10:00:00Z")))
                .authFailureDelay(Duration.ofMillis(10)).start()) {
            SimVm vm;
            int carol;
            Map<String, Object> before;
            try (Passes passes = new Passes(sim, dir, pool, Duration.ofSeconds(2), Duration.ofSeconds(30))) {
                assertThat(passes.reconcile().result()).isEqualTo(SyncOutcome.Result.OK);
                vm = sim.vms().stream().filter(v -> !v.template() && v.status().equals("running")).findFirst()
                        .orElseThrow();
                carol = table.giveToNewUser(vm.vmid(), "carol", "carol's shop");
                assertThat(passes.poll().result()).isEqualTo(SyncOutcome.Result.OK);
                before = table.live(vm.vmid());
            }
            sim.reuseVmidKeepingNameAndStatus(vm.vmid());
            sim.resize(vm.vmid(), vm.cores() + 3, vm.memoryMb() + 4096, vm.diskGb() + 77);
            sim.nodes().forEach(node -> sim.noiseTasks(node, 30));

            try (Passes restarted = new Passes(sim, dir, pool, Duration.ofSeconds(2), Duration.ofSeconds(30))) {
                restarted.poll();
            }
            Map<String, Object> carols = table.rowsOf(vm.vmid()).stream()
                    .filter(r -> Integer.valueOf(carol).equals(r.get("owner_id"))).findFirst().orElseThrow();
            assertThat(carols.get("memory_mb")).isEqualTo(before.get("memory_mb"));
            assertThat(carols.get("cpu_cores")).isEqualTo(before.get("cpu_cores"));
            assertThat(carols.get("disk_gb")).isEqualTo(before.get("disk_gb"));
        }
    }

    /** Step 1 trips the mass-disappearance guard; step 2's inserts grow the base; step 3 marks. */
    @Test
    void theMissingGuardTrippedByTheFirstWriteIsPassedByTheLast() throws Exception {
        try (ProxmoxSimulator sim = ProxmoxSimulator.builder().nodes(1).vms(2).containers(0).templates(0)
                .endpoints(1).tls(true).seed(7).authFailureDelay(Duration.ofMillis(10)).start();
             Passes passes = new Passes(sim, dir, pool, Duration.ofSeconds(2), Duration.ofSeconds(30))) {
            assertThat(passes.reconcile().result()).isEqualTo(SyncOutcome.Result.OK);
            List<Integer> old = sim.vms().stream().map(SimVm::vmid).toList();
            sim.revokeAudit(v -> true); // the token loses VM.Audit on both
            int fresh = sim.create(SimVm.Kind.QEMU, sim.nodes().get(0));

            SyncOutcome poll = passes.poll();
            assertThat(poll.problem()).hasValueSatisfying(p -> assertThat(p).contains("nothing was marked missing"));
            assertThat(poll.apply().orElseThrow().missing()).isZero();
            assertThat(table.live(fresh).get("status")).isNotNull();
            for (int vmid : old) {
                assertThat(table.live(vmid).get("status")).as("guarded: not marked").isNotEqualTo("missing");
            }
        }
    }
}
