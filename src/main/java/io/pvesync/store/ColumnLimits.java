package io.pvesync.store;

import io.pvesync.inventory.ObservedVm;
import java.util.List;

/**
 * Fits observed values into the columns, so one odd VM can never fail the statement that writes
 * the whole batch (a value too long for its VARCHAR, or a NUL character, which PostgreSQL text
 * cannot hold, would), nor differ from what the table gives back (an unpaired surrogate). The
 * inventory already cuts names; this is the last line of defence.
 */
final class ColumnLimits {
    static final int NAME = 100;
    static final int IP_ADDRESS = 45;
    static final int NODE = 100;
    static final int INCARNATION = 100;

    private ColumnLimits() {
    }

    /**
     * The row values for {@code vm}; every adjustment adds a line to {@code warnings}. An address
     * that does not fit is dropped (the stored one is kept); other values are cut, the same way on
     * every pass, so a cut incarnation marker still compares equal to the stored one.
     */
    static RowValues fit(ObservedVm vm, List<String> warnings) {
        int vmid = vm.vmid();
        String ip = clean(vm.ipAddress());
        if (ip != null && ip.length() > IP_ADDRESS && ip.codePointCount(0, ip.length()) > IP_ADDRESS) {
            warnings.add("vmid=" + vmid + " - address of " + ip.length() + " characters does not fit ip_address ("
                    + IP_ADDRESS + "); the stored address is kept");
            ip = null;
        }
        return new RowValues(
                vm.vmid(),
                cut(vmid, "name", clean(vm.name()), NAME, warnings),
                ip,
                vm.status().column(),
                vm.cpuCores(),
                vm.memoryMb(),
                vm.diskGb(),
                cut(vmid, "proxmox_node", clean(vm.node()), NODE, warnings),
                cut(vmid, "incarnation", clean(vm.incarnation()), INCARNATION, warnings));
    }

    /**
     * Without NUL, which PostgreSQL text cannot hold, and with each unpaired surrogate (what a JSON
     * {@code "\ud83d"} escape decodes to) as U+FFFD: the driver would send it as {@code ?}, so the
     * stored value would differ from the observed one and the row be rewritten on every pass.
     */
    private static String clean(String s) {
        if (s == null || isClean(s)) {
            return s;
        }
        StringBuilder cleaned = new StringBuilder(s.length());
        s.codePoints().forEach(cp -> {
            if (cp == 0) {
                return;
            }
            // a whole pair is one code point above 0xFFFF; only an unpaired half is in this range
            cleaned.appendCodePoint(cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE ? 0xFFFD : cp);
        });
        return cleaned.toString();
    }

    /** A plain loop: four values of every guest go through here on every pass. */
    private static boolean isClean(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == 0 || Character.isSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    /** Cuts to {@code max} characters as PostgreSQL counts them (code points, not UTF-16 units). */
    private static String cut(int vmid, String column, String s, int max, List<String> warnings) {
        // a string of at most max UTF-16 units has at most max code points
        if (s == null || s.length() <= max || s.codePointCount(0, s.length()) <= max) {
            return s;
        }
        warnings.add("vmid=" + vmid + " - " + column + " longer than " + max + " characters; cut to fit the column");
        return s.substring(0, s.offsetByCodePoints(0, max));
    }
}
