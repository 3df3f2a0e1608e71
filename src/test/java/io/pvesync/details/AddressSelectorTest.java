package io.pvesync.details;

import io.pvesync.inventory.Fixtures;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class AddressSelectorTest {

    private static List<GuestInterface> agent(String fixture) {
        GuestAnswer answer = GuestAnswer.fromAgent(Fixtures.data("agent/" + fixture));
        assertThat(answer).isInstanceOf(GuestAnswer.Interfaces.class);
        return ((GuestAnswer.Interfaces) answer).interfaces();
    }

    private static List<GuestInterface> container(String fixture) {
        GuestAnswer answer = GuestAnswer.fromContainer(Fixtures.data("lxc/" + fixture));
        assertThat(answer).isInstanceOf(GuestAnswer.Interfaces.class);
        return ((GuestAnswer.Interfaces) answer).interfaces();
    }

    @Test
    void nicMatchingNet0WinsOverLoopbackLinkLocalAndDockerListedFirst() {
        assertThat(AddressSelector.select(agent("interfaces-docker-first.json"), "BC:24:11:2E:C5:4A"))
                .hasValue("10.20.30.40");
    }

    @Test
    void recordedAgentAnswer() {
        assertThat(AddressSelector.select(agent("interfaces-telmate.json"), "02:0C:21:FC:C7:9B"))
                .hasValue("192.168.0.123");
    }

    @Test
    void withoutMacMatchTheFirstRealInterfaceWithAnAddressIsUsed() {
        List<GuestInterface> nics = agent("interfaces-no-mac-match.json");
        // lo and docker0 are skipped, eth1 has no addresses, eth0 is next
        assertThat(AddressSelector.select(nics, "bc:24:11:ff:ff:ff")).hasValue("203.0.113.7");
        assertThat(AddressSelector.select(nics, null)).hasValue("203.0.113.7");
    }

    @Test
    void interfacesWithoutAddressesGiveNothing() {
        List<GuestInterface> nics = agent("interfaces-without-addresses.json");
        assertThat(nics).extracting(GuestInterface::addresses).allSatisfy(a -> assertThat(a).isEmpty());
        assertThat(AddressSelector.select(nics, "bc:24:11:2e:c5:4a")).isEmpty();
    }

    @Test
    void matchedNicWithoutAddressIsNotReplacedByAnotherNic() {
        List<GuestInterface> nics = List.of(
                new GuestInterface("eth0", "bc:24:11:2e:c5:4a",
                        List.of(new IpAddr("fe80::1", IpAddr.Family.IPV6))),
                new GuestInterface("wg-mgmt", "aa:aa:aa:aa:aa:aa",
                        List.of(new IpAddr("10.99.0.1", IpAddr.Family.IPV4))));
        assertThat(AddressSelector.select(nics, "bc:24:11:2e:c5:4a")).isEmpty();
    }

    @Test
    void bridgeCarryingTheNicMacInsideTheGuestIsUsed() {
        List<GuestInterface> nics = List.of(
                new GuestInterface("eth0", "bc:24:11:2e:c5:4a", List.of()),
                new GuestInterface("br0", "bc:24:11:2e:c5:4a", List.of(new IpAddr("10.0.0.8", IpAddr.Family.IPV4))));
        assertThat(AddressSelector.select(nics, "bc:24:11:2e:c5:4a")).hasValue("10.0.0.8");
    }

    @Test
    void ipv6OnlyGuestGetsItsGlobalIpv6() {
        // link-local and multicast skipped; the guest's upper-case spelling is lower-cased
        assertThat(AddressSelector.select(agent("interfaces-ipv6-only.json"), "bc:24:11:2e:c5:4a"))
                .hasValue("2001:db8:10::5");
    }

    @Test
    void zoneIndexIsDroppedAndWindowsLoopbackSkipped() {
        assertThat(AddressSelector.select(agent("interfaces-zone-index.json"), null)).hasValue("2001:db8::7");
    }

    @Test
    void agentErrorWithHttp200IsAFailure() {
        assertThat(GuestAnswer.fromAgent(Fixtures.data("agent/agent-error.json")))
                .isEqualTo(new GuestAnswer.Failure("guest agent error: this feature or command is not currently supported"));
        assertThat(GuestAnswer.fromAgent(Fixtures.parse("{\"result\": \"???\"}")))
                .isEqualTo(new GuestAnswer.Failure("guest agent answered in an unknown shape"));
    }

    @Test
    void containerNewShapeUsesTheTypedList() {
        List<GuestInterface> nics = container("interfaces-new.json");
        assertThat(nics.get(1).addresses()).containsExactly(
                new IpAddr("192.168.3.95", IpAddr.Family.IPV4),
                new IpAddr("192.168.3.96", IpAddr.Family.IPV4),
                new IpAddr("fe80::be24:11ff:fe89:6707", IpAddr.Family.IPV6));
        // the first address, not the deprecated "inet" (the last one)
        assertThat(AddressSelector.select(nics, "BC:24:11:89:67:07")).hasValue("192.168.3.95");
    }

    @Test
    void containerOldShapeStripsThePrefix() {
        List<GuestInterface> nics = container("interfaces-old.json");
        assertThat(nics.get(1)).isEqualTo(new GuestInterface("eth0", "bc:24:11:89:67:07", List.of(
                new IpAddr("192.168.3.95", IpAddr.Family.IPV4),
                new IpAddr("fe80::be24:11ff:fe89:6707", IpAddr.Family.IPV6))));
        assertThat(AddressSelector.select(nics, "bc:24:11:89:67:07")).hasValue("192.168.3.95");
    }

    @Test
    void stoppedContainerAnswersNull() {
        assertThat(GuestAnswer.fromContainer(Fixtures.data("lxc/interfaces-stopped.json")))
                .isEqualTo(new GuestAnswer.Failure("container reported no interfaces (not running)"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"lo", "docker0", "br-5f3a9c1d2e4b", "veth1a2b3c4", "virbr0", "vnet3", "lxcbr0", "lxdbr0",
            "podman0", "cni0", "flannel.1", "cali12ab34", "cilium_host", "weave", "kube-ipvs0", "vxlan.calico",
            "genev_sys_6081", "ovs-system", "nodelocaldns", "tun0", "tunl0", "tap0", "wg0", "tailscale0", "ztabc123",
            "dummy0", "vEthernet (WSL)", "isatap.{1234}", "Teredo Tunneling Pseudo-Interface",
            "Loopback Pseudo-Interface 1"})
    void virtualInterfaces(String name) {
        assertThat(AddressSelector.isVirtual(name)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"eth0", "ens18", "enp0s3", "br0", "bond0", "eth0.100", "Ethernet", "Ethernet 2", "vmbr0"})
    void realInterfaces(String name) {
        assertThat(AddressSelector.isVirtual(name)).isFalse();
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource({
            "10.0.0.1, IPV4, 10.0.0.1",
            "203.0.113.9, IPV4, 203.0.113.9",
            "2001:db8::1, IPV6, 2001:db8::1",
            "fd00::5, IPV6, fd00::5",
            "2001:DB8::1%eth0, IPV6, 2001:db8::1",
            "127.0.0.1, IPV4, ",
            "127.9.9.9, IPV4, ",
            "169.254.1.1, IPV4, ",
            "0.0.0.0, IPV4, ",
            "0.1.2.3, IPV4, ",
            "224.0.0.1, IPV4, ",
            "255.255.255.255, IPV4, ",
            "::1, IPV6, ",
            "::, IPV6, ",
            "fe80::1%eth0, IPV6, ",
            "febf::1, IPV6, ",
            "ff02::1, IPV6, ",
            "10.0.0.256, IPV4, ",
            "010.0.0.1, IPV4, ",
            "1.2.3, IPV4, ",
            "10.0.0.1, IPV6, ",
            "2001:db8::1, IPV4, ",
            "localhost, IPV4, ",
            "example.com, IPV6, ",
            "dead:beef, IPV6, ",
            "abc:::1, IPV6, "})
    void usableAddressLiterals(String literal, IpAddr.Family family, String expected) {
        assertThat(IpLiteral.usable(literal, family)).isEqualTo(Optional.ofNullable(expected));
    }

    @Test
    void longestIpv6FormFitsTheColumn() {
        String longest = "2001:db8:ffff:ffff:ffff:ffff:255.255.255.255";
        assertThat(IpLiteral.usable(longest, IpAddr.Family.IPV6)).hasValue(longest);
        assertThat(IpLiteral.usable("0" + longest, IpAddr.Family.IPV6)).isEmpty();
        assertThat(IpLiteral.usable("2001:db8::1:" + "0".repeat(40), IpAddr.Family.IPV6)).isEmpty();
    }
}
