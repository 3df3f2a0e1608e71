package io.pvesync.details;

import io.pvesync.inventory.AddressLookups;
import io.pvesync.inventory.Doubt;
import io.pvesync.inventory.KnownVm;
import io.pvesync.inventory.ObservedVm;
import io.pvesync.inventory.VmKind;
import io.pvesync.inventory.VmStatus;

import com.fasterxml.jackson.databind.JsonNode;
import io.pvesync.proxmox.ApiCall;
import io.pvesync.proxmox.ProxmoxApi;
import io.pvesync.proxmox.ProxmoxException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Which requests a pass makes, what it caches, and how many run at once. */
class GuestDetailsTest extends GuestDetailsHarness {

    @Test
    void newVmReadsItsConfigThenAsksTheAgent() {
        ObservedVm web = qemu(104, "pve1", VmStatus.RUNNING);
        pve.ok(config(web), "qemu/config-agent-on.json").ok(agent(web), "agent/interfaces-docker-first.json");

        try (GuestDetails details = details(2)) {
            Enrichment result = details.enrich(snapshot(web), Map.of(), false);

            assertThat(pve.takeAsked()).containsExactly(config(web), agent(web));
            assertThat(result.requests()).isEqualTo(2);
            assertThat(result.lookups()).isEqualTo(new AddressLookups(1, 0, 0));
            assertThat(vm(result, 104)).isEqualTo(web.withIpAddress("10.20.30.40").withIncarnation("uuid:7d1c0a3e-5b2f-4c11-9e3a-0123456789ab"));
            assertThat(result.addressNotes()).isEmpty();
        }
    }

    @Test
    void knownVmWithAFreshAnswerCostsNoRequest() {
        ObservedVm web = qemu(104, "pve1", VmStatus.RUNNING);
        pve.ok(config(web), "qemu/config-agent-on.json").ok(agent(web), "agent/interfaces-docker-first.json");

        try (GuestDetails details = details(2)) {
            details.enrich(snapshot(web), Map.of(), false);
            pve.takeAsked();
            clock.advance(Duration.ofMinutes(14));

            Enrichment quiet = details.enrich(snapshot(web), known(web, "10.20.30.40", "uuid:7d1c0a3e-5b2f-4c11-9e3a-0123456789ab"), false);

            assertThat(pve.takeAsked()).isEmpty();
            assertThat(quiet.requests()).isZero();
            // the cached address again, and no marker: the config was not read
            assertThat(vm(quiet, 104)).isEqualTo(web.withIpAddress("10.20.30.40"));
        }
    }

    @Test
    void reconcileReadsTheConfigAndAsksAgain() {
        ObservedVm web = qemu(104, "pve1", VmStatus.RUNNING);
        pve.ok(config(web), "qemu/config-agent-on.json").ok(agent(web), "agent/interfaces-docker-first.json");

        try (GuestDetails details = details(2)) {
            details.enrich(snapshot(web), Map.of(), false);
            pve.takeAsked();

            Enrichment reconciled = details.enrich(snapshot(web), known(web, "10.20.30.40", "uuid:7d1c0a3e-5b2f-4c11-9e3a-0123456789ab"), true);

            assertThat(pve.takeAsked()).containsExactly(config(web), agent(web));
            assertThat(vm(reconciled, 104).incarnation()).isEqualTo("uuid:7d1c0a3e-5b2f-4c11-9e3a-0123456789ab");
        }
    }

    @Test
    void renamedVmHasItsConfigReadButIsNotAskedBeforeItsRefresh() {
        ObservedVm web = qemu(104, "pve1", VmStatus.RUNNING);
        pve.ok(config(web), "qemu/config-agent-on.json").ok(agent(web), "agent/interfaces-docker-first.json");

        try (GuestDetails details = details(2)) {
            details.enrich(snapshot(web), Map.of(), false);
            pve.takeAsked();
            Map<Integer, KnownVm> stored = Map.of(104, new KnownVm(104, "old-name", VmStatus.RUNNING, "pve1",
                    "10.20.30.40", "uuid:7d1c0a3e-5b2f-4c11-9e3a-0123456789ab"));

            Enrichment renamed = details.enrich(snapshot(web), stored, false);

            assertThat(pve.takeAsked()).containsExactly(config(web));
            assertThat(vm(renamed, 104)).isEqualTo(web.withIpAddress("10.20.30.40")
                    .withIncarnation("uuid:7d1c0a3e-5b2f-4c11-9e3a-0123456789ab").withIdentity(Doubt.CHANGED, null));
        }
    }

    @Test
    void stoppedVmIsNeverAskedAndGetsItsStaticAddressIfAny() {
        ObservedVm plain = qemu(104, "pve1", VmStatus.STOPPED);
        ObservedVm cloudy = qemu(105, "pve1", VmStatus.STOPPED);
        pve.ok(config(plain), "qemu/config-agent-on.json").ok(config(cloudy), "qemu/config-agent-off.json");

        try (GuestDetails details = details(1)) {
            Enrichment result = details.enrich(snapshot(plain, cloudy), Map.of(), false);

            assertThat(pve.takeAsked()).containsExactly(config(plain), config(cloudy));
            assertThat(vm(result, 104).ipAddress()).isNull();
            assertThat(vm(result, 105).ipAddress()).isEqualTo("192.168.1.10");
            assertThat(result.addressNotes())
                    .isEqualTo(Map.of(104, "guest is stopped and no static address in cloud-init ipconfig0"));
        }
    }

    @Test
    void agentDisabledInConfigUsesCloudInitWithoutAnAgentCall() {
        ObservedVm cloudy = qemu(105, "pve1", VmStatus.RUNNING);
        pve.ok(config(cloudy), "qemu/config-agent-off.json");

        try (GuestDetails details = details(2)) {
            Enrichment result = details.enrich(snapshot(cloudy), Map.of(), false);

            assertThat(pve.takeAsked()).containsExactly(config(cloudy));
            assertThat(vm(result, 105)).isEqualTo(cloudy.withIpAddress("192.168.1.10").withIncarnation("uuid:0f0e0d0c-0b0a-0908-0706-050403020100"));
            assertThat(result.addressNotes()).isEmpty();
        }
    }

    @Test
    void requestsPerNodeNeverExceedTheLimit() {
        List<ObservedVm> vms = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            for (String node : List.of("pve1", "pve2")) {
                ObservedVm vm = qemu(node.equals("pve1") ? 100 + i : 200 + i, node, VmStatus.RUNNING);
                pve.ok(config(vm), "qemu/config-agent-on.json").ok(agent(vm), "agent/interfaces-telmate.json");
                vms.add(vm);
            }
        }
        // long enough that unbounded workers would overlap far beyond the limit
        pve.delay(30);

        try (GuestDetails details = details(2)) {
            Enrichment result = details.enrich(snapshot(vms.toArray(ObservedVm[]::new)), Map.of(), false);

            assertThat(result.requests()).isEqualTo(24);
            assertThat(result.snapshot().vms()).extracting(ObservedVm::ipAddress).containsOnly("192.168.0.123");
            assertThat(pve.maxInFlight("pve1")).isEqualTo(2);
            assertThat(pve.maxInFlight("pve2")).isEqualTo(2);
        }
    }

    @Test
    void lookupsRunOnNamedWorkerThreads() {
        ObservedVm web = qemu(104, "pve1", VmStatus.RUNNING);
        pve.ok(config(web), "qemu/config-agent-on.json").ok(agent(web), "agent/interfaces-telmate.json");
        Set<String> threads = ConcurrentHashMap.newKeySet();
        ProxmoxApi recording = new ProxmoxApi() {
            @Override
            public String cluster() {
                return api.cluster();
            }

            @Override
            public JsonNode get(ApiCall call) throws ProxmoxException {
                threads.add(Thread.currentThread().getName());
                return api.get(call);
            }
        };

        try (GuestDetails details = new GuestDetails(recording, 2, REFRESH, clock)) {
            details.enrich(snapshot(web), Map.of(), false);
        }
        assertThat(threads).singleElement().asString().matches("pvesync-details-lab-\\d+");
    }

    @Test
    void containerAddressComesFromItsInterfaces() {
        ObservedVm ct = lxc(300, "pve1", VmStatus.RUNNING);
        pve.ok(config(ct), "lxc/config-dhcp.json").ok(interfaces(ct), "lxc/interfaces-new.json");

        try (GuestDetails details = details(2)) {
            Enrichment result = details.enrich(snapshot(ct), Map.of(), false);

            assertThat(pve.takeAsked()).containsExactly(config(ct), interfaces(ct));
            // config-dhcp's net0 MAC ends in :08, so no interface matches; eth0 is the first real one
            assertThat(vm(result, 300)).isEqualTo(ct.withIpAddress("192.168.3.95").withIncarnation("hwaddr:bc:24:11:89:67:08"));
        }
    }

    @Test
    void containerAnsweringNullFallsBackToTheNet0Address() {
        ObservedVm ct = lxc(300, "pve1", VmStatus.RUNNING);
        pve.ok(config(ct), "lxc/config.json").ok(interfaces(ct), "lxc/interfaces-stopped.json");

        try (GuestDetails details = details(2)) {
            Enrichment result = details.enrich(snapshot(ct), Map.of(), false);

            assertThat(vm(result, 300).ipAddress()).isEqualTo("10.0.0.5");
            assertThat(result.addressNotes()).isEmpty();
        }
    }

    @Test
    void reusedVmidIsAskedAgainDespiteAFreshAnswer() {
        ObservedVm web = new ObservedVm(104, VmKind.QEMU, "pve1", "web01", VmStatus.RUNNING, 2, 2048, 32, null, null);
        pve.ok(config(web), "qemu/config-agent-on.json").ok(agent(web), "agent/interfaces-docker-first.json");

        try (GuestDetails details = details(2)) {
            details.enrich(snapshot(web), Map.of(), false);
            pve.takeAsked();
            // the store's row is another VM that had this vmid: other name (so the config is read),
            // other marker (so the fresh cached answer is about the wrong guest)
            Map<Integer, KnownVm> stored = Map.of(104,
                    new KnownVm(104, "deleted-vm", VmStatus.RUNNING, "pve1", "10.9.9.9", "ctime:1600000000"));

            Enrichment result = details.enrich(snapshot(web), stored, false);

            assertThat(pve.takeAsked()).containsExactly(config(web), agent(web));
            // another marker without a task to show for it: held for a pass, then in doubt for good
            assertThat(result.snapshot().held()).containsKey(104);
            Enrichment next = details.enrich(snapshot(web), stored, false);
            assertThat(vm(next, 104).incarnation()).isEqualTo("uuid:7d1c0a3e-5b2f-4c11-9e3a-0123456789ab");
            assertThat(vm(next, 104).doubt()).isEqualTo(Doubt.LIFECYCLE);
        }
    }

    @Test
    void aVmWhoseStatusChangedHasItsConfigReadAgainSoAReuseUnderTheSameNameShows() {
        ObservedVm stopped = new ObservedVm(104, VmKind.QEMU, "pve1", "web01", VmStatus.STOPPED, 2, 2048, 32, null, null);
        pve.ok(config(stopped), "qemu/config-agent-on.json");

        try (GuestDetails details = details(2)) {
            details.enrich(snapshot(stopped), Map.of(), false);
            pve.takeAsked();
            ObservedVm started = new ObservedVm(104, VmKind.QEMU, "pve1", "web01", VmStatus.RUNNING, 2, 2048, 32, null,
                    null);
            pve.ok(agent(started), "agent/interfaces-docker-first.json");
            // same name as the row, so only the stop-to-running change says look again; the row's
            // marker is another VM's: the VMID was deleted and created again meanwhile
            Map<Integer, KnownVm> stored = Map.of(104,
                    new KnownVm(104, started.name(), VmStatus.STOPPED, "pve1", null, "ctime:1600000000"));

            Enrichment result = details.enrich(snapshot(started), stored, false);

            assertThat(pve.takeAsked()).containsExactly(config(started), agent(started));
            assertThat(result.snapshot().held()).containsKey(104);
            assertThat(vm(details.enrich(snapshot(started), stored, false), 104).incarnation())
                    .isEqualTo("uuid:7d1c0a3e-5b2f-4c11-9e3a-0123456789ab");
        }
    }

    @Test
    void aStatusChangeWhoseConfigCannotBeReadIsHeldWithoutAskingTheGuestUntilItCanBe() {
        ObservedVm stopped = new ObservedVm(104, VmKind.QEMU, "pve1", "web01", VmStatus.STOPPED, 2, 2048, 32, null, null);
        ObservedVm started = new ObservedVm(104, VmKind.QEMU, "pve1", "web01", VmStatus.RUNNING, 2, 2048, 32, null, null);
        pve.ok(config(stopped), "qemu/config-agent-on.json").ok(agent(started), "agent/interfaces-docker-first.json");

        try (GuestDetails details = details(2)) {
            details.enrich(snapshot(stopped), Map.of(), false);
            pve.error(config(started), 500, "unable to read config");
            pve.takeAsked();
            // the row has another VM's marker: a stop-to-running change may be a reused VMID
            Map<Integer, KnownVm> stored = known(stopped, null, "ctime:1600000000");

            Enrichment unreadable = details.enrich(snapshot(started), stored, false);

            // not asked on the strength of the previous VM's cached config, and nothing written
            assertThat(pve.takeAsked()).containsExactly(config(started));
            assertThat(unreadable.snapshot().vms()).isEmpty();
            assertThat(unreadable.snapshot().held()).isEqualTo(Map.of(104, "pve1"));

            // the row kept its old status, so the next poll reads the config again
            pve.ok(config(started), "qemu/config-agent-on.json");
            Enrichment read = details.enrich(snapshot(started), stored, false);

            assertThat(pve.takeAsked()).containsExactly(config(started), agent(started));
            // another marker without a task to show for it yet: one more pass, then it is decided
            assertThat(read.snapshot().held()).containsKey(104);
            Enrichment decided = details.enrich(snapshot(started), stored, false);
            assertThat(decided.snapshot().held()).isEmpty();
            assertThat(vm(decided, 104).incarnation()).isEqualTo("uuid:7d1c0a3e-5b2f-4c11-9e3a-0123456789ab");
        }
    }

    @Test
    void aVmWhoseStatusStayedIsNotReadAgain() {
        ObservedVm web = qemu(104, "pve1", VmStatus.STOPPED);
        pve.ok(config(web), "qemu/config-agent-on.json");

        try (GuestDetails details = details(2)) {
            details.enrich(snapshot(web), Map.of(), false);
            pve.takeAsked();

            Enrichment quiet = details.enrich(snapshot(web), known(web, null, "uuid:7d1c0a3e-5b2f-4c11-9e3a-0123456789ab"), false);

            assertThat(pve.takeAsked()).isEmpty();
            assertThat(quiet.requests()).isZero();
        }
    }

    @Test
    void configWithoutAMarkerIsNotReadAgainEveryPoll() {
        ObservedVm bare = qemu(107, "pve1", VmStatus.RUNNING);
        pve.ok(config(bare), "qemu/config-bare.json");

        try (GuestDetails details = details(2)) {
            Enrichment first = details.enrich(snapshot(bare), Map.of(), false);
            assertThat(pve.takeAsked()).containsExactly(config(bare));
            assertThat(first.addressNotes()).isEqualTo(
                    Map.of(107, "guest agent disabled in config and no static address in cloud-init ipconfig0"));

            // the store has no marker for it, and the cached config says there is none to read
            Enrichment next = details.enrich(snapshot(bare), known(bare, null, null), false);

            assertThat(pve.takeAsked()).isEmpty();
            assertThat(vm(next, 107)).isEqualTo(bare);
        }
    }

    @Test
    void closedFetcherRefusesAPass() {
        GuestDetails details = details(2);
        details.close();

        assertThatThrownBy(() -> details.enrich(snapshot(qemu(104, "pve1", VmStatus.RUNNING)), Map.of(), false))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("cluster lab: guest details already closed");
        assertThat(pve.takeAsked()).isEmpty();
    }
}
