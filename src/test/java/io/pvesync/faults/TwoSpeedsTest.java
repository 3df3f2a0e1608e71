package io.pvesync.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.pvesync.config.ClusterConfig;
import io.pvesync.config.Secret;
import io.pvesync.config.TlsConfig;
import io.pvesync.details.GuestDetails;
import io.pvesync.proxmox.ProxmoxApi;
import io.pvesync.proxmox.ProxmoxClient;
import io.pvesync.sim.AgentState;
import io.pvesync.sim.ProxmoxSimulator;
import io.pvesync.sim.SimVm;
import io.pvesync.sim.SimulatorBuilder;
import io.pvesync.store.Migrations;
import io.pvesync.store.VmStore;
import io.pvesync.sync.ClusterSync;
import io.pvesync.sync.SyncMode;
import io.pvesync.sync.SyncOutcome;
import io.pvesync.testing.MutableClock;
import io.pvesync.testing.RecordingApi;
import io.pvesync.testing.TestDatabase;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two speeds (DESIGN.md 3.6): what the listing shows lands before any per-guest request of the
 * same pass, a new VM's row before its address, and a pass asks the configs its identity rules
 * need before any address. The per-guest calls are made slow (about a second each, under the
 * address timeout), so "before" is seen from the table while the pass is still at work.
 */
class TwoSpeedsTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    private static final Duration SLOW = Duration.ofMillis(1500);

    private static HikariDataSource pool;

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
    }

    @Test
    void aStatusChangeLandsWhileThePassStillWaitsForASlowGuestCall() throws Exception {
        try (ProxmoxSimulator sim = simulator();
             ProxmoxClient client = new ProxmoxClient(config(sim));
             ClusterSync sync = sync(config(sim), client)) {
            assertThat(sync.run(SyncMode.RECONCILE).result()).isEqualTo(SyncOutcome.Result.OK);
            SimVm stopped = sim.vms().stream().filter(v -> v.kind() == SimVm.Kind.QEMU && v.status().equals("stopped"))
                    .findFirst().orElseThrow();
            sim.setAgent(stopped.vmid(), AgentState.RUNNING);
            sim.start(stopped.vmid());
            sim.nodes().forEach(node -> sim.slowGuestCalls(node, SLOW));

            CompletableFuture<SyncOutcome> pass = CompletableFuture.supplyAsync(() -> sync.run(SyncMode.POLL));
            Await.until(() -> "running".equals(table.live(stopped.vmid()).get("status")), "the start written");

            assertThat(pass).as("the pass still asks the guest for its address").isNotDone();
            SyncOutcome outcome = pass.get(30, TimeUnit.SECONDS);
            assertThat(outcome.result()).as("%s", outcome.summary()).isEqualTo(SyncOutcome.Result.OK);
            assertThat(table.synced()).isEqualTo(VmsTable.truth(sim));
        }
    }

    @Test
    void aNewVmsRowAppearsBeforeItsMarkerAndItsAddress() throws Exception {
        try (ProxmoxSimulator sim = simulator();
             ProxmoxClient client = new ProxmoxClient(config(sim));
             ClusterSync sync = sync(config(sim), client)) {
            assertThat(sync.run(SyncMode.RECONCILE).result()).isEqualTo(SyncOutcome.Result.OK);
            int vmid = sim.create(SimVm.Kind.QEMU, sim.nodes().get(0));
            sim.setAgent(vmid, AgentState.RUNNING);
            sim.start(vmid);
            sim.nodes().forEach(node -> sim.slowGuestCalls(node, SLOW));

            CompletableFuture<SyncOutcome> pass = CompletableFuture.supplyAsync(() -> sync.run(SyncMode.POLL));
            Await.until(() -> !table.rowsOf(vmid).isEmpty(), "the new VM's row");

            Map<String, Object> row = table.live(vmid);
            SimVm vm = sim.vm(vmid).orElseThrow();
            assertThat(row).as("the listing's values at once").containsEntry("status", "running")
                    .containsEntry("name", vm.name()).containsEntry("proxmox_node", vm.node())
                    .containsEntry("incarnation", null).containsEntry("ip_address", null);
            assertThat(pass).as("its config is still being read").isNotDone();
            Await.until(() -> vm.marker().equals(table.live(vmid).get("incarnation")), "its marker written");
            assertThat(table.live(vmid).get("ip_address")).as("its address is still being asked").isNull();
            assertThat(pass.get(30, TimeUnit.SECONDS).result()).isEqualTo(SyncOutcome.Result.OK);
            assertThat(table.live(vmid).get("ip_address")).isEqualTo(vm.ipAddress());
        }
    }

    @Test
    void theApplicationsRowForANewVmIsAdoptedByThePassesLastWriteNotBesideItByTheFirst() throws Exception {
        try (ProxmoxSimulator sim = simulator();
             ProxmoxClient client = new ProxmoxClient(config(sim));
             ClusterSync sync = sync(config(sim), client)) {
            assertThat(sync.run(SyncMode.RECONCILE).result()).isEqualTo(SyncOutcome.Result.OK);
            int ordered = sim.create(SimVm.Kind.QEMU, sim.nodes().get(0));
            int other = sim.create(SimVm.Kind.QEMU, sim.nodes().get(0));
            table.update("INSERT INTO public.vms (vmid, name, status, proxmox_node) VALUES (?, 'ordered', 'stopped',"
                    + " ?)", ordered, sim.nodes().get(0));
            sim.nodes().forEach(node -> sim.slowGuestCalls(node, SLOW));

            CompletableFuture<SyncOutcome> pass = CompletableFuture.supplyAsync(() -> sync.run(SyncMode.POLL));
            Await.until(() -> !table.rowsOf(other).isEmpty(), "the first write");

            assertThat(pass).isNotDone();
            assertThat(table.rowsOf(ordered)).as("no second row beside the application's").hasSize(1)
                    .allSatisfy(row -> assertThat(row).containsEntry("proxmox_cluster", null));
            assertThat(pass.get(30, TimeUnit.SECONDS).result()).isEqualTo(SyncOutcome.Result.OK);
            assertThat(table.rowsOf(ordered)).singleElement().satisfies(row -> assertThat(row)
                    .containsEntry("proxmox_cluster", "lab").containsEntry("name", sim.vm(ordered).orElseThrow().name())
                    .containsEntry("incarnation", sim.vm(ordered).orElseThrow().marker()));
        }
    }

    @Test
    void aDaemonsFirstPassWritesEveryRowBeforeItReadsAConfig() throws Exception {
        try (ProxmoxSimulator sim = simulator();
             ProxmoxClient client = new ProxmoxClient(config(sim));
             ClusterSync sync = sync(config(sim), client)) {
            sim.nodes().forEach(node -> sim.slowGuestCalls(node, SLOW));

            // a daemon's first pass is a reconcile: every config is read, yet no row waits for one
            CompletableFuture<SyncOutcome> pass = CompletableFuture.supplyAsync(() -> sync.run(SyncMode.RECONCILE));
            Await.until(() -> table.synced().keySet().equals(VmsTable.truth(sim).keySet()), "every row written");

            assertThat(pass).as("the configs are still being read").isNotDone();
            assertThat(table.query("SELECT count(*) AS n FROM public.vms WHERE incarnation IS NOT NULL"))
                    .containsExactly(Map.of("n", 0L));
            SyncOutcome outcome = pass.get(60, TimeUnit.SECONDS);
            assertThat(outcome.result()).as("%s", outcome.summary()).isEqualTo(SyncOutcome.Result.OK);
            assertThat(outcome.apply().orElseThrow().inserted()).as("one insert per VM").isEqualTo(sim.vms().size());
            assertThat(table.synced()).isEqualTo(VmsTable.truth(sim));
            assertThat(table.query("SELECT count(*) AS n FROM public.vms WHERE incarnation IS NULL"))
                    .containsExactly(Map.of("n", 0L));
        }
    }

    @Test
    void anAddressDueWithoutAnyConfigToReadIsStillAskedAndWritten() throws Exception {
        MutableClock lookupClock = new MutableClock(Instant.parse("2026-12-04T10:00:00Z"));
        try (ProxmoxSimulator sim = simulator();
             ProxmoxClient client = new ProxmoxClient(config(sim));
             ClusterSync sync = sync(config(sim), client, lookupClock)) {
            List<SimVm> running = sim.vms().stream()
                    .filter(v -> v.kind() == SimVm.Kind.QEMU && v.status().equals("running")).toList();
            running.forEach(v -> sim.setAgent(v.vmid(), AgentState.NOT_RUNNING));
            assertThat(sync.run(SyncMode.RECONCILE).result()).isEqualTo(SyncOutcome.Result.OK);
            // one whose agent did not answer and whose config has no static address to fall back on
            SimVm vm = null;
            for (SimVm candidate : running) {
                if (vm == null && table.live(candidate.vmid()).get("ip_address") == null) {
                    vm = candidate;
                }
            }
            assertThat(vm).as("a running VM without a static address to fall back on (the seed's)").isNotNull();

            // the agent answers now; nothing in the listing changed, and the config is cached:
            // only the address is due (its retry, 30 s after the miss)
            sim.setAgent(vm.vmid(), AgentState.RUNNING);
            lookupClock.advance(Duration.ofSeconds(31));
            assertThat(sync.run(SyncMode.POLL).result()).isEqualTo(SyncOutcome.Result.OK);

            assertThat(table.live(vm.vmid()).get("ip_address")).isEqualTo(sim.vm(vm.vmid()).orElseThrow().ipAddress());
        }
    }

    @Test
    void theConfigsTheIdentityRulesNeedAreReadBeforeAnyAddress() throws Exception {
        try (ProxmoxSimulator sim = simulator();
             ProxmoxClient client = new ProxmoxClient(config(sim))) {
            RecordingApi api = new RecordingApi(client);
            try (ClusterSync sync = sync(config(sim), api)) {
                assertThat(sync.run(SyncMode.RECONCILE).result()).isEqualTo(SyncOutcome.Result.OK);
                // one guest whose address is due (it started), one whose VMID was reused (in doubt)
                SimVm started = sim.vms().stream().filter(v -> v.kind() == SimVm.Kind.QEMU
                        && v.status().equals("stopped")).findFirst().orElseThrow();
                sim.setAgent(started.vmid(), AgentState.RUNNING);
                sim.start(started.vmid());
                SimVm reused = sim.vms().stream().filter(v -> v.vmid() != started.vmid()
                        && v.kind() == SimVm.Kind.QEMU).findFirst().orElseThrow();
                sim.reuseVmid(reused.vmid());
                api.calls.clear();

                assertThat(sync.run(SyncMode.POLL).result()).isEqualTo(SyncOutcome.Result.OK);

                int reusedConfig = api.calls.indexOf("qemu/config " + reused.vmid());
                int startedAddress = api.calls.indexOf("qemu/agent/network-get-interfaces " + started.vmid());
                assertThat(reusedConfig).as("%s", api.calls).isNotNegative();
                assertThat(startedAddress).as("%s", api.calls).isGreaterThan(reusedConfig);
                assertThat(table.synced()).isEqualTo(VmsTable.truth(sim));
            }
        }
    }

    private static ProxmoxSimulator simulator() {
        return ProxmoxSimulator.builder().tls(false).nodes(2).vms(8).containers(0).templates(0).seed(9)
                .authFailureDelay(Duration.ofMillis(10)).start();
    }

    private static ClusterSync sync(ClusterConfig config, ProxmoxApi api) {
        return sync(config, api, Clock.systemUTC());
    }

    /** @param lookupClock the guest details' clock, which says when an address is due again */
    private static ClusterSync sync(ClusterConfig config, ProxmoxApi api, Clock lookupClock) {
        GuestDetails details = new GuestDetails(api, 2, Duration.ofMinutes(15), Duration.ofMinutes(1), lookupClock);
        return new ClusterSync(config, api, details, new VmStore(pool, Duration.ofSeconds(30)), Set.of(),
                Clock.systemUTC());
    }

    private static ClusterConfig config(ProxmoxSimulator sim) {
        // the address timeout (5 s) is longer than the slow calls: they answer, late
        return new ClusterConfig("lab", sim.endpoints(), "pvesync@pve!inventory",
                Secret.of(SimulatorBuilder.DEFAULT_TOKEN_SECRET), TlsConfig.systemDefault(), false,
                Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(5), 2, Duration.ofMinutes(15),
                Passes.NO_GRACE);
    }
}
