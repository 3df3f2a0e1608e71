package io.pvesync.details;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Validates address literals without ever resolving a name: an {@code InetAddress.getByName} on
 * text that is not a literal would ask DNS, so every input is checked for literal syntax first.
 */
final class IpLiteral {

    /** The width of {@code vms.ip_address}; the longest IPv6 text form (with embedded IPv4) fits. */
    static final int MAX_LENGTH = 45;

    private static final Pattern IPV4 = Pattern.compile("(0|[1-9]\\d{0,2})(\\.(0|[1-9]\\d{0,2})){3}");
    private static final Pattern IPV6_CHARS = Pattern.compile("[0-9A-Fa-f:.]+");

    private IpLiteral() {
    }

    /** Text before a {@code /prefix}, e.g. {@code 192.168.3.95/22} gives {@code 192.168.3.95}. */
    static String withoutPrefix(String text) {
        int slash = text.indexOf('/');
        return slash >= 0 ? text.substring(0, slash) : text;
    }

    /**
     * The address as it should be stored, when the literal is one a guest can be reached at:
     * global unicast of the given family. Never loopback (127/8, ::1), link-local (169.254/16,
     * fe80::/10), unspecified (0.0.0.0/8, ::), multicast or the IPv4 broadcast address. A zone
     * index ({@code %eth0}) is dropped before checking.
     *
     * @return the literal (IPv4 as given, IPv6 lower-cased; without zone), or empty
     */
    static Optional<String> usable(String literal, IpAddr.Family family) {
        if (literal == null) {
            return Optional.empty();
        }
        String text = literal.strip();
        int zone = text.indexOf('%');
        if (zone >= 0) {
            text = text.substring(0, zone);
        }
        if (text.isEmpty() || text.length() > MAX_LENGTH) {
            return Optional.empty();
        }
        Optional<InetAddress> parsed = family == IpAddr.Family.IPV4 ? ipv4(text) : ipv6(text);
        // IPv6 keeps the guest's (usually compressed) spelling; getHostAddress would expand it
        String stored = family == IpAddr.Family.IPV4 ? text : text.toLowerCase(java.util.Locale.ROOT);
        return parsed.filter(IpLiteral::isGlobal).map(address -> stored);
    }

    private static Optional<InetAddress> ipv4(String text) {
        if (!IPV4.matcher(text).matches()) {
            return Optional.empty();
        }
        String[] parts = text.split("\\.");
        byte[] bytes = new byte[4];
        for (int i = 0; i < 4; i++) {
            int octet = Integer.parseInt(parts[i]);
            if (octet > 255) {
                return Optional.empty();
            }
            bytes[i] = (byte) octet;
        }
        try {
            return Optional.of(InetAddress.getByAddress(bytes));
        } catch (UnknownHostException impossible) {
            return Optional.empty(); // only thrown for a wrong array length
        }
    }

    private static Optional<InetAddress> ipv6(String text) {
        // only hex digits, ':' and '.', and at least one ':': InetAddress then parses it as an
        // IPv6 literal or rejects it, and never falls through to a name lookup
        if (text.indexOf(':') < 0 || !IPV6_CHARS.matcher(text).matches() || text.charAt(0) == '.') {
            return Optional.empty();
        }
        for (String group : text.split(":")) {
            if (group.length() > 4 && group.indexOf('.') < 0) {
                return Optional.empty(); // InetAddress takes "02001" as a group; no guest writes that
            }
        }
        try {
            InetAddress address = InetAddress.getByName(text);
            return address instanceof Inet6Address ? Optional.of(address) : Optional.empty();
        } catch (UnknownHostException malformed) {
            return Optional.empty();
        }
    }

    private static boolean isGlobal(InetAddress address) {
        if (address.isLoopbackAddress() || address.isLinkLocalAddress() || address.isAnyLocalAddress()
                || address.isMulticastAddress()) {
            return false;
        }
        if (address instanceof Inet4Address) {
            byte[] b = address.getAddress();
            boolean thisNetwork = b[0] == 0;
            boolean broadcast = (b[0] & b[1] & b[2] & b[3]) == (byte) 0xff;
            return !thisNetwork && !broadcast;
        }
        return true;
    }
}
