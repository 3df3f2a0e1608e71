package io.pvesync.details;

import io.pvesync.inventory.AddressLookups;
import io.pvesync.inventory.KnownVm;
import io.pvesync.inventory.ObservedVm;
import io.pvesync.inventory.VmKind;
import io.pvesync.inventory.VmStatus;

import ch.qos.logback.classic.Level;
import io.pvesync.testing.LogCapture;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Failed lookups: each is noted, some are cached, none fails the pass or blanks a stored address. */
class GuestDetailsFailuresTest extends GuestDetailsHarness {

    private static final String AGENT_NOT_RUNNING = "QEMU guest agent is not running";

    @Test
    void agentNotRunningIsNotedWarnedOnceAndAskedAgainWithBackoff() {
        ObservedVm web = qemu(104, "pve1", VmStatus.RUNNING);
        pve.ok(config(web), "qemu/config-agent-on.json").error(agent(web), 500, AGENT_NOT_RUNNING);
        Map<Integer, KnownVm> stored = known(web, null, "uuid:7d1c0a3e-5b2f-4c11-9e3a-0123456789ab");
        String note = "guest agent not running and no static address in cloud-init ipconfig0";

        try (GuestDetails details = details(2); LogCapture log = new LogCapture(GuestDetails.class)) {
            Enrichment first = details.enrich(snapshot(web), Map.of(), false);
            assertThat(pve.takeAsked()).containsExactly(config(web), agent(web));
            assertThat(first.addressNotes()).isEqualTo(Map.of(104, note));
            assertThat(vm(first, 104).ipAddress()).isNull();
            assertThat(first.lookups()).isEqualTo(new AddressLookups(0, 1, 0));

            // a guest that just booted gets its agent soon: asked again after 30 s, 60 s, 120 s ...
            clock.advance(Duration.ofSeconds(29));
            Enrichment cached = details.enrich(snapshot(web), stored, false);
            assertThat(pve.takeAsked()).isEmpty();
            assertThat(cached.addressNotes()).isEqualTo(Map.of(104, note));

            clock.advance(Duration.ofSeconds(1));
            Enrichment due = details.enrich(snapshot(web), stored, false);
            // the config stays cached; only the agent is asked again
            assertThat(pve.takeAsked()).containsExactly(agent(web));
            assertThat(due.addressNotes()).isEqualTo(Map.of(104, note));

            clock.advance(Duration.ofSeconds(59));
            details.enrich(snapshot(web), stored, false);
            assertThat(pve.takeAsked()).isEmpty();
            clock.advance(Duration.ofSeconds(1));
            details.enrich(snapshot(web), stored, false);
            assertThat(pve.takeAsked()).containsExactly(agent(web));

            assertThat(log.messages(Level.WARN)).containsExactly("cluster=lab vmid=104 - no address: " + note
                    + " (install and start qemu-guest-agent in the guest, or turn the agent option off)");
        }
    }

    @Test
    void retriesOfAGuestWithoutAgentBackOffToTheRefreshPeriod() {
        ObservedVm web = qemu(104, "pve1", VmStatus.RUNNING);
        pve.ok(config(web), "qemu/config-agent-on.json").error(agent(web), 500, AGENT_NOT_RUNNING);
        Map<Integer, KnownVm> stored = known(web, null, "uuid:7d1c0a3e-5b2f-4c11-9e3a-0123456789ab");

        try (GuestDetails details = details(2)) {
            details.enrich(snapshot(web), Map.of(), false);
            pve.takeAsked();
            // 30 s, 1, 2, 4, 8 min, then capped at the refresh period
            for (Duration wait : List.of(Duration.ofSeconds(30), Duration.ofMinutes(1), Duration.ofMinutes(2),
                    Duration.ofMinutes(4), Duration.ofMinutes(8), REFRESH, REFRESH)) {
                clock.advance(wait.minusSeconds(1));
                details.enrich(snapshot(web), stored, false);
                assertThat(pve.takeAsked()).as("before %s", wait).isEmpty();
                clock.advance(Duration.ofSeconds(1));
                details.enrich(snapshot(web), stored, false);
                assertThat(pve.takeAsked()).as("after %s", wait).containsExactly(agent(web));
            }
        }
    }

    @Test
    void agentErrorAnsweredWithHttp200IsNoted() {
        ObservedVm web = qemu(104, "pve1", VmStatus.RUNNING);
        pve.ok(config(web), "qemu/config-agent-on.json").ok(agent(web), "agent/agent-error.json");

        try (GuestDetails details = details(2)) {
            Enrichment result = details.enrich(snapshot(web), Map.of(), false);

            assertThat(vm(result, 104).ipAddress()).isNull();
            assertThat(result.addressNotes()).isEqualTo(Map.of(104, "guest agent error: this feature or command is"
                    + " not currently supported and no static address in cloud-init ipconfig0"));
        }
    }

    @Test
    void failedLookupLeavesTheKnownAddressToTheStore() {
        ObservedVm web = qemu(104, "pve1", VmStatus.RUNNING);
        pve.ok(config(web), "qemu/config-agent-on.json")
                .error(agent(web), 500, "VM 104 qga command 'guest-network-get-interfaces' failed - got timeout");
        // stored while stopped, with an address: the status change makes the lookup due
        Map<Integer, KnownVm> stored = Map.of(104,
                new KnownVm(104, "vm104", VmStatus.STOPPED, "pve1", "10.20.30.40", "uuid:7d1c0a3e-5b2f-4c11-9e3a-0123456789ab"));

        try (GuestDetails details = details(2)) {
            Enrichment result = details.enrich(snapshot(web), stored, false);

            assertThat(pve.takeAsked()).containsExactly(config(web), agent(web));
            assertThat(vm(result, 104).ipAddress()).isNull();
            assertThat(result.addressNotes())
                    .isEqualTo(Map.of(104, "guest agent timed out and no static address in cloud-init ipconfig0"));
        }
    }

    @Test
    void unreachableNodeSkipsItsGuestsAndOtherNodesAreServed() {
        ObservedVm a = qemu(201, "pve2", VmStatus.RUNNING);
        ObservedVm b = qemu(202, "pve2", VmStatus.RUNNING);
        ObservedVm c = qemu(203, "pve2", VmStatus.STOPPED);
        ObservedVm fine = qemu(105, "pve1", VmStatus.RUNNING);
        for (ObservedVm down : List.of(a, b, c)) {
            pve.error(config(down), 595, "No route to host");
        }
        pve.ok(config(fine), "qemu/config-agent-off.json");

        try (GuestDetails details = details(1); LogCapture log = new LogCapture(GuestDetails.class)) {
            Enrichment result = details.enrich(snapshot(a, b, c, fine), Map.of(), false);

            List<String> asked = pve.takeAsked();
            assertThat(asked).filteredOn(p -> p.startsWith("/nodes/pve2/")).hasSize(1);
            assertThat(asked).contains(config(fine));
            assertThat(result.addressNotes()).isEqualTo(Map.of(
                    201, "node pve2 unreachable", 202, "node pve2 unreachable", 203, "node pve2 unreachable"));
            assertThat(vm(result, 105).ipAddress()).isEqualTo("192.168.1.10");
            // new guests whose config (and marker) could not be read get their rows, the marker later
            assertThat(result.snapshot().held()).isEmpty();
            assertThat(vm(result, 201).incarnation()).isNull();
            assertThat(log.messages(Level.WARN)).containsExactly("cluster=lab node=pve2 - node unreachable through"
                    + " the API (HTTP 595 No route to host on GET /nodes/pve2/qemu/201/config); 2 more lookups skipped"
                    + " this pass, its guests' addresses are kept until it answers again (check the node and corosync)");
            assertThat(result.lookups().skipped()).isEqualTo(new AddressLookups.Skipped(2, 0, 0));
            assertThat(result.lookups().nodesLeftAlone()).isEqualTo(Map.of("pve2",
                    "unreachable: HTTP 595 No route to host on GET /nodes/pve2/qemu/201/config; 2 lookups skipped"));
        }
    }

    @Test
    void missingAgentPrivilegeIsNotedPerVmAndWarnedOncePerCluster() {
        ObservedVm a = qemu(104, "pve1", VmStatus.RUNNING);
        ObservedVm b = qemu(106, "pve1", VmStatus.RUNNING);
        String refused = "Permission check failed (/vms/104, VM.GuestAgent.Audit|VM.GuestAgent.Unrestricted)";
        for (ObservedVm vm : List.of(a, b)) {
            pve.ok(config(vm), "qemu/config-agent-on.json").error(agent(vm), 403, refused);
        }
        String note = "guest agent call refused (HTTP 403): the token lacks VM.GuestAgent.Audit (PVE 9) or"
                + " VM.Monitor (PVE 8) and no static address in cloud-init ipconfig0";

        try (GuestDetails details = details(1); LogCapture log = new LogCapture(GuestDetails.class)) {
            Enrichment result = details.enrich(snapshot(a, b), Map.of(), true);
            details.enrich(snapshot(a, b), Map.of(), true);

            assertThat(result.addressNotes()).isEqualTo(Map.of(104, note, 106, note));
            assertThat(log.messages(Level.WARN)).containsExactly("cluster=lab - guest agent calls refused (HTTP 403 "
                    + refused + "); addresses come from cloud-init ipconfig0 only. Grant the token"
                    + " VM.GuestAgent.Audit on PVE 9 (PVEAuditor has it) or a role with VM.Monitor on PVE 8");
        }
    }

    @Test
    void guestMovedDuringThePassIsSkippedUntilTheNext() {
        ObservedVm web = qemu(104, "pve1", VmStatus.RUNNING);
        pve.error(config(web), 500, "Configuration file 'nodes/pve1/qemu-server/104.conf' does not exist");

        try (GuestDetails details = details(2)) {
            Enrichment result = details.enrich(snapshot(web), Map.of(), false);

            assertThat(pve.takeAsked()).containsExactly(config(web));
            // new: its row comes with the listing's values, its marker and address once it stays put
            assertThat(result.snapshot().held()).isEmpty();
            assertThat(vm(result, 104).incarnation()).isNull();
            assertThat(result.addressNotes()).isEqualTo(Map.of(104, "guest moved to another node during the pass"));
        }
    }

    @Test
    void renamedGuestWhoseConfigCannotBeReadIsHeldUntilTheMarkerTells() {
        // the row knows VMID 104 as "vm104"; the listing now calls it "cloudy" with other sizes: a
        // rename, or the VMID deleted and reused by another VM, which only the config's marker tells
        ObservedVm before = qemu(104, "pve1", VmStatus.RUNNING);
        ObservedVm now = new ObservedVm(104, VmKind.QEMU, "pve1", "cloudy", VmStatus.RUNNING, 4, 8192, 64, null, null);
        Map<Integer, KnownVm> stored = known(before, "10.0.0.4", "uuid:7d1c0a3e-5b2f-4c11-9e3a-0123456789ab");
        pve.error(config(now), 595, "No route to host");

        try (GuestDetails details = details(2); LogCapture log = new LogCapture(GuestDetails.class)) {
            Enrichment unreachable = details.enrich(snapshot(now), stored, false);

            assertThat(pve.takeAsked()).containsExactly(config(now));
            assertThat(unreachable.snapshot().vms()).isEmpty();
            assertThat(unreachable.snapshot().held()).isEqualTo(Map.of(104, "pve1"));

            // still the old name in the row, so the next poll asks again; held again, warned once
            pve.error(config(now), 500, "got timeout");
            Enrichment failing = details.enrich(snapshot(now), stored, false);
            assertThat(pve.takeAsked()).containsExactly(config(now));
            assertThat(failing.snapshot().held()).isEqualTo(Map.of(104, "pve1"));

            pve.ok(config(now), "qemu/config-agent-off.json");
            Enrichment read = details.enrich(snapshot(now), stored, false);
            // another marker than the row's, with no task to show for it yet: one pass more
            assertThat(read.snapshot().held()).isEqualTo(Map.of(104, "pve1"));
            Enrichment decided = details.enrich(snapshot(now), stored, false);
            assertThat(decided.snapshot().held()).isEmpty();
            // the store retires that row and inserts this VM
            assertThat(vm(decided, 104).incarnation()).isEqualTo("uuid:0f0e0d0c-0b0a-0908-0706-050403020100");

            assertThat(log.messages(Level.WARN)).contains("cluster=lab vmid=104 - listed as \"cloudy\" but its row says"
                    + " \"vm104\", and its config could not be read to tell a change of the same VM from another VM"
                    + " under a reused VMID; the row is kept as it was until the config can be read");
            assertThat(log.messages(Level.WARN)).filteredOn(m -> m.contains("listed as")).hasSize(1);
        }
    }
}
