package io.pvesync.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvesync.config.ClusterConfig;
import io.pvesync.config.MissingPolicy;
import io.pvesync.config.Secret;
import io.pvesync.config.TlsConfig;
import io.pvesync.details.Enrichment;
import io.pvesync.details.GuestDetails;
import io.pvesync.inventory.KnownVm;
import io.pvesync.inventory.ObservedVm;
import io.pvesync.inventory.ResourceMapper;
import io.pvesync.inventory.Snapshot;
import io.pvesync.proxmox.ApiCall;
import io.pvesync.proxmox.ProxmoxClient;
import io.pvesync.proxmox.ProxmoxException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * A node whose guest calls answer too late, and a pass budget too small for every lookup
 * (DESIGN.md 3.6, "Two speeds"): the simulator over two endpoints, pvesync's client with a short
 * guest-call timeout, and its guest details.
 */
class SlowNodeLookupsTest {

    private static final Duration GUEST_TIMEOUT = Duration.ofMillis(300);
    private static final Duration NO_BUDGET = Duration.ofHours(1);

    @Test
    void slowNodeIsLeftAloneWhileTheOtherNodeGetsEveryLookup() throws Exception {
        try (ProxmoxSimulator sim = SimHarness.plain().nodes(2).vms(40).containers(0).templates(0).endpoints(2)
                .seed(7).start();
             ProxmoxClient client = new ProxmoxClient(config(sim));
             GuestDetails details = new GuestDetails(client, 2, Duration.ofMinutes(15), NO_BUDGET, Clock.systemUTC())) {
            String healthy = sim.nodes().get(0);
            String slow = sim.nodes().get(1);
            sim.slowGuestCalls(slow, Duration.ofSeconds(3));
            Snapshot snapshot = listing(client);

            Enrichment enriched = details.enrich(snapshot, Map.of(), true);

            Map<Integer, ObservedVm> seen = byVmid(enriched.snapshot().vms());
            List<SimVm> onHealthy = sim.vms().stream().filter(v -> v.node().equals(healthy)).toList();
            List<SimVm> onSlow = sim.vms().stream().filter(v -> v.node().equals(slow)).toList();
            assertThat(onHealthy).hasSizeGreaterThanOrEqualTo(10);
            assertThat(onSlow).hasSizeGreaterThanOrEqualTo(10);
            for (SimVm vm : onHealthy) {
                assertThat(seen.get(vm.vmid())).as("vmid %s", vm.vmid()).isNotNull();
                assertThat(seen.get(vm.vmid()).incarnation()).as("marker of %s", vm.vmid()).isEqualTo(vm.marker());
                assertThat(seen.get(vm.vmid()).ipAddress()).as("address of %s", vm.vmid()).isEqualTo(vm.ipAddress());
            }
            // one timeout per worker at most, and never asked again through the other endpoint
            int slowCalls = sim.requests("/nodes/" + slow + "/");
            assertThat(slowCalls).isBetween(1, 2);
            int skipped = onSlow.size() - slowCalls;
            assertThat(enriched.lookups().skipped().node()).isEqualTo(skipped);
            assertThat(enriched.lookups().skipped().deadline()).isZero();
            assertThat(enriched.lookups().nodesLeftAlone()).containsOnlyKeys(slow);
            assertThat(enriched.lookups().nodesLeftAlone().get(slow))
                    .startsWith("not answering in time: read timed out after 300ms on GET /nodes/" + slow + "/")
                    .endsWith("; " + skipped + " lookups skipped");
            // first sight without a marker: written at once, the marker waits (nothing to inherit)
            assertThat(enriched.snapshot().held()).isEmpty();
            for (SimVm vm : onSlow) {
                assertThat(seen.get(vm.vmid())).as("vmid %s", vm.vmid()).isNotNull();
                assertThat(seen.get(vm.vmid()).incarnation()).as("marker of %s", vm.vmid()).isNull();
            }
        }
    }

    @Test
    void guestsInDoubtWhoseReadTheBudgetCutAreHeld() throws Exception {
        try (ProxmoxSimulator sim = SimHarness.plain().nodes(1).vms(16).containers(0).templates(0).seed(3).start();
             ProxmoxClient client = new ProxmoxClient(config(sim));
             GuestDetails first = new GuestDetails(client, 2, Duration.ofMinutes(15), NO_BUDGET, Clock.systemUTC());
             GuestDetails hurried = new GuestDetails(client, 2, Duration.ofMinutes(15), Duration.ofMillis(50),
                     Clock.systemUTC())) {
            Enrichment stored = first.enrich(listing(client), Map.of(), true);
            Map<Integer, KnownVm> known = stored.snapshot().vms().stream().collect(Collectors.toMap(ObservedVm::vmid,
                    v -> new KnownVm(v.vmid(), v.name(), v.status(), v.node(), v.ipAddress(), v.incarnation())));
            // renamed: another VM under the same VMID, or the same one renamed; only the marker tells
            List<Integer> renamed = sim.vms().stream().limit(8).map(SimVm::vmid).toList();
            renamed.forEach(vmid -> sim.rename(vmid, "renamed-" + vmid));
            sim.slowGuestCalls(sim.nodes().get(0), Duration.ofMillis(200));

            Enrichment cut = hurried.enrich(listing(client), known, false);

            assertThat(cut.lookups().skipped().deadline()).isPositive();
            Set<Integer> held = cut.snapshot().held().keySet();
            assertThat(held).isNotEmpty().isSubsetOf(renamed);
            Map<Integer, ObservedVm> written = byVmid(cut.snapshot().vms());
            for (int vmid : renamed) {
                if (!held.contains(vmid)) {
                    // read before the budget ran out: its marker proves it the same VM
                    assertThat(written.get(vmid).incarnation()).isEqualTo(known.get(vmid).incarnation());
                }
            }
            // the rest keep the listing's values, their lookups waiting for the next pass
            assertThat(written.size() + held.size()).isEqualTo(16);
        }
    }

    private static Snapshot listing(ProxmoxClient client) throws ProxmoxException {
        return new ResourceMapper("lab", false).map(client.get(ApiCall.clusterResources()), Instant.now());
    }

    private static Map<Integer, ObservedVm> byVmid(List<ObservedVm> vms) {
        return vms.stream().collect(Collectors.toMap(ObservedVm::vmid, Function.identity()));
    }

    private static ClusterConfig config(ProxmoxSimulator sim) {
        return new ClusterConfig("lab", sim.endpoints(), SimHarness.TOKEN_ID, Secret.of(SimHarness.SECRET),
                TlsConfig.systemDefault(), false, Duration.ofSeconds(2), Duration.ofSeconds(5), GUEST_TIMEOUT, 2,
                Duration.ofMinutes(15), MissingPolicy.DEFAULT);
    }
}
