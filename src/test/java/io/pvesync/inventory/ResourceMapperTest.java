package io.pvesync.inventory;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.JsonNode;
import io.pvesync.testing.LogCapture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ResourceMapperTest {

    private static final Instant AT = Instant.parse("2026-03-01T10:00:00Z");

    private static Snapshot map(String fixture, boolean containers) {
        return new ResourceMapper("lab", containers).map(Fixtures.data("cluster-resources/" + fixture), AT);
    }

    /** A listing with node pve1 online and the given guest entries. */
    private static JsonNode listing(String... guests) {
        return Fixtures.parse("[{\"type\":\"node\",\"node\":\"pve1\",\"status\":\"online\"},"
                + String.join(",", guests) + "]");
    }

    private static String guest(int vmid, String extra) {
        return "{\"type\":\"qemu\",\"id\":\"qemu/" + vmid + "\",\"vmid\":" + vmid + ",\"node\":\"pve1\",\"template\":0,"
                + "\"maxcpu\":2,\"maxmem\":2147483648,\"maxdisk\":34359738368" + extra + "}";
    }

    private static ObservedVm only(Snapshot snapshot) {
        assertThat(snapshot.vms()).hasSize(1);
        return snapshot.vms().get(0);
    }

    @Test
    void mapsTheRecordedListing() {
        Snapshot snapshot = map("mixed.json", false);

        assertThat(snapshot.cluster()).isEqualTo("lab");
        assertThat(snapshot.takenAt()).isEqualTo(AT);
        assertThat(snapshot.nodes()).isEqualTo(Map.of("node1", NodeState.ONLINE, "node2", NodeState.ONLINE));
        assertThat(snapshot.vms()).containsExactly(
                new ObservedVm(100, VmKind.QEMU, "node2", "server1", VmStatus.RUNNING, 1, 1024, 32, null, null),
                new ObservedVm(200, VmKind.QEMU, "node1", "VM 200", VmStatus.STOPPED, 2, 2048, 10, null, null));
        assertThat(snapshot.held()).isEmpty();
        // templates 101 (template: 1) and 202 (template: "1"), container 300
        assertThat(snapshot.skipped()).isEqualTo(3);
    }

    @Test
    void containersAreMappedOnlyWhenEnabled() {
        Snapshot snapshot = map("mixed.json", true);

        assertThat(snapshot.vms()).extracting(ObservedVm::vmid).containsExactly(100, 200, 300);
        assertThat(snapshot.vms().get(2))
                .isEqualTo(new ObservedVm(300, VmKind.LXC, "node1", "ct300", VmStatus.RUNNING, 1, 512, 8, null, null));
        assertThat(snapshot.skipped()).isEqualTo(2);
    }

    @Test
    void byteCountsBeyond32BitsInEverySpellingRoundToTheNearestUnit() {
        Map<Integer, ObservedVm> vms = byVmid(map("lenient-numbers.json", true));

        assertThat(vms.get(110)).extracting("cpuCores", "memoryMb", "diskGb").containsExactly(16, 63538, 32);
        // numbers as strings, vmid and template included
        assertThat(vms.get(111)).extracting("cpuCores", "memoryMb", "diskGb").containsExactly(4, 1953, 64);
        // exponent form, as a string and as a number
        assertThat(vms.get(112)).extracting("memoryMb", "diskGb").containsExactly(63538, 3238457);
        // 2048.5 MiB and 5.5 GiB round up; a byte less rounds down
        assertThat(vms.get(113)).extracting("memoryMb", "diskGb").containsExactly(2049, 6);
        assertThat(vms.get(114)).extracting("memoryMb", "diskGb").containsExactly(2048, 5);
        // LXC cpulimit: 1.5 rounds to 2, a quarter CPU is still one
        assertThat(vms.get(115).cpuCores()).isEqualTo(2);
        assertThat(vms.get(116).cpuCores()).isEqualTo(1);
    }

    private static Map<Integer, ObservedVm> byVmid(Snapshot snapshot) {
        return snapshot.vms().stream().collect(java.util.stream.Collectors.toMap(ObservedVm::vmid, v -> v));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "running, RUNNING", "inmigrate, RUNNING", "postmigrate, RUNNING", "finish-migrate, RUNNING",
            "stopped, STOPPED", "prelaunch, STOPPED", "shutdown, STOPPED",
            "paused, PAUSED", "suspended, PAUSED",
            "io-error, ERROR", "internal-error, ERROR", "guest-panicked, ERROR", "watchdog, ERROR"})
    void statusWordsOfDesign33(String word, VmStatus expected) {
        Snapshot snapshot = new ResourceMapper("lab", false)
                .map(listing(guest(104, ",\"name\":\"web\",\"status\":\"" + word + "\"")), AT);
        assertThat(only(snapshot).status()).isEqualTo(expected);
    }

    @ParameterizedTest(name = "lock {0}")
    @CsvSource({"clone", "create", "restore", "destroyed"})
    void aGuestBeingClonedCreatedRestoredOrDestroyedIsHeld(String lock) {
        // qemu-server clone_vm writes "lock: clone" first; create and restore hold "lock: create"
        Snapshot snapshot = new ResourceMapper("lab", false)
                .map(listing(guest(104, ",\"name\":\"VM 104\",\"status\":\"stopped\",\"lock\":\"" + lock + "\"")), AT);
        assertThat(snapshot.vms()).isEmpty();
        assertThat(snapshot.held()).isEqualTo(java.util.Map.of(104, "pve1"));
    }

    @ParameterizedTest(name = "lock {0}")
    @CsvSource({"backup", "migrate", "snapshot"})
    void aGuestUnderAnEverydayLockIsSynced(String lock) {
        Snapshot snapshot = new ResourceMapper("lab", false)
                .map(listing(guest(104, ",\"name\":\"web\",\"status\":\"running\",\"lock\":\"" + lock + "\"")), AT);
        assertThat(only(snapshot).status()).isEqualTo(VmStatus.RUNNING);
    }

    @Test
    void hibernatedVmIsPaused() {
        Snapshot snapshot = new ResourceMapper("lab", false)
                .map(listing(guest(104, ",\"name\":\"web\",\"status\":\"stopped\",\"lock\":\"suspended\"")), AT);
        assertThat(only(snapshot).status()).isEqualTo(VmStatus.PAUSED);
    }

    @Test
    void unknownStatusWordIsAnErrorWithOneWarningNamingIt() {
        ResourceMapper mapper = new ResourceMapper("lab", false);
        JsonNode data = listing(guest(104, ",\"name\":\"web\",\"status\":\"frobnicated\""));
        try (LogCapture log = new LogCapture(ResourceMapper.class)) {
            assertThat(only(mapper.map(data, AT)).status()).isEqualTo(VmStatus.ERROR);
            mapper.map(data, AT); // same state next poll: not logged again

            assertThat(log.messages(Level.WARN)).containsExactly("cluster=lab vmid=104 - unrecognised status"
                    + " \"frobnicated\" stored as error (report it to the pvesync maintainers with the Proxmox version)");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ",\"name\":\"\"", ",\"name\":\"   \""})
    void vmWithoutANameIsCalledVmAndItsId(String name) {
        Snapshot snapshot = new ResourceMapper("lab", false)
                .map(listing(guest(104, name + ",\"status\":\"running\"")), AT);
        assertThat(only(snapshot).name()).isEqualTo("VM 104");
    }

    @Test
    void longNameIsCutTo100CharactersWithAWarning() {
        String name = "n".repeat(99) + "\uD83D\uDE00" + "tail".repeat(10);
        try (LogCapture log = new LogCapture(ResourceMapper.class)) {
            Snapshot snapshot = new ResourceMapper("lab", false)
                    .map(listing(guest(104, ",\"name\":\"" + name + "\",\"status\":\"running\"")), AT);

            // 99 letters and the emoji: 100 characters, the surrogate pair kept whole
            assertThat(only(snapshot).name()).isEqualTo("n".repeat(99) + "\uD83D\uDE00");
            assertThat(log.messages(Level.WARN)).containsExactly("cluster=lab vmid=104 - name has 140 characters,"
                    + " stored cut to 100 (rename the guest to keep its full name)");
        }
    }

    @Test
    void guestsOfOfflineOrUnlistedNodesAndWithoutDataAreHeld() {
        Snapshot snapshot = map("offline-node.json", false);

        assertThat(snapshot.nodes()).isEqualTo(Map.of("pve1", NodeState.ONLINE, "pve2", NodeState.OFFLINE));
        assertThat(snapshot.vms()).extracting(ObservedVm::vmid).containsExactly(100);
        // 104: stale "running" on an offline node; 1002: degraded entry; 1003: status unknown on an
        // online node; 105: its node has no entry
        assertThat(snapshot.held()).isEqualTo(Map.of(104, "pve2", 1002, "pve2", 1003, "pve1", 105, "pve3"));
        assertThat(snapshot.skipped()).isZero();
        assertThat(snapshot.isOnline("pve2")).isFalse();
    }

    @Test
    void entryWithoutNameAndSizesIsHeldEvenOnAnOnlineNode() {
        Snapshot snapshot = new ResourceMapper("lab", false).map(listing(
                "{\"type\":\"qemu\",\"id\":\"qemu/1004\",\"vmid\":1004,\"node\":\"pve1\",\"status\":\"running\"}"), AT);
        assertThat(snapshot.vms()).isEmpty();
        assertThat(snapshot.held()).isEqualTo(Map.of(1004, "pve1"));
    }

    @Test
    void entriesWithWrongTypesAreSkippedAndTheRestMapped() {
        try (LogCapture log = new LogCapture(ResourceMapper.class)) {
            Snapshot snapshot = map("bad-types.json", false);

            assertThat(snapshot.vms()).containsExactly(
                    new ObservedVm(125, VmKind.QEMU, "pve1", "fine", VmStatus.RUNNING, 2, 2048, 32, null, null));
            // 120, {}, 122, 123, 0, 124, "not an entry"
            assertThat(snapshot.skipped()).isEqualTo(7);
            // readable vmid and node: held, so the store keeps the row instead of marking it missing
            assertThat(snapshot.held()).isEqualTo(Map.of(120, "pve1", 122, "pve1", 123, "pve1", 124, "pve1"));
            assertThat(log.messages(Level.WARN)).containsExactly(
                    "cluster=lab vmid=120 - /cluster/resources entry skipped, field maxmem: not a number: \"lots\";"
                            + " its row is left as it is (check the guest's config on node pve1)",
                    "cluster=lab vmid=? - /cluster/resources entry skipped, field vmid: expected a number, got an"
                            + " object; its row is left as it is (check the guest's config on node ?)",
                    "cluster=lab vmid=122 - /cluster/resources entry skipped, field maxcpu: expected a number, got an"
                            + " array; its row is left as it is (check the guest's config on node pve1)",
                    "cluster=lab vmid=123 - /cluster/resources entry skipped, field maxdisk: negative value -1;"
                            + " its row is left as it is (check the guest's config on node pve1)",
                    "cluster=lab vmid=? - /cluster/resources entry skipped, field vmid: out of range 1..999999999: 0;"
                            + " its row is left as it is (check the guest's config on node ?)",
                    "cluster=lab vmid=124 - /cluster/resources entry skipped, field name: expected text, got an"
                            + " object; its row is left as it is (check the guest's config on node pve1)",
                    "cluster=lab - a /cluster/resources entry that is not an object (\"not an entry\") was skipped");
        }
    }

    @Test
    void duplicateVmidKeepsTheFirstEntry() {
        try (LogCapture log = new LogCapture(ResourceMapper.class)) {
            Snapshot snapshot = map("duplicate-vmid.json", false);

            assertThat(only(snapshot).name()).isEqualTo("first");
            assertThat(snapshot.skipped()).isEqualTo(1);
            assertThat(log.messages(Level.WARN)).containsExactly(
                    "cluster=lab vmid=130 - listed twice in one /cluster/resources answer; the first entry is used");
        }
    }

    @Test
    void oddEntriesNeverThrow() {
        JsonNode data = Fixtures.parse("[null, 1, [], {}, {\"type\": \"qemu\"}, {\"type\": {}},"
                + " {\"type\": \"qemu\", \"vmid\": 1e400, \"node\": \"pve1\"},"
                + " {\"type\": \"qemu\", \"vmid\": \"1e999999999\", \"node\": \"pve1\"},"
                + " {\"type\": \"qemu\", \"vmid\": 7, \"node\": []},"
                + " {\"type\": \"qemu\", \"vmid\": 8, \"node\": \"pve1\", \"template\": \"yes\"},"
                + " {\"type\": \"lxc\", \"vmid\": 9, \"node\": \"pve1\", \"status\": {}},"
                + " {\"type\": \"node\", \"node\": {}, \"status\": \"online\"}]");

        Snapshot snapshot = new ResourceMapper("lab", true).map(data, AT);

        assertThat(snapshot.vms()).isEmpty();
        assertThat(snapshot.nodes()).isEmpty();
        // null, 1, [], no vmid, infinite vmid, huge vmid, node [], template "yes"
        assertThat(snapshot.skipped()).isEqualTo(8);
        // 9's node has no entry, so it is held before its status is read
        assertThat(snapshot.held()).isEqualTo(Map.of(8, "pve1", 9, "pve1"));
    }

    @Test
    void aListingThatIsNotAnArrayIsRefused() {
        ResourceMapper mapper = new ResourceMapper("lab", false);
        assertThatThrownBy(() -> mapper.map(Fixtures.parse("{\"vmid\": 1}"), AT))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("cluster lab: /cluster/resources answered an object where a list of resources was expected");
        assertThatThrownBy(() -> mapper.map(null, AT))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("cluster lab: /cluster/resources answered nothing where a list of resources was expected");
    }
}
