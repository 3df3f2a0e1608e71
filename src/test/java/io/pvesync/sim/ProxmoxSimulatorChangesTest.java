package io.pvesync.sim;

import static io.pvesync.sim.SimHarness.entry;
import static io.pvesync.sim.SimHarness.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.pvesync.sim.SimVm.Kind;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Changes over time show in the next listing; generation and random changes follow the seed. */
class ProxmoxSimulatorChangesTest {

    private static final Clock FIXED = Clock.fixed(Instant.parse("2026-03-01T10:00:00Z"), ZoneOffset.UTC);

    private final List<ProxmoxSimulator> started = new ArrayList<>();

    @AfterEach
    void stop() {
        started.forEach(ProxmoxSimulator::close);
    }

    private ProxmoxSimulator sim(long seed) {
        ProxmoxSimulator sim = SimHarness.plain().nodes(3).vms(20).containers(4).templates(1).seed(seed).clock(FIXED)
                .stringNumberShare(0.1).start();
        started.add(sim);
        return sim;
    }

    private static SimVm firstQemu(ProxmoxSimulator sim) {
        return sim.vms().stream().filter(v -> v.kind() == Kind.QEMU && !v.template()).findFirst().orElseThrow();
    }

    private static JsonNode listed(ProxmoxSimulator sim, SimVm vm) {
        return entry(get(sim, "/cluster/resources").data(), vm.kind().wire() + "/" + vm.vmid());
    }

    @Test
    void stopAndRunStatesShowInTheNextListing() {
        ProxmoxSimulator sim = sim(1);
        SimVm vm = firstQemu(sim);

        sim.start(vm.vmid());
        assertThat(listed(sim, vm).get("status").asText()).isEqualTo("running");
        sim.stop(vm.vmid());
        assertThat(listed(sim, vm).get("status").asText()).isEqualTo("stopped");
        assertThat(listed(sim, vm).get("uptime").asLong()).isZero();
        sim.setStatus(vm.vmid(), "io-error");
        assertThat(listed(sim, vm).get("status").asText()).isEqualTo("io-error");
        assertThat(sim.vm(vm.vmid()).orElseThrow().status()).isEqualTo("io-error");
        assertThatThrownBy(() -> sim.setStatus(vm.vmid(), "Running!")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void migrationMovesTheConfigAndItsLockAsToldTo() {
        ProxmoxSimulator sim = sim(1);
        SimVm vm = firstQemu(sim);
        String target = vm.node().equals("pve1") ? "pve2" : "pve1";

        sim.lock(vm.vmid(), "migrate");
        sim.migrate(vm.vmid(), target);
        JsonNode moving = listed(sim, vm);
        sim.lock(vm.vmid(), null);

        assertThat(moving.get("node").asText()).isEqualTo(target);
        assertThat(moving.get("lock").asText()).isEqualTo("migrate");
        assertThat(listed(sim, vm).has("lock")).isFalse();
        assertThat(get(sim, "/nodes/" + target + "/qemu/" + vm.vmid() + "/config").status()).isEqualTo(200);
        assertThat(get(sim, "/nodes/" + vm.node() + "/qemu/" + vm.vmid() + "/config").status()).isEqualTo(500);
        assertThatThrownBy(() -> sim.migrate(vm.vmid(), "pve7")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no node pve7; nodes are [pve1, pve2, pve3]");
    }

    @Test
    void createTakesTheLowestFreeVmidAndDeleteRemovesTheGuest() {
        ProxmoxSimulator sim = sim(1);
        sim.delete(103);

        assertThat(get(sim, "/cluster/resources").data().findValuesAsText("id")).doesNotContain("qemu/103", "lxc/103");
        int vmid = sim.create(Kind.QEMU, "pve3");
        int next = sim.create(Kind.LXC, "pve1");

        assertThat(vmid).isEqualTo(103);
        assertThat(next).isEqualTo(125); // 100..124 were taken
        JsonNode created = entry(get(sim, "/cluster/resources").data(), "qemu/103");
        assertThat(created.get("node").asText()).isEqualTo("pve3");
        assertThat(created.get("status").asText()).isEqualTo("running");
        assertThat(sim.vm(125).orElseThrow().kind()).isEqualTo(Kind.LXC);
        assertThatThrownBy(() -> sim.delete(999)).hasMessage("no guest with vmid 999");
    }

    @Test
    void aReusedVmidIsAnotherGuestWithAnotherMarker() {
        ProxmoxSimulator sim = sim(1);
        SimVm before = firstQemu(sim);
        String configPath = "/nodes/" + before.node() + "/qemu/" + before.vmid() + "/config";
        String metaBefore = get(sim, configPath).data().get("meta").asText();

        sim.reuseVmid(before.vmid());
        SimVm after = sim.vm(before.vmid()).orElseThrow();

        assertThat(after.name()).isNotEqualTo(before.name());
        assertThat(after.ctime()).isGreaterThan(before.ctime());
        assertThat(after.mac()).isNotEqualTo(before.mac());
        assertThat(get(sim, configPath).data().get("meta").asText()).isNotEqualTo(metaBefore)
                .endsWith("ctime=" + after.ctime());
        assertThat(listed(sim, after).get("name").asText()).isEqualTo(after.name());
    }

    @Test
    void renameAndResizeShowInTheListing() {
        ProxmoxSimulator sim = sim(1);
        SimVm vm = firstQemu(sim);

        sim.rename(vm.vmid(), "renamed");
        sim.resize(vm.vmid(), 6, 6144, 70);

        SimVm now = sim.vm(vm.vmid()).orElseThrow();
        assertThat(now.name()).isEqualTo("renamed");
        assertThat(now.cores()).isEqualTo(6);
        JsonNode entry = listed(sim, vm);
        assertThat(entry.get("maxmem").asLong()).isEqualTo(6144L << 20);
        assertThat(entry.get("maxdisk").asLong()).isEqualTo(70L << 30);
        assertThat(entry.get("maxcpu").asInt()).isEqualTo(6);
        sim.rename(vm.vmid(), null);
        assertThat(listed(sim, vm).get("name").asText()).isEqualTo("VM " + vm.vmid());
    }

    @Test
    void theSameSeedGivesTheSameClusterByteForByte() {
        ProxmoxSimulator first = sim(42);
        ProxmoxSimulator second = sim(42);
        ProxmoxSimulator other = sim(43);

        assertThat(second.vms()).isEqualTo(first.vms());
        assertThat(get(second, "/cluster/resources").body()).isEqualTo(get(first, "/cluster/resources").body());
        assertThat(other.vms()).isNotEqualTo(first.vms());
    }

    @Test
    void randomStepsWithTheSameSeedMakeTheSameChanges() {
        ProxmoxSimulator first = sim(42);
        ProxmoxSimulator second = sim(42);
        List<SimVm> initial = first.vms();
        Random a = new Random(7);
        Random b = new Random(7);
        List<String> doneFirst = new ArrayList<>();
        List<String> doneSecond = new ArrayList<>();

        for (int i = 0; i < 60; i++) {
            doneFirst.add(first.randomStep(a));
            doneSecond.add(second.randomStep(b));
        }

        assertThat(doneSecond).isEqualTo(doneFirst);
        assertThat(second.vms()).isEqualTo(first.vms()).isNotEqualTo(initial);
        assertThat(doneFirst).anyMatch(s -> s.startsWith("create")).anyMatch(s -> s.startsWith("migrate"))
                .anyMatch(s -> s.startsWith("stop")).anyMatch(s -> s.startsWith("resize"));
        assertThat(first.vms().stream().filter(v -> !v.template())).hasSizeGreaterThanOrEqualTo(12);
    }

    @Test
    void randomStepsCloneRestoreAndReuseAndFinishWhatTheyStartOnALaterStep() {
        ProxmoxSimulator sim = sim(42);
        Random random = new Random(3);
        List<String> done = new ArrayList<>();

        for (int i = 0; i < 600; i++) {
            done.add(sim.randomStep(random));
        }

        assertThat(done).anyMatch(s -> s.startsWith("clone vmid=")).anyMatch(s -> s.startsWith("clone-reuse vmid="))
                .anyMatch(s -> s.startsWith("clone-finish vmid=")).anyMatch(s -> s.startsWith("lookalike vmid="))
                .anyMatch(s -> s.startsWith("backup vmid=")).anyMatch(s -> s.startsWith("restore vmid="))
                .anyMatch(s -> s.startsWith("restore-finish vmid=")).anyMatch(s -> s.startsWith("shutdown vmid="));
        for (int i = 0; i < done.size(); i++) {
            String step = done.get(i);
            if (step.startsWith("clone-finish") || step.startsWith("restore-finish")) {
                String vmid = step.substring(step.indexOf('=') + 1);
                String kind = step.startsWith("clone") ? "clone" : "restore";
                assertThat(done.subList(Math.max(0, i - 4), i)).as("step %d: %s", i, step)
                        .anyMatch(s -> s.startsWith(kind) && !s.contains("finish")
                                && (s.endsWith(" to " + vmid) || s.startsWith(kind + " vmid=" + vmid + " ")));
            }
        }
        assertThat(sim.inProgress()).hasSizeLessThanOrEqualTo(3);
        assertThat(sim.vms()).filteredOn(SimVm::template).isNotEmpty();
    }

    @Test
    void randomStepsNeverDeleteBelowTheFloor() {
        ProxmoxSimulator sim = SimHarness.plain().nodes(2).vms(6).containers(0).templates(0).minGuests(5).seed(3).start();
        started.add(sim);
        Random random = new Random(1);
        for (int i = 0; i < 300; i++) {
            sim.randomStep(random);
            assertThat(sim.vms()).hasSizeGreaterThanOrEqualTo(5);
        }
    }

    @Test
    void changesOnlyGoToGuestsOfOnlineNodes() {
        ProxmoxSimulator sim = SimHarness.plain().nodes(2).vms(10).containers(0).templates(0).seed(9).clock(FIXED).start();
        started.add(sim);
        sim.nodeOffline("pve2", true);
        List<SimVm> onPve2 = sim.vms().stream().filter(v -> v.node().equals("pve2")).toList();
        Random random = new Random(5);
        for (int i = 0; i < 50; i++) {
            sim.randomStep(random);
        }
        for (SimVm vm : onPve2) {
            assertThat(sim.vm(vm.vmid())).contains(vm);
        }
        assertThat(sim.vms()).filteredOn(v -> v.node().equals("pve2")).hasSize(onPve2.size());
    }
}
