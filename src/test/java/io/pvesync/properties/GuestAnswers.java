package io.pvesync.properties;

import io.pvesync.properties.ScriptedApi.Answer;
import io.pvesync.proxmox.NodeUnreachableException;
import io.pvesync.proxmox.ProxmoxAuthException;
import io.pvesync.proxmox.ProxmoxDataException;
import io.pvesync.proxmox.ProxmoxHttpException;
import io.pvesync.proxmox.ProxmoxTransportException;
import io.pvesync.proxmox.ProxmoxUnavailableException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * Generated answers of the per-guest calls (PROXMOX-API.md §3.5, §4): configs, guest agent and
 * container interface lists in both shapes, the agent's errors as HTTP 500 and as HTTP 200
 * {@code result.error}, and everything else a broken guest or proxy may send.
 */
final class GuestAnswers {
    /** The MAC of {@code net0} in the generated configs that name one. */
    static final String NET0_MAC = "bc:24:11:2e:c5:4a";

    private GuestAnswers() {
    }

    /** Address texts as guests report them, usable or not. */
    static Arbitrary<String> addresses() {
        Arbitrary<String> v4 = Arbitraries.integers().between(0, 255).list().ofSize(4)
                .map(o -> o.get(0) + "." + o.get(1) + "." + o.get(2) + "." + o.get(3));
        Arbitrary<String> v6 = Arbitraries.integers().between(0, 0xffff).list().ofSize(8)
                .map(g -> String.join(":", g.stream().map(Integer::toHexString).toList()));
        Arbitrary<String> special = Arbitraries.of("127.0.0.1", "169.254.10.1", "0.0.0.0", "255.255.255.255", "224.0.0.251",
                "::1", "fe80::be24:11ff:fe2e:c54a%eth0", "fe80::1", "::", "ff02::1", "::ffff:192.0.2.1", "2001:DB8::1",
                "2001:db8::1%eth0", "2001:db8::5/64", "192.0.2.10/24", "0000:0000:0000:0000:0000:ffff:192.168.100.200",
                "0000:0000:0000:0000:0000:0000:0000:0000:0001", "02001:db8::1", "1:2:3:4:5:6:7:8:9", "example.com",
                "localhost", "1.2.3", "01.2.3.4", "1.2.3.4.5", "256.1.1.1", "", " ", " 192.0.2.1 ", "١٩٢.٠.٢.١",
                "１９２.０.２.１", "192.0.2.1\u0000", "2001:db8::1\n", "x".repeat(10_000), ":", ".", "1.2.3.4:80");
        return Arbitraries.frequencyOf(Tuple.of(3, v4), Tuple.of(2, v6), Tuple.of(4, special),
                Tuple.of(1, WireJson.nastyText()));
    }

    private static Arbitrary<String> ipEntry() {
        Arbitrary<String> type = Arbitraries.of("\"ipv4\"", "\"ipv6\"", "\"inet\"", "\"inet6\"", "\"ipv5\"", "null", "4",
                "ABSENT");
        Arbitrary<String> literal = Arbitraries.frequencyOf(Tuple.of(8, addresses().map(WireJson::quote)),
                Tuple.of(1, WireJson.anyValue(1)));
        return Combinators.combine(literal, type, Arbitraries.of("24", "64", "\"x\"", "-1", "ABSENT"))
                .as((address, t, prefix) -> {
                    List<String[]> fields = new ArrayList<>();
                    fields.add(new String[] {"ip-address", address});
                    if (!t.equals("ABSENT")) {
                        fields.add(new String[] {"ip-address-type", t});
                    }
                    if (!prefix.equals("ABSENT")) {
                        fields.add(new String[] {"prefix", prefix});
                    }
                    return WireJson.object(fields);
                });
    }

    /** One interface in the agent's shape or either container shape, any field odd or missing. */
    static Arbitrary<String> nic() {
        Arbitrary<String> name = Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.of("eth0", "ens18", "lo", "docker0", "br-5f2a", "veth12ab", "virbr0",
                        "Loopback Pseudo-Interface 1", "Ethernet", "wg0", "").map(WireJson::quote)),
                Tuple.of(1, WireJson.nastyText().map(WireJson::quote)),
                Tuple.of(1, Arbitraries.of("null", "7", "[]", "ABSENT")));
        Arbitrary<String> mac = Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.of(NET0_MAC, NET0_MAC.toUpperCase(Locale.ROOT), "00:00:00:00:00:00",
                        "02:42:ac:11:00:02", "bc:24:11:2e:c5:4b").map(WireJson::quote)),
                Tuple.of(1, Arbitraries.of("null", "42", "{}", "\"\"", "ABSENT")));
        Arbitrary<String> newShape = Combinators.combine(name, mac, ipEntry().list().ofMaxSize(4))
                .as((n, m, ips) -> {
                    List<String[]> fields = new ArrayList<>();
                    addUnlessAbsent(fields, "name", n);
                    addUnlessAbsent(fields, "hardware-address", m);
                    fields.add(new String[] {"ip-addresses", "[" + String.join(",", ips) + "]"});
                    return WireJson.object(fields);
                });
        Arbitrary<String> oldShape = Combinators.combine(name, mac, addresses().map(a -> a + "/24").map(WireJson::quote),
                        addresses().map(a -> a + "/64").map(WireJson::quote))
                .as((n, m, inet, inet6) -> {
                    List<String[]> fields = new ArrayList<>();
                    addUnlessAbsent(fields, "name", n);
                    addUnlessAbsent(fields, "hwaddr", m);
                    fields.add(new String[] {"inet", inet});
                    fields.add(new String[] {"inet6", inet6});
                    return WireJson.object(fields);
                });
        Arbitrary<String> withoutAddresses = name.map(n -> n.equals("ABSENT") ? "{}" : "{\"name\":" + n + "}");
        return Arbitraries.frequencyOf(Tuple.of(5, newShape), Tuple.of(2, oldShape), Tuple.of(1, withoutAddresses),
                Tuple.of(1, WireJson.anyValue(1)));
    }

    private static void addUnlessAbsent(List<String[]> fields, String key, String json) {
        if (!json.equals("ABSENT")) {
            fields.add(new String[] {key, json});
        }
    }

    private static Arbitrary<String> nicList() {
        return nic().list().ofMaxSize(5).map(nics -> "[" + String.join(",", nics) + "]");
    }

    /** The {@code data} of a guest agent's network-get-interfaces, or its failure. */
    static Arbitrary<Answer> agent() {
        Arbitrary<String> data = Arbitraries.frequencyOf(
                Tuple.of(6, nicList().map(list -> "{\"result\":" + list + "}")),
                Tuple.of(1, Arbitraries.of("{\"result\":{\"error\":{\"class\":\"Unsupported\",\"desc\":\"command"
                        + " guest-network-get-interfaces has been disabled\"}}}", "{\"result\":{\"error\":{}}}",
                        "{\"result\":{\"error\":\"x\"}}", "{\"result\":null}", "{}", "null", "[]", "\"ok\"")),
                Tuple.of(1, WireJson.anyValue(2)));
        return Arbitraries.frequencyOf(Tuple.of(6, data.map(d -> Answer.of(WireJson.parse(d)))),
                Tuple.of(2, failures("qemu/agent/network-get-interfaces")));
    }

    /** The {@code data} of a container's interfaces: a list in either shape, JSON null when stopped, or a failure. */
    static Arbitrary<Answer> containerInterfaces() {
        Arbitrary<String> data = Arbitraries.frequencyOf(Tuple.of(6, nicList()), Tuple.of(1, Arbitraries.just("null")),
                Tuple.of(1, WireJson.anyValue(2)));
        return Arbitraries.frequencyOf(Tuple.of(6, data.map(d -> Answer.of(WireJson.parse(d)))),
                Tuple.of(1, failures("lxc/interfaces")));
    }

    /** The {@code data} of a QEMU or LXC config, or its failure. */
    static Arbitrary<Answer> config() {
        Arbitrary<String> agent = Arbitraries.of("1", "0", "\"1\"", "\"0,fstrim_cloned_disks=1\"",
                "\"enabled=1,fstrim_cloned_disks=1\"", "\"enabled=yes\"", "\"enabled=\"", "\",,,\"", "true", "{}", "ABSENT");
        Arbitrary<String> net0 = Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.of("virtio=BC:24:11:2E:C5:4A,bridge=vmbr0,firewall=1",
                        "name=eth0,bridge=vmbr0,hwaddr=BC:24:11:2E:C5:4A,ip=192.0.2.20/24,type=veth",
                        "name=eth0,bridge=vmbr0,hwaddr=BC:24:11:2E:C5:4A,ip=dhcp,ip6=2001:db8::20/64",
                        "model=virtio,macaddr=bc:24:11:2e:c5:4a", "virtio=zz:24:11:2E:C5:4A", "=", ",").map(WireJson::quote)),
                Tuple.of(1, WireJson.nastyText().map(WireJson::quote)),
                Tuple.of(1, Arbitraries.of("42", "[]", "null", "ABSENT")));
        Arbitrary<String> ipconfig0 = Arbitraries.frequencyOf(
                Tuple.of(3, addresses().map(a -> "ip=" + a + "/24,gw=192.0.2.1")),
                Tuple.of(2, addresses().map(a -> "ip6=" + a + "/64")),
                Tuple.of(2, Arbitraries.of("ip=dhcp", "ip=DHCP,ip6=auto", "ip6=dhcp", "", "ip", "gw=192.0.2.1")))
                .map(WireJson::quote);
        Arbitrary<String> meta = Arbitraries.of("\"creation-qemu=8.1.5,ctime=1712345678\"", "\"ctime=x\"",
                "\"ctime=99999999999999999999999\"", "\"ctime=\"", "12", "ABSENT");
        Arbitrary<String> smbios1 = Arbitraries.of("\"uuid=7D1C0A3E-5B2F-4C11-9E3A-0123456789AB\"", "\"uuid=not-a-uuid\"",
                "\"uuid=" + "a".repeat(200) + "\"", "ABSENT");
        Arbitrary<String> object = Combinators.combine(agent, net0, ipconfig0, meta, smbios1)
                .as((a, n, ip, m, s) -> {
                    List<String[]> fields = new ArrayList<>();
                    addUnlessAbsent(fields, "agent", a);
                    addUnlessAbsent(fields, "net0", n);
                    fields.add(new String[] {"ipconfig0", ip});
                    addUnlessAbsent(fields, "meta", m);
                    addUnlessAbsent(fields, "smbios1", s);
                    return WireJson.object(fields);
                });
        Arbitrary<String> data = Arbitraries.frequencyOf(Tuple.of(8, object), Tuple.of(1, WireJson.anyValue(2)));
        return Arbitraries.frequencyOf(Tuple.of(8, data.map(d -> Answer.of(WireJson.parse(d)))),
                Tuple.of(1, failures("qemu/config")));
    }

    /** What a per-guest call may throw (ProxmoxApi#get's contract), with the texts Proxmox sends. */
    static Arbitrary<Answer> failures(String call) {
        String at = "https://pve1:8006";
        return Arbitraries.of(
                Answer.failing(new ProxmoxHttpException("lab", at, call, 500, "QEMU guest agent is not running", "500")),
                Answer.failing(new ProxmoxHttpException("lab", at, call, 500, "No QEMU guest agent configured", "500")),
                Answer.failing(new ProxmoxHttpException("lab", at, call, 500,
                        "VM 100 qga command 'guest-network-get-interfaces' failed - got timeout", "500")),
                Answer.failing(new ProxmoxHttpException("lab", at, call, 500, "VM 100 is not running", "500")),
                Answer.failing(new ProxmoxHttpException("lab", at, call, 500,
                        "Configuration file 'nodes/pve1/qemu-server/100.conf' does not exist", "500")),
                Answer.failing(new ProxmoxHttpException("lab", at, call, 501, "Method not implemented", "501")),
                Answer.failing(new ProxmoxHttpException("lab", at, call, 500, "\u0000\n😀", "500")),
                Answer.failing(new ProxmoxAuthException("lab", at, call, 403, "Permission check failed", "403")),
                Answer.failing(new NodeUnreachableException("lab", at, call, 595, "No route to host", "595")),
                Answer.failing(new ProxmoxTransportException("lab", at, call, "read timed out",
                        new IOException("timeout"))),
                Answer.failing(new ProxmoxDataException("lab", at, call, "answer is malformed JSON", null)),
                Answer.failing(new ProxmoxUnavailableException("lab", call, "all endpoints failed", List.of())));
    }
}
