package io.pvesync.sim;

import static io.pvesync.sim.SimHarness.entry;
import static io.pvesync.sim.SimHarness.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
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

/** A QEMU clone as qemu-server's clone_vm makes it: temporary config, locked listing, qmclone task, copied meta. */
class ProxmoxSimulatorCloneTest {

    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
    private static final int NEW = 300;

    private final MutableClock clock = new MutableClock(T0);
    private ProxmoxSimulator sim;

    @BeforeEach
    void start() {
        sim = SimHarness.plain().nodes(3).vms(6).containers(1).templates(4).seed(12).clock(clock).start();
    }

    @AfterEach
    void stop() {
        sim.close();
    }

    @Test
    void aRunningCloneIsListedLockedWithoutDataAndItsConfigIsOnlyTheLock() {
        SimVm template = template(false);

        sim.cloneStart(template.vmid(), NEW, "web-300");

        JsonNode listed = entry(get(sim, "/cluster/resources").data(), "qemu/" + NEW);
        assertThat(names(listed)).containsExactly("id", "lock", "node", "status", "type", "vmid");
        assertThat(listed.get("status").asText()).isEqualTo("unknown");
        assertThat(listed.get("lock").asText()).isEqualTo("clone");
        assertThat(listed.get("node").asText()).isEqualTo(template.node());
        JsonNode config = get(sim, configPath(template.node(), NEW)).data();
        assertThat(names(config)).containsExactly("digest", "lock");
        assertThat(config.get("lock").asText()).isEqualTo("clone");
        SimVm shown = sim.vm(NEW).orElseThrow();
        assertThat(shown.lock()).isEqualTo("clone");
        assertThat(shown.uuid()).isNull();
        assertThat(shown.marker()).isNull();
        assertThat(sim.inProgress()).containsExactly(NEW);
    }

    @Test
    void afterPvestatdsFirstBroadcastTheEntryShowsTheTemporaryConfigsDefaults() {
        SimVm template = template(false);
        sim.cloneStart(template.vmid(), NEW, "web-300");

        clock.advance(Duration.ofSeconds(10));

        JsonNode listed = entry(get(sim, "/cluster/resources").data(), "qemu/" + NEW);
        assertThat(listed.get("status").asText()).isEqualTo("stopped");
        assertThat(listed.get("name").asText()).isEqualTo("VM " + NEW);
        assertThat(listed.get("maxcpu").asInt()).isEqualTo(1);
        assertThat(listed.get("maxmem").asLong()).isEqualTo(512L << 20);
        assertThat(listed.get("maxdisk").asLong()).isZero();
        assertThat(listed.get("template").asInt()).isZero();
        assertThat(listed.get("lock").asText()).isEqualTo("clone");
    }

    @Test
    void aCloudInitDriveIsCopiedFirstSoTheLockedConfigSoonHasEverythingButTheBootDisk() {
        SimVm template = template(true);
        sim.cloneStart(template.vmid(), NEW, "web-300");

        clock.advance(Duration.ofSeconds(1));

        JsonNode config = get(sim, configPath(template.node(), NEW)).data();
        assertThat(config.get("lock").asText()).isEqualTo("clone");
        assertThat(config.has("scsi0")).isFalse();
        assertThat(config.get("ide2").asText()).isEqualTo("local-lvm:vm-" + NEW + "-cloudinit,media=cdrom");
        assertThat(config.get("name").asText()).isEqualTo("web-300");
        assertThat(config.get("smbios1").asText()).startsWith("uuid=");
        assertThat(sim.vm(NEW).orElseThrow().marker()).isEqualTo("uuid:" + uuidOf(config));
    }

    @Test
    void aFinishedCloneHasTheTemplatesOptionsAndCtimeWithNewUuidVmgenidAndMac() {
        SimVm template = template(true);
        JsonNode source = get(sim, configPath(template.node(), template.vmid())).data();
        sim.cloneStart(template.vmid(), NEW, "web-300");
        clock.advance(Duration.ofSeconds(30));

        sim.cloneFinish(NEW);

        JsonNode clone = get(sim, configPath(template.node(), NEW)).data();
        assertThat(clone.get("meta").asText()).isEqualTo(source.get("meta").asText());
        assertThat(clone.get("smbios1").asText()).startsWith("uuid=").isNotEqualTo(source.get("smbios1").asText());
        assertThat(clone.get("vmgenid").asText()).isNotEqualTo(source.get("vmgenid").asText());
        assertThat(mac(clone)).isNotEqualTo(mac(source));
        assertThat(clone.get("net0").asText().replace(mac(clone), "MAC"))
                .isEqualTo(source.get("net0").asText().replace(mac(source), "MAC"));
        assertThat(clone.get("name").asText()).isEqualTo("web-300");
        assertThat(clone.has("lock")).isFalse();
        assertThat(clone.has("template")).isFalse();
        assertThat(clone.get("scsi0").asText()).isEqualTo(source.get("scsi0").asText()
                .replace("base-" + template.vmid(), "vm-" + NEW));
        Set<String> copied = names(source);
        copied.removeAll(Set.of("digest", "smbios1", "vmgenid", "net0", "name", "template", "scsi0", "ide2"));
        for (String key : copied) {
            assertThat(clone.get(key)).as(key).isEqualTo(source.get(key));
        }
        SimVm done = sim.vm(NEW).orElseThrow();
        assertThat(done.template()).isFalse();
        assertThat(done.status()).isEqualTo("stopped");
        assertThat(done.lock()).isNull();
        assertThat(done.ctime()).isEqualTo(template.ctime());
        assertThat(done.uuid()).isEqualTo(uuidOf(clone)).isNotEqualTo(template.uuid());
        assertThat(done.marker()).isEqualTo("uuid:" + uuidOf(clone));
        JsonNode listed = entry(get(sim, "/cluster/resources").data(), "qemu/" + NEW);
        assertThat(listed.get("name").asText()).isEqualTo("web-300");
        assertThat(listed.get("status").asText()).isEqualTo("stopped");
        assertThat(listed.has("lock")).isFalse();
        assertThat(sim.inProgress()).isEmpty();
    }

    @Test
    void theQmcloneTaskCarriesTheSourceVmidOnTheSourcesNodeAndEndsWithTheClone() {
        SimVm template = template(false);
        long started = T0.getEpochSecond();
        sim.cloneStart(template.vmid(), NEW, null);

        JsonNode running = only(tasks(), "qmclone");
        assertThat(running.get("id").asText()).isEqualTo(Integer.toString(template.vmid()));
        assertThat(running.get("node").asText()).isEqualTo(template.node());
        assertThat(running.get("user").asText()).isEqualTo("root@pam");
        assertThat(running.get("starttime").asLong()).isEqualTo(started);
        assertThat(running.has("pid")).isTrue();
        assertThat(running.has("endtime")).isFalse();
        assertThat(running.has("status")).isFalse();
        assertThat(running.get("upid").asText()).matches("UPID:" + template.node()
                + ":[0-9A-F]{8}:[0-9A-F]{8}:" + String.format("%08X", started) + ":qmclone:" + template.vmid()
                + ":root@pam:");
        assertThat(tasks()).noneMatch(t -> t.get("id").asText().equals(Integer.toString(NEW)));

        clock.advance(Duration.ofSeconds(42));
        sim.cloneFinish(NEW);

        JsonNode ended = only(tasks(), "qmclone");
        assertThat(ended.get("upid").asText()).isEqualTo(running.get("upid").asText());
        assertThat(ended.get("endtime").asLong()).isEqualTo(started + 42);
        assertThat(ended.get("status").asText()).isEqualTo("OK");
        assertThat(ended.has("pid")).isFalse();
        assertThat(sim.vm(NEW).orElseThrow().name()).isEqualTo("Copy-of-VM-" + template.name());
    }

    @Test
    void aCloneIntoAnExistingVmidIsRefusedUntilThatVmIsDestroyed() {
        SimVm template = template(false);
        SimVm taken = sim.vms().stream().filter(v -> v.kind() == Kind.QEMU && !v.template()).findFirst().orElseThrow();
        int tasksBefore = tasks().size();

        assertThatThrownBy(() -> sim.cloneStart(template.vmid(), taken.vmid(), "again"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unable to create VM " + taken.vmid() + ": config file already exists");
        assertThat(tasks()).hasSize(tasksBefore);
        assertThat(sim.vm(taken.vmid())).contains(taken);

        sim.delete(taken.vmid());
        sim.cloneStart(template.vmid(), taken.vmid(), "again");
        assertThat(tasks()).anyMatch(t -> t.get("type").asText().equals("qmdestroy")
                && t.get("id").asText().equals(Integer.toString(taken.vmid())));
        assertThat(sim.vm(taken.vmid()).orElseThrow().lock()).isEqualTo("clone");
    }

    @Test
    void twoClonesOfOneTemplateInOneVmidShareTheCtimeButNotTheUuid() {
        SimVm template = template(false);
        sim.cloneStart(template.vmid(), NEW, "first");
        sim.cloneFinish(NEW);
        SimVm first = sim.vm(NEW).orElseThrow();

        sim.delete(NEW);
        clock.advance(Duration.ofMinutes(5));
        sim.cloneStart(template.vmid(), NEW, "second");
        sim.cloneFinish(NEW);
        SimVm second = sim.vm(NEW).orElseThrow();

        assertThat(second.ctime()).isEqualTo(first.ctime()).isEqualTo(template.ctime());
        assertThat(second.uuid()).isNotEqualTo(first.uuid());
        assertThat(second.marker()).isNotEqualTo(first.marker());
        assertThat(second.mac()).isNotEqualTo(first.mac());
    }

    @Test
    void aGuestBeingClonedCannotBeChangedAndAContainerCannotBeClonedHere() {
        SimVm template = template(false);
        SimVm container = sim.vms().stream().filter(v -> v.kind() == Kind.LXC).findFirst().orElseThrow();
        sim.cloneStart(template.vmid(), NEW, null);

        assertThatThrownBy(() -> sim.start(NEW)).isInstanceOf(IllegalStateException.class)
                .hasMessage("VM " + NEW + " is busy: its clone has not finished");
        assertThatThrownBy(() -> sim.delete(NEW)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> sim.cloneFinish(template.vmid())).isInstanceOf(IllegalStateException.class)
                .hasMessage("no clone is running into " + template.vmid());
        assertThatThrownBy(() -> sim.cloneStart(container.vmid(), NEW + 1, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("cannot clone CT " + container.vmid() + ": only QEMU VMs");
    }

    // ---- helpers ----

    /** A QEMU template whose config has (or has not) a cloud-init drive, which clone_vm copies first. */
    private SimVm template(boolean cloudInit) {
        for (SimVm vm : sim.vms()) {
            if (vm.template() && vm.kind() == Kind.QEMU
                    && get(sim, configPath(vm.node(), vm.vmid())).data().has("ide2") == cloudInit) {
                return vm;
            }
        }
        throw new AssertionError("seed 12 has no template with cloud-init " + cloudInit);
    }

    private List<JsonNode> tasks() {
        List<JsonNode> result = new ArrayList<>();
        get(sim, "/cluster/tasks").data().forEach(result::add);
        return result;
    }

    private static JsonNode only(List<JsonNode> tasks, String type) {
        List<JsonNode> found = tasks.stream().filter(t -> t.get("type").asText().equals(type)).toList();
        assertThat(found).hasSize(1);
        return found.get(0);
    }

    private static String configPath(String node, int vmid) {
        return "/nodes/" + node + "/qemu/" + vmid + "/config";
    }

    private static Set<String> names(JsonNode object) {
        Set<String> names = new TreeSet<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static String mac(JsonNode config) {
        return config.get("net0").asText().replaceAll("^virtio=([0-9A-F:]{17}),.*$", "$1");
    }

    private static String uuidOf(JsonNode config) {
        return config.get("smbios1").asText().replaceAll("^uuid=", "");
    }
}
