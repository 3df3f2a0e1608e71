package io.pvesync.details;


import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Picks the one address to store from what a guest reports (DESIGN.md 3.6). Pure: no I/O.
 *
 * <ol>
 *   <li>Interfaces whose MAC equals the MAC of the guest's {@code net0} (case-insensitive) come
 *       first, whatever their name: inside the guest a bridge, bond or VLAN device may carry the
 *       NIC's MAC and its address. The first of them with a usable address wins. When some
 *       interface matches but none has a usable address yet (still booting, DHCP pending), the
 *       result is empty rather than an address of some other interface.</li>
 *   <li>With no MAC match (or no {@code net0} MAC known): the first interface, in the order
 *       reported, whose name is not loopback or a container/virtual/tunnel device
 *       ({@link #isVirtual}) and which has a usable address.</li>
 *   <li>Within the chosen interface the first usable IPv4, else the first usable IPv6; usable per
 *       {@link IpLiteral#usable} (global unicast, zone index dropped, at most 45 characters).</li>
 * </ol>
 */
final class AddressSelector {

    /**
     * Name prefixes (case-insensitive) of interfaces that never carry the guest's own address:
     * container and orchestration bridges, virtual switches, tunnels and overlays, and Windows'
     * pseudo-interfaces. {@code lo} is matched exactly.
     */
    static final List<String> VIRTUAL_PREFIXES = List.of(
            "docker", "br-", "veth", "virbr", "vnet", "lxcbr", "lxdbr", "podman", "cni", "flannel",
            "cali", "cilium", "weave", "kube-", "vxlan", "genev_sys", "ovs-", "nodelocaldns", "tun",
            "tap", "wg", "tailscale", "zt", "dummy", "isatap", "teredo", "loopback pseudo-interface");

    private AddressSelector() {
    }

    /**
     * @param interfaces what the guest reported, in its order
     * @param net0Mac    the MAC of {@code net0} from the config, or null when unknown
     * @return the address to store, or empty when the guest reported none worth storing
     */
    static Optional<String> select(List<GuestInterface> interfaces, String net0Mac) {
        if (net0Mac != null) {
            List<GuestInterface> matching = interfaces.stream()
                    .filter(i -> i.mac() != null && i.mac().equalsIgnoreCase(net0Mac))
                    .toList();
            if (!matching.isEmpty()) {
                return firstAddress(matching);
            }
        }
        return firstAddress(interfaces.stream().filter(i -> !isVirtual(i.name())).toList());
    }

    /** Whether an interface of that name is loopback or a virtual device (see {@link #VIRTUAL_PREFIXES}). */
    static boolean isVirtual(String name) {
        if (name == null) {
            return false;
        }
        String lower = name.strip().toLowerCase(Locale.ROOT);
        return lower.equals("lo") || VIRTUAL_PREFIXES.stream().anyMatch(lower::startsWith);
    }

    private static Optional<String> firstAddress(List<GuestInterface> candidates) {
        for (GuestInterface candidate : candidates) {
            Optional<String> address = best(candidate);
            if (address.isPresent()) {
                return address;
            }
        }
        return Optional.empty();
    }

    private static Optional<String> best(GuestInterface nic) {
        Optional<String> v4 = first(nic, IpAddr.Family.IPV4);
        return v4.isPresent() ? v4 : first(nic, IpAddr.Family.IPV6);
    }

    private static Optional<String> first(GuestInterface nic, IpAddr.Family family) {
        return nic.addresses().stream()
                .filter(a -> a.family() == family)
                .map(a -> IpLiteral.usable(a.address(), family))
                .flatMap(Optional::stream)
                .findFirst();
    }
}
