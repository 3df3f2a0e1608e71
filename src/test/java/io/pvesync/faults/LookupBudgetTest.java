package io.pvesync.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.pvesync.config.ClusterConfig;
import io.pvesync.config.Secret;
import io.pvesync.config.TlsConfig;
import io.pvesync.details.GuestDetails;
import io.pvesync.proxmox.ProxmoxClient;
import io.pvesync.sim.ProxmoxSimulator;
import io.pvesync.sim.SimVm;
import io.pvesync.sim.SimulatorBuilder;
import io.pvesync.store.Migrations;
import io.pvesync.store.VmStore;
import io.pvesync.sync.ClusterSync;
import io.pvesync.sync.SyncMode;
import io.pvesync.sync.SyncOutcome;
import io.pvesync.testing.TestDatabase;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A pass whose lookups outlast its budget (DESIGN.md 3.6, "Two speeds"): it stops starting them,
 * and still writes what the listing showed, keeping every stored address. The simulator, the real
 * client, guest details and store, and a real database written by the daemon role.
 */
class LookupBudgetTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    private static HikariDataSource pool;

    private final VmsTable table = new VmsTable(db);

    @BeforeAll
    static void migrate() throws Exception {
        Migrations.migrate(db.ownerPool());
        db.grantDaemon();
        pool = db.daemonPool();
    }

    @Test
    void passOverItsBudgetWritesTheListingAndKeepsStoredAddresses() throws Exception {
        table.truncate();
        try (ProxmoxSimulator sim = ProxmoxSimulator.builder().tls(false).nodes(2).vms(30).containers(0).templates(0)
                .seed(4).authFailureDelay(Duration.ofMillis(10)).start();
             ProxmoxClient client = new ProxmoxClient(config(sim));
             ClusterSync full = sync(config(sim), client, Duration.ofHours(1));
             ClusterSync hurried = sync(config(sim), client, Duration.ofMillis(50))) {
            SyncOutcome first = full.run(SyncMode.RECONCILE);
            assertThat(first.result()).as("%s", first.summary()).isEqualTo(SyncOutcome.Result.OK);
            assertThat(table.synced()).isEqualTo(VmsTable.truth(sim));
            assertThat(VmsTable.truth(sim).values()).filteredOn(v -> !v.endsWith(" null")).hasSizeGreaterThan(5);

            for (SimVm vm : sim.vms()) {
                sim.resize(vm.vmid(), vm.cores() + 1, vm.memoryMb() * 2, vm.diskGb() + 10);
            }
            sim.nodes().forEach(node -> sim.slowGuestCalls(node, Duration.ofMillis(200)));
            // a daemon's first pass reads every config and asks every running guest: far over 50 ms here
            SyncOutcome cut = hurried.run(SyncMode.RECONCILE);

            assertThat(cut.result()).as("%s", cut.summary()).isEqualTo(SyncOutcome.Result.OK);
            assertThat(cut.lookups().skipped().deadline()).isPositive();
            assertThat(cut.summary()).contains("guest lookups wait for the next pass");
            assertThat(cut.addressNotes()).containsValue("lookup skipped: this pass's budget of 50ms for guest"
                    + " lookups was spent");
            // every size the listing showed is written, every stored address kept
            assertThat(table.synced()).isEqualTo(VmsTable.truth(sim));
            assertThat(cut.apply().orElseThrow().updated()).isEqualTo(30);
            // the slow path's queue: what waits, and since when (the first pass that skipped it)
            assertThat(cut.lookups().skipped().total()).isPositive();
            java.time.Instant since = cut.lookups().oldestWaiting().orElseThrow();
            assertThat(since).isBeforeOrEqualTo(java.time.Instant.now());
            SyncOutcome again = hurried.run(SyncMode.RECONCILE);
            assertThat(again.lookups().oldestWaiting()).as("still waiting since the first cut pass").contains(since);
            sim.nodes().forEach(node -> sim.slowGuestCalls(node, Duration.ZERO));
            SyncOutcome done = full.run(SyncMode.RECONCILE);
            assertThat(done.lookups().skipped().total()).isZero();
            assertThat(done.lookups().oldestWaiting()).isEmpty();
        }
    }

    private static ClusterSync sync(ClusterConfig config, ProxmoxClient client, Duration budget) {
        GuestDetails details = new GuestDetails(client, 2, Duration.ofMinutes(15), budget, Clock.systemUTC());
        return new ClusterSync(config, client, details, new VmStore(pool, Duration.ofSeconds(30)), Set.of(),
                Clock.systemUTC());
    }

    private static ClusterConfig config(ProxmoxSimulator sim) {
        return new ClusterConfig("lab", sim.endpoints(), "pvesync@pve!inventory",
                Secret.of(SimulatorBuilder.DEFAULT_TOKEN_SECRET), TlsConfig.systemDefault(), false,
                Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(2), 2, Duration.ofMinutes(15),
                Passes.NO_GRACE);
    }
}
