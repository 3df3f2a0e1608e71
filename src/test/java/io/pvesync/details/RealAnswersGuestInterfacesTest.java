package io.pvesync.details;

import io.pvesync.inventory.RealAnswers;

import org.junit.jupiter.api.Test;

import java.util.List;

import static io.pvesync.details.IpAddr.Family.IPV4;
import static io.pvesync.details.IpAddr.Family.IPV6;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * Guest-agent and container interface answers real servers gave ({@code proxmox/real/README.md}),
 * read by {@link GuestAnswer} and chosen from by {@link AddressSelector} (DESIGN 3.6: the interface
 * whose MAC is net0's, else the first real interface; its first global IPv4, else global IPv6).
 * Where the source published no config for the guest, net0's MAC is either unknown (null) or the
 * MAC the answer itself shows for the guest's NIC, written in upper case as configs write it.
 */
class RealAnswersGuestInterfacesTest {

    private static List<GuestInterface> agent(String file) {
        GuestAnswer answer = GuestAnswer.fromAgent(RealAnswers.data(file));
        assertThat(answer).isInstanceOf(GuestAnswer.Interfaces.class);
        return ((GuestAnswer.Interfaces) answer).interfaces();
    }

    private static List<GuestInterface> container(String file) {
        GuestAnswer answer = GuestAnswer.fromContainer(RealAnswers.data(file));
        assertThat(answer).isInstanceOf(GuestAnswer.Interfaces.class);
        return ((GuestAnswer.Interfaces) answer).interfaces();
    }

    private static GuestInterface nic(String name, String mac, IpAddr... addresses) {
        return new GuestInterface(name, mac, List.of(addresses));
    }

    @Test
    void linuxAgentAnswerOfTelmateYieldsEth0sIpv4() {
        List<GuestInterface> interfaces = agent("agent-interfaces-pve5-linux-telmate.json");

        assertThat(interfaces).containsExactly(
                nic("lo", "00:00:00:00:00:00", new IpAddr("127.0.0.1", IPV4), new IpAddr("::1", IPV6)),
                nic("eth0", "02:0c:21:fc:c7:9b", new IpAddr("192.168.0.123", IPV4),
                        new IpAddr("fe80::c:21ff:fefc:c79b", IPV6)));
        assertThat(AddressSelector.select(interfaces, "02:0C:21:FC:C7:9B")).hasValue("192.168.0.123");
        assertThat(AddressSelector.select(interfaces, null)).hasValue("192.168.0.123");
    }

    @Test
    void linuxAgentRawBodyOfPve61YieldsEns18sIpv4() {
        List<GuestInterface> interfaces = agent("agent-interfaces-pve6.1-linux-xezpeleta.json");

        assertThat(interfaces).extracting(GuestInterface::name, GuestInterface::mac)
                .containsExactly(tuple("lo", "00:00:00:00:00:00"), tuple("ens18", "be:2a:81:98:bc:ad"));
        assertThat(AddressSelector.select(interfaces, "BE:2A:81:98:BC:AD")).hasValue("172.16.12.20");
        assertThat(AddressSelector.select(interfaces, null)).hasValue("172.16.12.20");
    }

    @Test
    void windowsAgentWithPrefixMinusOneZoneSuffixAndLoopbackWithoutMacYieldsTheIpv4() {
        List<GuestInterface> interfaces = agent("agent-interfaces-pve5-windows-icingaweb2.json");

        assertThat(interfaces).containsExactly(
                nic("Ethernet", "76:05:ee:b9:66:36", new IpAddr("fe80::b51b:d3df:15df:19eb%3", IPV6),
                        new IpAddr("192.168.25.45", IPV4)),
                nic("Loopback Pseudo-Interface 1", null, new IpAddr("::1", IPV6), new IpAddr("127.0.0.1", IPV4)));
        assertThat(AddressSelector.select(interfaces, "76:05:EE:B9:66:36")).hasValue("192.168.25.45");
        assertThat(AddressSelector.select(interfaces, null)).hasValue("192.168.25.45");
    }

    @Test
    void windowsAgentWithoutItsIpv4OffersNoZoneSuffixedLinkLocalAddress() {
        // the same interfaces minus the IPv4: what is left is fe80::...%3 and loopback
        List<GuestInterface> interfaces = agent("agent-interfaces-pve5-windows-icingaweb2.json").stream()
                .map(n -> new GuestInterface(n.name(), n.mac(),
                        n.addresses().stream().filter(a -> a.family() == IPV6).toList()))
                .toList();

        assertThat(AddressSelector.select(interfaces, "76:05:EE:B9:66:36")).isEmpty();
        assertThat(AddressSelector.select(interfaces, null)).isEmpty();
    }

    @Test
    void commandDisabledAgentErrorIsAFailureWithItsText() {
        assertThat(GuestAnswer.fromAgent(RealAnswers.data("agent-error-commanddisabled-pve5-windows-icingaweb2.json")))
                .isEqualTo(new GuestAnswer.Failure("guest agent error: The command guest-network-get-interfaces has"
                        + " been disabled for this instance"));
    }

    @Test
    void unsupportedAgentErrorIsAFailureWithItsText() {
        assertThat(GuestAnswer.fromAgent(RealAnswers.data("agent-error-unsupported-pve6-windows-community-proxmox.json")))
                .isEqualTo(new GuestAnswer.Failure("guest agent error: this feature or command is not currently supported"));
    }

    @Test
    void agentAnswerWithDockerBridgeYieldsEth0NotDocker0() {
        List<GuestInterface> interfaces = agent("agent-interfaces-pve6-linux-docker-community-proxmox.json");

        assertThat(interfaces).containsExactly(
                nic("lo", "00:00:00:00:00:00", new IpAddr("127.0.0.1", IPV4), new IpAddr("::1", IPV6)),
                nic("eth0", "ff:ff:ff:ff:ff:ff", new IpAddr("10.1.2.3", IPV4),
                        new IpAddr("fd8c:4687:e88d:1be3:5b70:7b88:c79c:293", IPV6)),
                nic("docker0", "ff:ff:ff:ff:ff:ff", new IpAddr("10.10.2.3", IPV4)));
        // the source redacted eth0's and docker0's MAC to the same value: both match, eth0 is first
        assertThat(AddressSelector.select(interfaces, "ff:ff:ff:ff:ff:ff")).hasValue("10.1.2.3");
        assertThat(AddressSelector.select(interfaces, null)).hasValue("10.1.2.3");
    }

    @Test
    void multiNicAgentAnswerWithWeaveDevicesYieldsEth0() {
        List<GuestInterface> interfaces = agent("agent-interfaces-pve6-multinic-community-proxmox.json");

        assertThat(interfaces).extracting(GuestInterface::name).containsExactly("lo", "eth0", "eth1", "docker0",
                "datapath", "weave", "vethwe-datapath", "vethwe-bridge", "vxlan-6784", "vethwepl0dfe1fe",
                "vethweplf1e7715", "vethwepl9d244a1", "vethwepl2ca477b", "nomacorip");
        // an interface with only a name
        assertThat(interfaces.get(13)).isEqualTo(nic("nomacorip", null));
        assertThat(interfaces.get(4)).isEqualTo(nic("datapath", "ff:ff:ff:ff:ff:ff"));
        // every MAC redacted alike, loopback's too: lo matches but has no usable address, eth0 does
        String net0 = GuestConfig.qemu(RealAnswers.data("qemu-config-pve6-multinic-community-proxmox.json")).net0Mac();
        assertThat(AddressSelector.select(interfaces, net0)).hasValue("172.16.0.143");
        assertThat(AddressSelector.select(interfaces, null)).hasValue("172.16.0.143");
    }

    @Test
    void pve9AgentAnswerYieldsTheIpv4OfTheNicWithNet0sMac() {
        List<GuestInterface> interfaces = agent("agent-interfaces-pve9.2-pvecli-linux.json");

        assertThat(interfaces).containsExactly(
                nic("lo", "aa:bb:cc:dd:ee:ff", new IpAddr("203.0.113.10", IPV4), new IpAddr("::1", IPV6)),
                nic("eth0", "aa:bb:cc:dd:ee:ff", new IpAddr("203.0.113.10", IPV4),
                        new IpAddr("2a01:cb0c:732:9200:be24:11ff:fe5a:48e5", IPV6),
                        new IpAddr("fe80::be24:11ff:fe5a:48e5", IPV6)));
        String net0 = GuestConfig.qemu(RealAnswers.data("qemu-config-pve9.2-pvecli.json")).net0Mac();
        // the anonymiser gave lo eth0's MAC and address; either way the address is eth0's
        assertThat(AddressSelector.select(interfaces, net0)).hasValue("203.0.113.10");
        assertThat(AddressSelector.select(interfaces, null)).hasValue("203.0.113.10");
    }

    @Test
    void pve9AgentAnswerWithoutIpv4YieldsTheGlobalIpv6NotTheLinkLocalOne() {
        List<GuestInterface> interfaces = agent("agent-interfaces-pve9.2-pvecli-linux.json").stream()
                .map(n -> new GuestInterface(n.name(), n.mac(),
                        n.addresses().stream().filter(a -> a.family() == IPV6).toList()))
                .toList();

        assertThat(AddressSelector.select(interfaces, "AA:BB:CC:DD:EE:FF"))
                .hasValue("2a01:cb0c:732:9200:be24:11ff:fe5a:48e5");
    }

    @Test
    void oldShapeContainerAnswerYieldsEth0sInet() {
        List<GuestInterface> interfaces = container("lxc-interfaces-pve8.1-go-proxmox.json");

        assertThat(interfaces).containsExactly(
                nic("lo", "00:00:00:00:00:00", new IpAddr("127.0.0.1", IPV4), new IpAddr("::1", IPV6)),
                nic("eth0", "bc:24:11:89:67:07", new IpAddr("192.168.3.95", IPV4),
                        new IpAddr("fe80::be24:11ff:fe89:6707", IPV6)));
        assertThat(AddressSelector.select(interfaces, "BC:24:11:89:67:07")).hasValue("192.168.3.95");
        assertThat(AddressSelector.select(interfaces, null)).hasValue("192.168.3.95");
    }
}
