package io.pvesync.details;

import io.pvesync.inventory.RealAnswers;
import io.pvesync.inventory.VmKind;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * QEMU and LXC configs real servers gave ({@code proxmox/real/README.md}) read by
 * {@link GuestConfig}. The marker tests assert the rule of DESIGN 3.1: QEMU {@code uuid:} of the
 * {@code smbios1} uuid whenever there is one (clone copies {@code meta}, so a ctime names the
 * template, not the VM), {@code ctime:} only without a uuid; LXC {@code hwaddr:} of {@code net0}.
 */
class RealAnswersGuestConfigTest {

    private static GuestConfig qemu(String file) {
        return GuestConfig.qemu(RealAnswers.data(file));
    }

    private static GuestConfig lxc(String file) {
        return GuestConfig.lxc(RealAnswers.data(file));
    }

    @Test
    void pve7ConfigWithAgentZeroAndVlanTaggedNic() {
        GuestConfig config = qemu("qemu-config-pve7-crash-tech.json");

        assertThat(config.kind()).isEqualTo(VmKind.QEMU);
        assertThat(config.agentEnabled()).isFalse(); // "agent": "0"
        assertThat(config.net0Mac()).isEqualTo("a2:7b:45:48:9c:e5"); // virtio=A2:7B:45:48:9C:E5,bridge=vmbr0,tag=103
        assertThat(config.staticAddress()).isNull(); // no ipconfig0
    }

    @Test
    void pve7MarkerIsTheSmbiosUuidThoughMetaHasACtime() {
        // marker rule of DESIGN 3.1: smbios1 carries base64 manufacturer fields after the uuid
        assertThat(qemu("qemu-config-pve7-crash-tech.json").incarnation())
                .isEqualTo("uuid:3ae878b3-a77e-4a4a-adc6-14ee88350d36");
    }

    @Test
    void pve6WindowsConfigWithAgentOne() {
        GuestConfig config = qemu("qemu-config-pve6-windows-community-proxmox.json");

        assertThat(config.agentEnabled()).isTrue(); // "agent": "1"
        assertThat(config.net0Mac()).isEqualTo("ff:ff:ff:ff:ff:ff"); // redacted by the source
        assertThat(config.staticAddress()).isNull();
    }

    @Test
    void pve6WindowsMarkerIsTheSmbiosUuid() {
        // marker rule of DESIGN 3.1: this config has no meta at all
        assertThat(qemu("qemu-config-pve6-windows-community-proxmox.json").incarnation())
                .isEqualTo("uuid:127301fc-0122-48d5-8fc5-c04fa78d8146");
    }

    @Test
    void pve6ConfigWithAgentTypeVirtioAndTwoNics() {
        GuestConfig config = qemu("qemu-config-pve6-multinic-community-proxmox.json");

        assertThat(config.agentEnabled()).isTrue(); // "agent": "1,type=virtio"
        assertThat(config.net0Mac()).isEqualTo("ff:ff:ff:ff:ff:ff");
        assertThat(config.staticAddress()).isNull();
    }

    @Test
    void pve6MultiNicMarkerIsTheSmbiosUuid() {
        // marker rule of DESIGN 3.1
        assertThat(qemu("qemu-config-pve6-multinic-community-proxmox.json").incarnation())
                .isEqualTo("uuid:863b31c3-42ca-4a92-aed7-4111f342f70a");
    }

    @Test
    void pve9CloudInitConfigGivesTheStaticAddressOfIpconfig0() {
        GuestConfig config = qemu("qemu-config-pve9.2-pvecli.json");

        assertThat(config.agentEnabled()).isTrue(); // "agent": "1"
        assertThat(config.net0Mac()).isEqualTo("aa:bb:cc:dd:ee:ff"); // anonymised by the source
        assertThat(config.staticAddress()).isEqualTo("203.0.113.10"); // ip=203.0.113.10/24,gw=203.0.113.10
    }

    @Test
    void pve9MarkerIsTheSmbiosUuidThoughMetaHasACtime() {
        // marker rule of DESIGN 3.1: the source anonymised the uuid to zeros; still a uuid
        assertThat(qemu("qemu-config-pve9.2-pvecli.json").incarnation())
                .isEqualTo("uuid:00000000-0000-0000-0000-000000000000");
    }

    @Test
    void lxcConfigWithDhcpHasNoStaticAddressAndNoAgent() {
        GuestConfig config = lxc("lxc-config-pve8.2-go-proxmox.json");

        assertThat(config.kind()).isEqualTo(VmKind.LXC);
        assertThat(config.agentEnabled()).isFalse();
        assertThat(config.net0Mac()).isEqualTo("5d:cf:bd:b2:c5:39");
        assertThat(config.staticAddress()).isNull(); // ip=dhcp
    }

    @Test
    void lxcMarkerIsTheNet0Hwaddr() {
        // marker rule of DESIGN 3.1
        assertThat(lxc("lxc-config-pve8.2-go-proxmox.json").incarnation()).isEqualTo("hwaddr:5d:cf:bd:b2:c5:39");
    }
}
