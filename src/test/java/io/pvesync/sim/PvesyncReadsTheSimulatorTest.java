package io.pvesync.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvesync.details.Enrichment;
import io.pvesync.details.GuestDetails;
import io.pvesync.inventory.ObservedVm;
import io.pvesync.inventory.ResourceMapper;
import io.pvesync.inventory.Snapshot;
import io.pvesync.inventory.StatusMapping;
import io.pvesync.proxmox.ApiCall;
import io.pvesync.proxmox.ProxmoxClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * pvesync's own client and inventory code, over TLS, read exactly the truth the simulator
 * holds: names, nodes, sizes, statuses, addresses and incarnation markers of every guest, with
 * numbers sent as strings for a third of them.
 */
class PvesyncReadsTheSimulatorTest {

    @TempDir
    Path dir;

    @Test
    void listingAndGuestDetailsGiveTheSimulatedTruth() throws Exception {
        try (ProxmoxSimulator sim = ProxmoxSimulator.builder().nodes(3).vms(40).containers(10).templates(2).seed(21)
                .stringNumberShare(0.3).authFailureDelay(SimHarness.AUTH_DELAY).start();
             ProxmoxClient client = SimHarness.client(sim, dir.resolve("ca.pem"), Duration.ofSeconds(5));
             GuestDetails details = new GuestDetails(client, 2, Duration.ofMinutes(15), Clock.systemUTC())) {

            Snapshot snapshot = new ResourceMapper("lab", true).map(client.get(ApiCall.clusterResources()), Instant.now());
            Enrichment enriched = details.enrich(snapshot, Map.of(), true);

            List<SimVm> truth = sim.vms().stream().filter(v -> !v.template()).toList();
            Map<Integer, ObservedVm> seen = enriched.snapshot().vms().stream()
                    .collect(Collectors.toMap(ObservedVm::vmid, Function.identity()));
            assertThat(seen.keySet()).containsExactlyInAnyOrderElementsOf(truth.stream().map(SimVm::vmid).toList());
            assertThat(snapshot.skipped()).isEqualTo(2); // the templates
            for (SimVm vm : truth) {
                ObservedVm observed = seen.get(vm.vmid());
                assertThat(observed.name()).as("name of %s", vm.vmid()).isEqualTo(vm.name());
                assertThat(observed.node()).isEqualTo(vm.node());
                assertThat(observed.status()).as("status of %s", vm.vmid()).isEqualTo(StatusMapping.of(vm.status(), vm.lock()));
                assertThat(observed.cpuCores()).as("cores of %s", vm.vmid()).isEqualTo(vm.cores());
                assertThat(observed.memoryMb()).isEqualTo(vm.memoryMb());
                assertThat(observed.diskGb()).isEqualTo(vm.diskGb());
                assertThat(observed.ipAddress()).as("address of %s", vm.vmid()).isEqualTo(vm.ipAddress());
                assertThat(observed.incarnation()).isEqualTo(vm.marker());
            }
            assertThat(truth).filteredOn(v -> v.ipAddress() != null).hasSizeGreaterThan(truth.size() / 2);
            assertThat(truth).filteredOn(v -> v.ipAddress() == null).isNotEmpty();
        }
    }

    @Test
    void guestDetailsOfManyNodesAtOnceReuseTheirConnections() throws Exception {
        int nodes = 20;
        int perNode = 2;
        try (ProxmoxSimulator sim = ProxmoxSimulator.builder().nodes(nodes).vms(1000).containers(0).templates(0)
                .seed(5).authFailureDelay(SimHarness.AUTH_DELAY).start();
             ProxmoxClient client = SimHarness.client(sim, dir.resolve("ca.pem"), Duration.ofSeconds(5));
             GuestDetails details = new GuestDetails(client, perNode, Duration.ofMinutes(15), Clock.systemUTC())) {
            Snapshot snapshot = new ResourceMapper("lab", false).map(client.get(ApiCall.clusterResources()), Instant.now());
            int connectionsBefore = sim.connectionCount();
            int requestsBefore = sim.requestCount();

            details.enrich(snapshot, Map.of(), true);

            int requests = sim.requestCount() - requestsBefore;
            int connections = sim.connectionCount() - connectionsBefore;
            // pveproxy (and the simulator) closes a connection after an answer of 400 or more (here
            // each running guest whose agent is not running) and after 100 requests; every other
            // connection goes back to the pool for the next request. A client that lost its
            // keep-alive would pay a TLS handshake per request, ~1,500 connections here.
            long closedByErrors = sim.vms().stream()
                    .filter(v -> v.status().equals("running") && v.agent() == AgentState.NOT_RUNNING).count();
            assertThat(requests).isGreaterThan(1000);
            assertThat(closedByErrors).isLessThan(requests / 4);
            assertThat(connections).as("%d requests, %d closed by an error answer", requests, closedByErrors)
                    .isLessThanOrEqualTo((int) (nodes * perNode + closedByErrors + requests / 100 + 1));
        }
    }
}
