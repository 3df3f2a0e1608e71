package io.pvesync.properties;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.pvesync.details.Enrichment;
import io.pvesync.details.GuestDetails;
import io.pvesync.inventory.NodeState;
import io.pvesync.inventory.ObservedVm;
import io.pvesync.inventory.Snapshot;
import io.pvesync.inventory.VmKind;
import io.pvesync.inventory.VmStatus;
import io.pvesync.properties.ScriptedApi.Answer;
import io.pvesync.proxmox.ApiCall;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Guest configs and interface answers generated in every shape and failure (PROXMOX-API.md §3.5,
 * §4), through the real {@link GuestDetails} of a reconcile pass: an address is always one the
 * guest or its config reported and one the column means (a reachable literal of at most 45
 * characters), and a guest without one always has the reason for {@code /status}.
 */
class GuestAddressPropertiesTest {
    private static final Instant AT = Instant.parse("2026-03-01T10:00:00Z");
    private static final Clock CLOCK = Clock.fixed(AT, ZoneOffset.UTC);

    /** One guest and what its calls answer. */
    record Guest(int vmid, VmKind kind, VmStatus status, Answer config, Answer interfaces) {
        ObservedVm observed() {
            return new ObservedVm(vmid, kind, "pve1", "guest-" + vmid, status, 2, 2048, 32, null, null);
        }
    }

    @Provide
    Arbitrary<List<Guest>> guests() {
        Arbitrary<Guest> guest = Combinators.combine(Arbitraries.of(VmKind.QEMU, VmKind.QEMU, VmKind.LXC),
                        Arbitraries.of(VmStatus.RUNNING, VmStatus.RUNNING, VmStatus.RUNNING, VmStatus.STOPPED,
                                VmStatus.PAUSED),
                        GuestAnswers.config(), GuestAnswers.agent(), GuestAnswers.containerInterfaces())
                .as((kind, status, config, agent, lxc) -> new Guest(0, kind, status, config,
                        kind == VmKind.QEMU ? agent : lxc));
        return guest.list().ofMinSize(1).ofMaxSize(6).map(list -> IntStream.range(0, list.size())
                .mapToObj(i -> {
                    Guest g = list.get(i);
                    return new Guest(100 + i, g.kind(), g.status(), g.config(), g.interfaces());
                })
                .toList());
    }

    private static Enrichment reconcile(List<Guest> guests) {
        ScriptedApi api = new ScriptedApi();
        for (Guest g : guests) {
            boolean qemu = g.kind() == VmKind.QEMU;
            api.answer(qemu ? ApiCall.qemuConfig("pve1", g.vmid()) : ApiCall.lxcConfig("pve1", g.vmid()), g.config());
            api.answer(qemu ? ApiCall.qemuAgentInterfaces("pve1", g.vmid()) : ApiCall.lxcInterfaces("pve1", g.vmid()),
                    g.interfaces());
        }
        Snapshot snapshot = new Snapshot("lab", AT, guests.stream().map(Guest::observed).toList(),
                Map.of("pve1", NodeState.ONLINE), Map.of(), 0);
        try (GuestDetails details = new GuestDetails(api, 2, Duration.ofMinutes(15), CLOCK)) {
            return details.enrich(snapshot, Map.of(), true);
        }
    }

    // edge cases off: combining those of the nested answer generators costs seconds, and the
    // generators already list the edge values (empty, null, loopback, 10,000 characters) themselves
    @Property(tries = 100, edgeCases = EdgeCasesMode.NONE)
    void everyGuestEndsWithAnAddressItReportedOrWithTheReasonWhyNot(@ForAll("guests") List<Guest> guests) {
        Enrichment result = reconcile(guests);

        Map<Integer, Guest> byVmid = guests.stream().collect(Collectors.toMap(Guest::vmid, Function.identity()));
        // every guest is there: a new one whose config (and marker) could not be read too, without
        // its marker (a VMID without a row has nothing to inherit)
        assertThat(result.snapshot().held()).as("held").isEmpty();
        assertThat(result.snapshot().vms()).hasSize(guests.size());
        result.snapshot().vms().stream().filter(vm -> byVmid.get(vm.vmid()).config().error() != null)
                .forEach(vm -> assertThat(vm.incarnation()).as("marker of %s", vm.vmid()).isNull());
        for (ObservedVm vm : result.snapshot().vms()) {
            Guest guest = byVmid.get(vm.vmid());
            String what = "vmid " + vm.vmid();
            // only the address and the marker are the details' to fill in
            assertThat(vm.withIpAddress(null).withIncarnation(null)).as(what).isEqualTo(guest.observed());
            ColumnRules.assertAddress(vm.ipAddress(), what);
            if (vm.ipAddress() != null) {
                assertThat(texts(guest)).as(what + ": %s comes from its answers", vm.ipAddress())
                        .anyMatch(text -> text.toLowerCase(Locale.ROOT).contains(vm.ipAddress()));
                assertThat(result.addressNotes()).as(what).doesNotContainKey(vm.vmid());
            } else {
                assertThat(result.addressNotes().get(vm.vmid())).as(what + " has the reason").isNotBlank();
            }
            if (vm.incarnation() != null) {
                assertThat(vm.incarnation()).as(what)
                        .matches("ctime:\\d{1,19}|uuid:[0-9a-f-]{32,36}|hwaddr:([0-9a-f]{2}:){5}[0-9a-f]{2}");
            }
        }
    }

    /** Every text value anywhere in the guest's answers. */
    private static List<String> texts(Guest guest) {
        List<String> texts = new ArrayList<>();
        collect(guest.config().data(), texts);
        collect(guest.interfaces().data(), texts);
        return texts;
    }

    private static void collect(JsonNode node, List<String> texts) {
        if (node == null) {
            return;
        }
        if (node.isTextual()) {
            texts.add(node.textValue());
        }
        node.forEach(child -> collect(child, texts));
    }

    @Provide
    Arbitrary<List<String>> otherNics() {
        return GuestAnswers.nic().filter(nic -> !nic.toLowerCase(Locale.ROOT).contains(GuestAnswers.NET0_MAC))
                .list().ofMaxSize(4);
    }

    /**
     * DESIGN.md 3.6: the interface whose MAC is net0's wins, whatever comes before it and however
     * its MAC is spelled; within it the first global IPv4, ahead of link-local and global IPv6.
     */
    @Property(tries = 50)
    void theInterfaceWithTheMacOfNet0GivesTheAddress(@ForAll("otherNics") List<String> before,
                                                     @ForAll("otherNics") List<String> after,
                                                     @ForAll boolean upperCaseMac) {
        String mac = upperCaseMac ? GuestAnswers.NET0_MAC.toUpperCase(Locale.ROOT) : GuestAnswers.NET0_MAC;
        String net0 = "{\"name\":\"ens18\",\"hardware-address\":\"" + mac + "\",\"ip-addresses\":["
                + "{\"ip-address\":\"fe80::be24:11ff:fe2e:c54a\",\"ip-address-type\":\"ipv6\",\"prefix\":64},"
                + "{\"ip-address\":\"2001:db8::7\",\"ip-address-type\":\"ipv6\",\"prefix\":64},"
                + "{\"ip-address\":\"127.0.0.2\",\"ip-address-type\":\"ipv4\",\"prefix\":8},"
                + "{\"ip-address\":\"198.51.100.7\",\"ip-address-type\":\"ipv4\",\"prefix\":24}]}";
        List<String> nics = new ArrayList<>(before);
        nics.add(net0);
        nics.addAll(after);
        Answer config = Answer.of(WireJson.parse("{\"agent\":\"1\",\"net0\":\"virtio=BC:24:11:2E:C5:4A,bridge=vmbr0\"}"));
        Answer agent = Answer.of(WireJson.parse("{\"result\":[" + String.join(",", nics) + "]}"));

        Enrichment result = reconcile(List.of(new Guest(100, VmKind.QEMU, VmStatus.RUNNING, config, agent)));

        assertThat(result.snapshot().vms().get(0).ipAddress()).isEqualTo("198.51.100.7");
        assertThat(result.addressNotes()).isEmpty();
    }
}
