package io.pvesync.sim;

import static io.pvesync.sim.SimHarness.entry;
import static io.pvesync.sim.SimHarness.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pvesync.sim.SimVm.Kind;
import io.pvesync.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Backups and restores as vzdump, qemu-server's restore_vma_archive and pve-container's create_vm make them. */
class ProxmoxSimulatorRestoreTest {

    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

    private final MutableClock clock = new MutableClock(T0);
    private ProxmoxSimulator sim;
    private SimVm vm;
    private String configPath;

    @BeforeEach
    void start() {
        sim = SimHarness.plain().nodes(2).vms(5).containers(2).templates(1).seed(21).clock(clock).start();
        vm = sim.vms().stream().filter(v -> v.kind() == Kind.QEMU && !v.template()).findFirst().orElseThrow();
        configPath = "/nodes/" + vm.node() + "/qemu/" + vm.vmid() + "/config";
        if (!"stopped".equals(vm.status())) {
            sim.stop(vm.vmid());
        }
    }

    @AfterEach
    void stop() {
        sim.close();
    }

    @Test
    void aRestoreOverTheVmKeepsItsUuidCtimeAndMacAndNamesTheBackupsConfig() {
        JsonNode backedUp = get(sim, configPath).data();
        Backup backup = sim.backup(vm.vmid());
        sim.rename(vm.vmid(), "renamed-since");
        sim.resize(vm.vmid(), 6, 6144, 90);

        sim.restoreStart(vm.vmid(), backup);
        clock.advance(Duration.ofMinutes(3));
        sim.restoreFinish(vm.vmid());

        JsonNode restored = get(sim, configPath).data();
        assertThat(restored.get("smbios1")).isEqualTo(backedUp.get("smbios1"));
        assertThat(restored.get("meta")).isEqualTo(backedUp.get("meta"));
        assertThat(restored.get("net0")).isEqualTo(backedUp.get("net0"));
        assertThat(restored.get("vmgenid")).isNotEqualTo(backedUp.get("vmgenid")); // "always generate a new vmgenid"
        assertThat(withoutVolatile(restored)).isEqualTo(withoutVolatile(backedUp));
        SimVm after = sim.vm(vm.vmid()).orElseThrow();
        assertThat(after.uuid()).isEqualTo(vm.uuid());
        assertThat(after.ctime()).isEqualTo(vm.ctime());
        assertThat(after.mac()).isEqualTo(vm.mac());
        assertThat(after.marker()).isEqualTo(vm.marker());
        assertThat(after.name()).isEqualTo(vm.name());
        assertThat(after.lock()).isNull();
        assertThat(after.status()).isEqualTo("stopped");
        assertThat(backup.volid()).isEqualTo("backup:backup/vzdump-qemu-" + vm.vmid() + "-2026_03_01-10_00_00.vma.zst");
    }

    @Test
    void whileRestoringTheOldConfigIsLockedThenOnlyVmasTemporaryMemoryLineIsLeft() {
        Backup backup = sim.backup(vm.vmid());
        sim.rename(vm.vmid(), "renamed-since");
        JsonNode old = get(sim, configPath).data();

        sim.restoreStart(vm.vmid(), backup);

        // create_and_lock_config with force: the existing config plus lock: create
        JsonNode locked = get(sim, configPath).data();
        assertThat(locked.get("lock").asText()).isEqualTo("create");
        assertThat(locked.get("name").asText()).isEqualTo("renamed-since");
        assertThat(locked.get("smbios1")).isEqualTo(old.get("smbios1"));
        JsonNode listed = listed();
        assertThat(listed.get("lock").asText()).isEqualTo("create");
        assertThat(listed.get("name").asText()).isEqualTo("renamed-since");
        assertThat(sim.vm(vm.vmid()).orElseThrow().lock()).isEqualTo("create");

        clock.advance(Duration.ofSeconds(2));

        // restore_vma_archive: "memory: 128\n", no lock line, while the disks are extracted
        JsonNode temporary = get(sim, configPath).data();
        assertThat(names(temporary)).containsExactly("digest", "memory");
        assertThat(temporary.get("memory").asText()).isEqualTo("128");
        assertThat(listed().has("lock")).isFalse();
        assertThat(listed().get("name").asText()).isEqualTo("renamed-since"); // pvestatd has not broadcast yet
        SimVm shown = sim.vm(vm.vmid()).orElseThrow();
        assertThat(shown.marker()).isNull();
        assertThat(shown.lock()).isNull();

        clock.advance(Duration.ofSeconds(8));

        JsonNode later = listed();
        assertThat(later.get("name").asText()).isEqualTo("VM " + vm.vmid());
        assertThat(later.get("maxmem").asLong()).isEqualTo(128L << 20);
        assertThat(later.get("maxcpu").asInt()).isEqualTo(1);
        assertThat(later.get("maxdisk").asLong()).isZero();
        assertThat(later.get("status").asText()).isEqualTo("stopped");
        assertThat(sim.inProgress()).containsExactly(vm.vmid());
    }

    @Test
    void theRestoreRunsAsOneQmrestoreTaskWithoutASeparateDestroy() {
        Backup backup = sim.backup(vm.vmid());
        assertThat(tasks("vzdump")).singleElement()
                .satisfies(t -> assertThat(t.get("id").asText()).isEqualTo(Integer.toString(vm.vmid())));

        clock.advance(Duration.ofMinutes(1));
        sim.restoreStart(vm.vmid(), backup);

        JsonNode running = tasks("qmrestore").get(0);
        assertThat(running.get("id").asText()).isEqualTo(Integer.toString(vm.vmid()));
        assertThat(running.get("node").asText()).isEqualTo(vm.node());
        assertThat(running.has("endtime")).isFalse();
        assertThat(tasks("qmdestroy")).isEmpty();

        clock.advance(Duration.ofMinutes(2));
        sim.restoreFinish(vm.vmid());

        JsonNode ended = tasks("qmrestore").get(0);
        assertThat(ended.get("status").asText()).isEqualTo("OK");
        assertThat(ended.get("endtime").asLong() - ended.get("starttime").asLong()).isEqualTo(120);
    }

    @Test
    void aRestoreIntoANewVmidIsOnlyTheCreateLockUntilItsArchiveIsRead() {
        Backup backup = sim.backup(vm.vmid());
        int fresh = 400;

        sim.restoreStart(fresh, backup);

        JsonNode config = get(sim, "/nodes/" + vm.node() + "/qemu/" + fresh + "/config").data();
        assertThat(names(config)).containsExactly("digest", "lock");
        assertThat(config.get("lock").asText()).isEqualTo("create");
        JsonNode listed = entry(get(sim, "/cluster/resources").data(), "qemu/" + fresh);
        assertThat(listed.get("status").asText()).isEqualTo("unknown");
        assertThat(listed.has("name")).isFalse();

        sim.restoreFinish(fresh);

        // the same backup twice: two VMs with one smbios1 uuid, as on a real cluster
        assertThat(sim.vm(fresh).orElseThrow().uuid()).isEqualTo(vm.uuid());
    }

    @Test
    void uniqueGivesTheRestoredVmANewUuidAndMacButKeepsItsCtime() {
        Backup backup = sim.backup(vm.vmid());

        sim.restoreStart(vm.vmid(), backup, true);
        sim.restoreFinish(vm.vmid());

        SimVm after = sim.vm(vm.vmid()).orElseThrow();
        assertThat(after.uuid()).isNotEqualTo(vm.uuid());
        assertThat(after.mac()).isNotEqualTo(vm.mac());
        assertThat(after.ctime()).isEqualTo(vm.ctime());
    }

    @Test
    void aRunningVmIsNotRestoredOver() {
        Backup backup = sim.backup(vm.vmid());
        sim.start(vm.vmid());

        assertThatThrownBy(() -> sim.restoreStart(vm.vmid(), backup)).isInstanceOf(IllegalStateException.class)
                .hasMessage("unable to restore VM " + vm.vmid() + " - vm is running");
        assertThat(tasks("qmrestore")).isEmpty();
    }

    @Test
    void aContainerRestoreKeepsItsHwaddrAndShowsOnlyTheCreateLockMeanwhile() {
        SimVm ct = sim.vms().stream().filter(v -> v.kind() == Kind.LXC).findFirst().orElseThrow();
        String ctConfig = "/nodes/" + ct.node() + "/lxc/" + ct.vmid() + "/config";
        JsonNode backedUp = get(sim, ctConfig).data();
        Backup backup = sim.backup(ct.vmid());
        sim.delete(ct.vmid());

        sim.restoreStart(ct.vmid(), backup);
        clock.advance(Duration.ofSeconds(5));

        JsonNode temporary = get(sim, ctConfig).data();
        assertThat(names(temporary)).containsExactly("digest", "lock");
        assertThat(temporary.get("lock").asText()).isEqualTo("create");
        assertThat(tasks("vzrestore")).singleElement()
                .satisfies(t -> assertThat(t.get("id").asText()).isEqualTo(Integer.toString(ct.vmid())));

        sim.restoreFinish(ct.vmid());

        JsonNode restored = get(sim, ctConfig).data();
        assertThat(restored.get("net0")).isEqualTo(backedUp.get("net0"));
        assertThat(sim.vm(ct.vmid()).orElseThrow().marker()).isEqualTo(ct.marker())
                .isEqualTo("hwaddr:" + ct.mac().toLowerCase(java.util.Locale.ROOT));
        assertThat(backup.volid()).endsWith(".tar.zst");
    }

    private JsonNode listed() {
        return entry(get(sim, "/cluster/resources").data(), "qemu/" + vm.vmid());
    }

    private List<JsonNode> tasks(String type) {
        List<JsonNode> result = new ArrayList<>();
        get(sim, "/cluster/tasks").data().forEach(t -> {
            if (t.get("type").asText().equals(type)) {
                result.add(t);
            }
        });
        return result;
    }

    private static JsonNode withoutVolatile(JsonNode config) {
        ObjectNode copy = config.deepCopy();
        copy.remove(List.of("digest", "vmgenid"));
        return copy;
    }

    private static Set<String> names(JsonNode object) {
        Set<String> names = new TreeSet<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
