package io.pvesync.inventory;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.node.ArrayNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static io.pvesync.inventory.NodeState.ONLINE;
import static io.pvesync.inventory.NodeState.UNKNOWN;
import static io.pvesync.inventory.VmKind.LXC;
import static io.pvesync.inventory.VmKind.QEMU;
import static io.pvesync.inventory.VmStatus.RUNNING;
import static io.pvesync.inventory.VmStatus.STOPPED;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code /cluster/resources} answers real servers gave (PVE 5 to 9, {@code proxmox/real/README.md}),
 * mapped by {@link ResourceMapper}. Every expected value is worked out from the JSON by DESIGN 3.3:
 * memory MiB = maxmem / 2^20 and disk GiB = maxdisk / 2^30, rounded half up; cores = maxcpu;
 * templates and (unless enabled) containers skipped; a guest whose node is not online, or not in
 * the listing at all, held.
 */
class RealAnswersListingTest {

    private static final Instant AT = Instant.parse("2026-12-01T10:00:00Z");

    private static Snapshot map(String file, boolean containers) {
        return new ResourceMapper("lab", containers).map(RealAnswers.data(file), AT);
    }

    private static ObservedVm vm(int vmid, VmKind kind, String node, String name, VmStatus status, int cores,
                                 int memoryMb, int diskGb) {
        return new ObservedVm(vmid, kind, node, name, status, cores, memoryMb, diskGb, null, null);
    }

    @Test
    void pve7ListingMapsItsThreeVmsAndSkipsTheTemplate() {
        Snapshot snapshot = map("cluster-resources-pve7.4-go-proxmox.json", false);

        assertThat(snapshot.vms()).containsExactly(
                vm(100, QEMU, "node2", "server1", RUNNING, 1, 1024, 32),
                // maxmem 8388608000 = 8000 MiB exactly; maxdisk 53901000704 = 50.2 GiB
                vm(102, QEMU, "node1", "machine-test", STOPPED, 4, 8000, 50),
                vm(200, QEMU, "node1", "VM 200", STOPPED, 4, 8000, 50));
        assertThat(snapshot.nodes()).isEqualTo(
                Map.of("node1", ONLINE, "node2", ONLINE, "node3", ONLINE, "node4", ONLINE));
        assertThat(snapshot.held()).isEmpty();
        assertThat(snapshot.skipped()).isEqualTo(1); // qemu/101, template: 1
    }

    @Test
    void pve7ListingWithContainersEnabledIsTheSameItHasNone() {
        assertThat(map("cluster-resources-pve7.4-go-proxmox.json", true))
                .isEqualTo(map("cluster-resources-pve7.4-go-proxmox.json", false));
    }

    @Test
    void pve8ListingIgnoresStorageAndSdnAndSkipsTheContainer() {
        Snapshot snapshot = map("cluster-resources-pve8-proxmoxve-ha.json", false);

        // maxdisk 0: Proxmox found no bootable disk; DESIGN 3.3 maps it to 0 GiB
        assertThat(snapshot.vms()).containsExactly(vm(101, QEMU, "pve", "vm-test-101", RUNNING, 4, 8192, 0));
        assertThat(snapshot.nodes()).isEqualTo(Map.of("pve", ONLINE));
        assertThat(snapshot.held()).isEmpty();
        assertThat(snapshot.skipped()).isEqualTo(1); // lxc/100
    }

    @Test
    void pve8ListingMapsTheContainerWhenEnabled() {
        Snapshot snapshot = map("cluster-resources-pve8-proxmoxve-ha.json", true);

        assertThat(snapshot.vms()).containsExactly(
                // maxdisk 2040373248 = 1.9 GiB
                vm(100, LXC, "pve", "lxc-test-100", RUNNING, 2, 1024, 2),
                vm(101, QEMU, "pve", "vm-test-101", RUNNING, 4, 8192, 0));
        assertThat(snapshot.skipped()).isZero();
    }

    @Test
    void pve9TypeVmListingHasNoNodeEntriesSoEveryGuestIsHeld() {
        Snapshot snapshot = map("cluster-resources-pve9.0-curl-typevm.json", false);

        assertThat(snapshot.vms()).isEmpty();
        assertThat(snapshot.nodes()).isEmpty();
        assertThat(snapshot.held()).isEqualTo(Map.of(100, "server5", 102, "server5", 103, "server2", 105, "server3",
                108, "server5", 110, "server5", 112, "server5", 113, "server4", 114, "server5"));
        // templates 101 and 122, containers 104 106 107 109 111 115 116 118
        assertThat(snapshot.skipped()).isEqualTo(10);
    }

    @Test
    void pve9TypeVmListingHoldsTheContainersTooWhenEnabled() {
        Snapshot snapshot = map("cluster-resources-pve9.0-curl-typevm.json", true);

        assertThat(snapshot.vms()).isEmpty();
        assertThat(snapshot.held()).hasSize(17).containsEntry(104, "server5").containsEntry(116, "server1")
                .containsEntry(118, "server3").containsEntry(107, "server4");
        assertThat(snapshot.skipped()).isEqualTo(2);
    }

    /**
     * The same PVE 9 answer with an online entry appended for each node it names, as the listing
     * without {@code type=vm} would carry them: the test-side addition is only those five entries.
     */
    @Test
    void pve9ValuesMapOnceTheNodesAreKnownOnline() {
        ArrayNode listing = ((ArrayNode) RealAnswers.data("cluster-resources-pve9.0-curl-typevm.json")).deepCopy();
        for (String node : List.of("server1", "server2", "server3", "server4", "server5")) {
            listing.addObject().put("type", "node").put("node", node).put("status", "online");
        }

        Snapshot snapshot = new ResourceMapper("lab", true).map(listing, AT);

        assertThat(snapshot.vms()).containsExactly(
                vm(100, QEMU, "server5", "jumper", RUNNING, 8, 8192, 32),
                vm(102, QEMU, "server5", "nss-01", STOPPED, 8, 16384, 64),
                vm(103, QEMU, "server2", "Primary-Gateway", RUNNING, 2, 2048, 8),
                vm(104, LXC, "server5", "Primary-DNS", RUNNING, 1, 1024, 10),
                vm(105, QEMU, "server3", "Secondary-Gateway", RUNNING, 2, 2048, 8),
                vm(106, LXC, "server5", "dhcp", RUNNING, 2, 512, 8),
                vm(107, LXC, "server4", "Secondary-DNS", RUNNING, 2, 1024, 10),
                vm(108, QEMU, "server5", "serverless", RUNNING, 8, 4096, 32),
                vm(109, LXC, "server5", "alpine-docker", RUNNING, 1, 1024, 2),
                // maxdisk 25232932864 is exactly 23.5 GiB: half up
                vm(110, QEMU, "server5", "OKD-Admin-Client-Machine", RUNNING, 2, 8192, 24),
                vm(111, LXC, "server5", "PowerDNS", RUNNING, 2, 512, 8),
                // mem 34390517760 exceeds maxmem 34359738368; the size comes from maxmem
                vm(112, QEMU, "server5", "okd4sno-vm", RUNNING, 32, 32768, 150),
                vm(113, QEMU, "server4", "vllm", STOPPED, 4, 12288, 80),
                vm(114, QEMU, "server5", "vyos", RUNNING, 2, 2048, 8),
                vm(115, LXC, "server5", "netbox", RUNNING, 2, 4096, 10),
                // a second guest named netbox, on another node
                vm(116, LXC, "server1", "netbox", RUNNING, 2, 2048, 4),
                vm(118, LXC, "server3", "test", RUNNING, 1, 512, 8));
        assertThat(snapshot.held()).isEmpty();
        assertThat(snapshot.skipped()).isEqualTo(2);
    }

    @Test
    void pve9FullListingIgnoresPoolNetworkAndStorageEntries() {
        Snapshot snapshot = map("cluster-resources-pve9.2-pvecli-full.json", false);

        assertThat(snapshot.vms()).containsExactly(
                // two VMs share the name lab-app-01
                vm(210, QEMU, "pve", "lab-app-01", RUNNING, 2, 2048, 20),
                vm(211, QEMU, "pve", "lab-app-01", RUNNING, 2, 2048, 3),
                vm(212, QEMU, "pve", "lab-app-02", RUNNING, 2, 2048, 3));
        assertThat(snapshot.nodes()).isEqualTo(Map.of("pve", ONLINE));
        assertThat(snapshot.held()).isEmpty();
        assertThat(snapshot.skipped()).isEqualTo(3); // templates 9000, 9001; lxc/120
    }

    @Test
    void pve9FullListingMapsTheStoppedContainerWhenEnabled() {
        Snapshot snapshot = map("cluster-resources-pve9.2-pvecli-full.json", true);

        assertThat(snapshot.vms()).first().isEqualTo(vm(120, LXC, "pve", "web", STOPPED, 1, 1024, 8));
        assertThat(snapshot.vms()).hasSize(4);
        assertThat(snapshot.skipped()).isEqualTo(2);
    }

    @Test
    void pve9TypeVmListingHoldsAVmThatHasNoTemplateField() {
        Snapshot snapshot = map("cluster-resources-pve9.2-pvecli-typevm.json", false);

        // qemu/213 carries no template, cpu or mem field: not a template, held like the rest
        assertThat(snapshot.vms()).isEmpty();
        assertThat(snapshot.held()).isEqualTo(Map.of(211, "pve", 212, "pve", 213, "pve"));
        assertThat(snapshot.skipped()).isEqualTo(2); // template 9000, lxc/120
    }

    @Test
    void runningVmOnANodeWithoutEntryIsHeldBesideANodeInStatusUnknown() {
        Snapshot snapshot = map("cluster-resources-pve7-heimdall-unknown-node.json", false);

        assertThat(snapshot.vms()).isEmpty();
        assertThat(snapshot.nodes()).isEqualTo(Map.of("pve", UNKNOWN));
        assertThat(snapshot.held()).isEqualTo(Map.of(100, "pve1"));
        assertThat(snapshot.skipped()).isZero();
    }

    @Test
    void entryOfADisconnectedNodeWithoutNameOrSizesIsHeld() {
        Snapshot snapshot = map("cluster-resources-pve5-ansible-offline-entries.json", false);

        assertThat(snapshot.vms()).isEmpty();
        assertThat(snapshot.held()).isEqualTo(Map.of(104, "prx-node01", 105, "prx03-test"));
        assertThat(snapshot.skipped()).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"cluster-resources-pve7.4-go-proxmox.json", "cluster-resources-pve7-heimdall-unknown-node.json",
            "cluster-resources-pve5-ansible-offline-entries.json", "cluster-resources-pve8-proxmoxve-ha.json",
            "cluster-resources-pve9.0-curl-typevm.json", "cluster-resources-pve9.2-pvecli-full.json",
            "cluster-resources-pve9.2-pvecli-typevm.json"})
    void everyRealListingMapsAlikeStreamedOrNot(String file) throws IOException {
        for (boolean containers : List.of(false, true)) {
            try (JsonParser parser = RealAnswers.dataParser(file)) {
                Snapshot streamed = new ResourceMapper("lab", containers).mapStreamed(parser, AT);
                assertThat(streamed).isEqualTo(map(file, containers));
            }
        }
    }
}
