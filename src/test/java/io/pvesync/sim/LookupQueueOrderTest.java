package io.pvesync.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvesync.config.ClusterConfig;
import io.pvesync.config.MissingPolicy;
import io.pvesync.config.Secret;
import io.pvesync.config.TlsConfig;
import io.pvesync.details.Enrichment;
import io.pvesync.details.GuestDetails;
import io.pvesync.details.GuestPass;
import io.pvesync.inventory.KnownVm;
import io.pvesync.inventory.ObservedVm;
import io.pvesync.inventory.ResourceMapper;
import io.pvesync.inventory.Snapshot;
import io.pvesync.inventory.TaskWindow;
import io.pvesync.proxmox.ApiCall;
import io.pvesync.proxmox.ProxmoxClient;
import io.pvesync.proxmox.ProxmoxException;
import io.pvesync.testing.MutableClock;
import io.pvesync.testing.RecordingApi;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The per-node queue's priorities (DESIGN.md 3.6, "Two speeds"): with one request in flight per
 * node, a pass asks in order of need: the marker of a VMID in doubt, then a new VM's, then the
 * addresses of the VM in doubt, the new one, one whose status changed, and last the ones merely due
 * for a refresh.
 */
class LookupQueueOrderTest {
    private static final Duration REFRESH = Duration.ofMinutes(15);
    private static final String CONFIG = "qemu/config ";
    private static final String AGENT = "qemu/agent/network-get-interfaces ";

    @Test
    void aVmInDoubtIsLookedAtBeforeANewOneAChangedOneAndARefresh() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-12-04T10:00:00Z"));
        try (ProxmoxSimulator sim = SimHarness.plain().nodes(1).vms(6).containers(0).templates(0).seed(11).start();
             ProxmoxClient client = new ProxmoxClient(config(sim))) {
            RecordingApi api = new RecordingApi(client);
            List<SimVm> vms = sim.vms();
            vms.forEach(vm -> sim.setAgent(vm.vmid(), AgentState.RUNNING));
            int started = vms.get(0).vmid();
            sim.stop(started);
            try (GuestDetails details = new GuestDetails(api, 1, REFRESH, Duration.ofMinutes(1), clock)) {
                TaskWindow firstTasks = tasks(client);
                Enrichment first = details.enrich(listing(client), Map.of(), true, firstTasks);
                details.settled(first.snapshot(), Set.of(), firstTasks.mark());
                Map<Integer, KnownVm> known = first.snapshot().vms().stream().collect(Collectors.toMap(
                        ObservedVm::vmid, v -> new KnownVm(v.vmid(), v.name(), v.status(), v.node(), v.ipAddress(),
                                v.incarnation())));

                // every address is due for its refresh; then one VM starts, a VMID is reused, one is new
                clock.advance(REFRESH.plusMinutes(1));
                sim.start(started);
                int reused = vms.get(1).vmid();
                sim.reuseVmid(reused);
                sim.setAgent(reused, AgentState.RUNNING);
                int fresh = sim.create(SimVm.Kind.QEMU, sim.nodes().get(0));
                sim.setAgent(fresh, AgentState.RUNNING);
                List<Integer> refreshed = sim.vms().stream().filter(vm -> vm.status().equals("running"))
                        .map(SimVm::vmid)
                        .filter(vmid -> vmid != started && vmid != reused && vmid != fresh).toList();
                api.calls.clear();

                // as a poll runs it: the listing's write, the markers', the addresses'
                GuestPass pass = details.begin(listing(client), known, false, tasks(client));
                pass.listing();
                pass.markers();
                pass.addresses();

                List<String> calls = api.calls;
                assertThat(calls.subList(0, 2)).as("%s", calls).containsExactly(CONFIG + reused, CONFIG + fresh);
                assertThat(calls.subList(2, 5)).as("%s", calls)
                        .containsExactly(AGENT + reused, AGENT + fresh, AGENT + started);
                assertThat(calls.subList(5, calls.size())).as("%s", calls)
                        .containsExactlyInAnyOrderElementsOf(refreshed.stream().map(vmid -> AGENT + vmid).toList());
            }
        }
    }

    private static Snapshot listing(ProxmoxClient client) throws ProxmoxException {
        return new ResourceMapper("lab", false).map(client.get(ApiCall.clusterResources()), Instant.now());
    }

    private static TaskWindow tasks(ProxmoxClient client) throws ProxmoxException {
        return TaskWindow.of(client.get(ApiCall.clusterTasks()));
    }

    private static ClusterConfig config(ProxmoxSimulator sim) {
        return new ClusterConfig("lab", sim.endpoints(), SimHarness.TOKEN_ID, Secret.of(SimHarness.SECRET),
                TlsConfig.systemDefault(), false, Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(2),
                1, REFRESH, MissingPolicy.DEFAULT);
    }
}
