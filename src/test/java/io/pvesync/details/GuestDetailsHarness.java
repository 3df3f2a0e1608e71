package io.pvesync.details;

import io.pvesync.inventory.KnownVm;
import io.pvesync.inventory.NodeState;
import io.pvesync.inventory.ObservedVm;
import io.pvesync.inventory.Snapshot;
import io.pvesync.inventory.VmKind;
import io.pvesync.inventory.VmStatus;

import io.pvesync.testing.MutableClock;
import io.pvesync.config.ClusterConfig;
import io.pvesync.config.MissingPolicy;
import io.pvesync.config.Secret;
import io.pvesync.config.TlsConfig;
import io.pvesync.proxmox.ProxmoxClient;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The fetcher over real HTTP: MockWebServer answering recorded Proxmox bodies by path, pvesync's
 * own {@link ProxmoxClient}, and a clock the test moves.
 */
abstract class GuestDetailsHarness {

    static final Duration REFRESH = Duration.ofMinutes(15);

    final FakeProxmox pve = new FakeProxmox();
    final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T10:00:00Z"));
    private MockWebServer server;
    ProxmoxClient api;

    @BeforeEach
    void startServer() throws IOException {
        server = new MockWebServer();
        server.setDispatcher(pve);
        server.start();
        ClusterConfig config = new ClusterConfig("lab", List.of(server.url("/").uri()), "pvesync@pve!inventory",
                Secret.of("test-secret"), TlsConfig.systemDefault(), true, Duration.ofSeconds(5),
                Duration.ofSeconds(10), Duration.ofSeconds(10), 2, REFRESH, MissingPolicy.DEFAULT);
        api = new ProxmoxClient(config);
    }

    @AfterEach
    void stopServer() {
        api.close();
        server.close();
    }

    GuestDetails details(int perNode) {
        return new GuestDetails(api, perNode, REFRESH, clock);
    }

    static ObservedVm qemu(int vmid, String node, VmStatus status) {
        return new ObservedVm(vmid, VmKind.QEMU, node, "vm" + vmid, status, 2, 2048, 32, null, null);
    }

    static ObservedVm lxc(int vmid, String node, VmStatus status) {
        return new ObservedVm(vmid, VmKind.LXC, node, "ct" + vmid, status, 1, 512, 8, null, null);
    }

    /** A listing of these guests with every node they name online. */
    static Snapshot snapshot(ObservedVm... vms) {
        Map<String, NodeState> nodes = Arrays.stream(vms)
                .collect(Collectors.toMap(ObservedVm::node, v -> NodeState.ONLINE, (a, b) -> a));
        return new Snapshot("lab", Instant.EPOCH, List.of(vms), nodes, Map.of(), 0);
    }

    /** The store's view after a pass that stored what {@code vm} shows. */
    static Map<Integer, KnownVm> known(ObservedVm vm, String ip, String incarnation) {
        return Map.of(vm.vmid(), new KnownVm(vm.vmid(), vm.name(), vm.status(), vm.node(), ip, incarnation));
    }

    static ObservedVm vm(Enrichment result, int vmid) {
        return result.snapshot().vms().stream().filter(v -> v.vmid() == vmid).findFirst().orElseThrow();
    }

    static String config(ObservedVm vm) {
        return "/nodes/" + vm.node() + "/" + vm.kind().wireName() + "/" + vm.vmid() + "/config";
    }

    static String agent(ObservedVm vm) {
        return "/nodes/" + vm.node() + "/qemu/" + vm.vmid() + "/agent/network-get-interfaces";
    }

    static String interfaces(ObservedVm vm) {
        return "/nodes/" + vm.node() + "/lxc/" + vm.vmid() + "/interfaces";
    }
}
