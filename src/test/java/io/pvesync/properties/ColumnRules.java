package io.pvesync.properties;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvesync.inventory.ObservedVm;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What each column of {@code public.vms} means, as assertions: written once here for the mapper's
 * output, the enriched snapshot and the rows in the table.
 */
final class ColumnRules {
    static final Set<String> OBSERVED_STATUSES = Set.of("running", "stopped", "paused", "error");
    private static final Pattern IPV4 = Pattern.compile("(0|[1-9]\\d{0,2})(\\.(0|[1-9]\\d{0,2})){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9a-f:.]*:[0-9a-f:.]*");

    private ColumnRules() {
    }

    /** A guest as the inventory hands it to the store. */
    static void assertFits(ObservedVm vm) {
        String what = "vmid " + vm.vmid();
        assertThat(vm.vmid()).as(what).isBetween(1, 999_999_999);
        assertName(vm.name(), what);
        assertThat(vm.status().column()).as(what + " status").isIn(OBSERVED_STATUSES);
        assertCount(vm.cpuCores(), what + " cpu_cores");
        assertCount(vm.memoryMb(), what + " memory_mb");
        assertCount(vm.diskGb(), what + " disk_gb");
        assertNode(vm.node(), what);
        assertAddress(vm.ipAddress(), what);
    }

    static void assertName(String name, String what) {
        assertThat(name).as(what + " name").isNotNull().isNotEmpty().doesNotContain("\u0000");
        assertThat(name.codePointCount(0, name.length())).as(what + " name length in code points").isLessThanOrEqualTo(100);
    }

    static void assertNode(String node, String what) {
        assertThat(node).as(what + " node").isNotNull().isNotEmpty().doesNotContain("\u0000");
        assertThat(node.codePointCount(0, node.length())).as(what + " node length").isLessThanOrEqualTo(100);
    }

    /** Null (unknown: the stored value is kept) or a whole number the INTEGER column holds, never negative. */
    static void assertCount(Integer value, String what) {
        if (value != null) {
            assertThat(value).as(what).isBetween(0, Integer.MAX_VALUE);
        }
    }

    /**
     * Null, or an address a guest can be reached at, as a literal of at most 45 characters: no
     * prefix length, no zone, not loopback, link-local, unspecified, multicast or broadcast.
     */
    static void assertAddress(String ip, String what) {
        if (ip == null) {
            return;
        }
        assertThat(ip.length()).as(what + " ip_address length of " + ip).isLessThanOrEqualTo(45);
        assertThat(isReachableLiteral(ip)).as(what + " ip_address " + ip + " is a global unicast literal").isTrue();
    }

    static boolean isReachableLiteral(String ip) {
        if (IPV4.matcher(ip).matches()) {
            String[] parts = ip.split("\\.");
            int[] o = new int[4];
            for (int i = 0; i < 4; i++) {
                o[i] = Integer.parseInt(parts[i]);
                if (o[i] > 255) {
                    return false;
                }
            }
            boolean special = o[0] == 0 || o[0] == 127 || (o[0] == 169 && o[1] == 254) || (o[0] >= 224 && o[0] <= 239)
                    || (o[0] == 255 && o[1] == 255 && o[2] == 255 && o[3] == 255);
            return !special;
        }
        if (!IPV6.matcher(ip).matches()) {
            return false;
        }
        try {
            // only hex digits, ':' and '.': parsed as a literal, never looked up
            InetAddress a = InetAddress.getByName(ip);
            return a instanceof Inet6Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()
                    && !a.isAnyLocalAddress() && !a.isMulticastAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
