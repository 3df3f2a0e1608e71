package io.pvesync.details;

import io.pvesync.inventory.Fixtures;
import io.pvesync.inventory.VmKind;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class GuestConfigTest {

    @Test
    void qemuMarkerIsTheSmbiosUuidAndTheCreationTimeIsOnlyItsOlderForm() {
        // clone copies meta (qemu-server clone_vm), so every clone of a template has its ctime
        assertThat(GuestConfig.qemu(Fixtures.data("qemu/config-agent-on.json"))).isEqualTo(
                new GuestConfig(VmKind.QEMU, true, "bc:24:11:2e:c5:4a", null,
                        "uuid:7d1c0a3e-5b2f-4c11-9e3a-0123456789ab", "ctime:1712345678", "web01"));
    }

    @Test
    void qemuWithAgentOffAndCloudInitAddress() {
        assertThat(GuestConfig.qemu(Fixtures.data("qemu/config-agent-off.json"))).isEqualTo(
                new GuestConfig(VmKind.QEMU, false, "bc:24:11:00:01:05", "192.168.1.10",
                        "uuid:0f0e0d0c-0b0a-0908-0706-050403020100", "ctime:1722000000", "cloudy"));
    }

    @Test
    void qemuWithoutMetaFallsBackToTheSmbiosUuid() {
        // agent as the number 1, MAC as macaddr=, ip=dhcp with a static ip6
        assertThat(GuestConfig.qemu(Fixtures.data("qemu/config-uuid-only.json"))).isEqualTo(
                new GuestConfig(VmKind.QEMU, true, "52:54:00:12:34:56", "2001:db8:5::10",
                        "uuid:7d1c0a3e-5b2f-4c11-9e3a-0123456789ab", null, "old-vm"));
    }

    @Test
    void qemuWithoutUuidFallsBackToTheCreationTime() {
        GuestConfig config = GuestConfig.qemu(Fixtures.parse(
                "{\"meta\": \"creation-qemu=8.1.5,ctime=1712345678\", \"net0\": \"virtio=BC:24:11:2E:C5:4A\"}"));
        assertThat(config.incarnation()).isEqualTo("ctime:1712345678");
        assertThat(config.legacyMarker()).isNull();
    }

    @Test
    void theListedNameIsTheConfiguredOneOrProxmoxsDefault() {
        assertThat(GuestConfig.qemu(Fixtures.parse("{\"name\": \"web01\"}")).listedName(104)).hasValue("web01");
        assertThat(GuestConfig.qemu(Fixtures.parse("{}")).listedName(104)).hasValue("VM 104");
        assertThat(GuestConfig.lxc(Fixtures.parse("{}")).listedName(105)).hasValue("CT105");
        assertThat(GuestConfig.qemu(Fixtures.parse("{\"name\": \"" + "x".repeat(101) + "\"}")).listedName(104)).isEmpty();
    }

    @Test
    void qemuWithNeitherHasNoMarker() {
        assertThat(GuestConfig.qemu(Fixtures.data("qemu/config-bare.json"))).isEqualTo(
                new GuestConfig(VmKind.QEMU, false, "52:54:00:00:00:07", null, null, null, "bare"));
    }

    @ParameterizedTest(name = "agent: {0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "'\"1\"'                                 | true",
            "'\"enabled=1,fstrim_cloned_disks=1\"'   | true",
            "'\"1,type=virtio\"'                     | true",
            "'\"on\"'                                | true",
            "1                                       | true",
            "'\"0\"'                                 | false",
            "'\"0,fstrim_cloned_disks=1\"'           | false",
            "'\"enabled=0,fstrim_cloned_disks=1\"'   | false",
            "'\"fstrim_cloned_disks=1\"'             | false",
            "0                                       | false",
            "{}                                      | false"})
    void agentFlagIsTheFirstFieldOrEnabled(String agent, boolean enabled) {
        GuestConfig config = GuestConfig.qemu(Fixtures.parse("{\"agent\": " + agent + "}"));
        assertThat(config.agentEnabled()).isEqualTo(enabled);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "ip=192.168.1.10/24,gw=192.168.1.1                   | 192.168.1.10",
            "ip=dhcp,ip6=2001:db8::10/64                         | 2001:db8::10",
            "ip=10.1.2.3/8,ip6=2001:db8::10/64                   | 10.1.2.3",
            "ip6=auto                                            | ",
            "ip=dhcp                                             | ",
            "gw=192.168.1.1                                      | ",
            "ip=127.0.0.1/8                                      | "})
    void cloudInitStaticAddress(String ipconfig, String expected) {
        GuestConfig config = GuestConfig.qemu(Fixtures.parse("{\"ipconfig0\": \"" + ipconfig + "\"}"));
        assertThat(config.staticAddress()).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "virtio=BC:24:11:2E:C5:4A,bridge=vmbr0,firewall=1  | bc:24:11:2e:c5:4a",
            "e1000=BC:24:11:2E:C5:4B,bridge=vmbr0              | bc:24:11:2e:c5:4b",
            "e1000e=BC:24:11:2E:C5:4C,bridge=vmbr0,tag=10      | bc:24:11:2e:c5:4c",
            "rtl8139=bc:24:11:2e:c5:4d                         | bc:24:11:2e:c5:4d",
            "vmxnet3=BC:24:11:2E:C5:4E,link_down=1             | bc:24:11:2e:c5:4e",
            "model=virtio,macaddr=BC:24:11:2E:C5:4F            | bc:24:11:2e:c5:4f",
            "virtio,bridge=vmbr0                               | "})
    void qemuNet0Mac(String net0, String mac) {
        assertThat(GuestConfig.qemu(Fixtures.parse("{\"net0\": \"" + net0 + "\"}")).net0Mac()).isEqualTo(mac);
    }

    @Test
    void containerMarkerIsItsNet0Mac() {
        assertThat(GuestConfig.lxc(Fixtures.data("lxc/config.json"))).isEqualTo(
                new GuestConfig(VmKind.LXC, false, "bc:24:11:89:67:07", "10.0.0.5", "hwaddr:bc:24:11:89:67:07", null,
                        "ct300"));
    }

    @Test
    void containerOnDhcpFallsBackToIp6() {
        assertThat(GuestConfig.lxc(Fixtures.data("lxc/config-dhcp.json"))).isEqualTo(
                new GuestConfig(VmKind.LXC, false, "bc:24:11:89:67:08", "2001:db8:1::301", "hwaddr:bc:24:11:89:67:08",
                        null, "ct301"));
    }

    @Test
    void containerWithoutNetworkHasNothing() {
        assertThat(GuestConfig.lxc(Fixtures.parse("{\"hostname\": \"ct\", \"net0\": \"name=eth0,ip=manual\"}")))
                .isEqualTo(new GuestConfig(VmKind.LXC, false, null, null, null, null, "ct"));
    }

    @Test
    void unreadableValuesCountAsAbsent() {
        GuestConfig config = GuestConfig.qemu(Fixtures.parse(
                "{\"net0\": [], \"ipconfig0\": 5, \"meta\": \"ctime=yesterday\", \"smbios1\": \"uuid=not a uuid\"}"));
        assertThat(config).isEqualTo(new GuestConfig(VmKind.QEMU, false, null, null, null));
    }
}
