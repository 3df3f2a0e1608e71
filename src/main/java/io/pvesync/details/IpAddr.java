package io.pvesync.details;

/**
 * One address a guest reported on an interface, prefix length already removed.
 *
 * @param address the literal as reported (may carry a zone index such as {@code %eth0})
 * @param family  the family the guest declared ({@code ipv4}/{@code inet} or {@code ipv6}/{@code inet6}),
 *                or the one the literal's shape suggests when it declared none
 */
record IpAddr(String address, Family family) {

    enum Family { IPV4, IPV6 }

    /**
     * The family for a declared type word: QGA says {@code ipv4}/{@code ipv6}, LXC (iproute2)
     * says {@code inet}/{@code inet6}; anything else falls back to the literal's shape.
     */
    static Family familyOf(String declared, String literal) {
        if ("ipv4".equals(declared) || "inet".equals(declared)) {
            return Family.IPV4;
        }
        if ("ipv6".equals(declared) || "inet6".equals(declared)) {
            return Family.IPV6;
        }
        return literal != null && literal.indexOf(':') >= 0 ? Family.IPV6 : Family.IPV4;
    }
}
