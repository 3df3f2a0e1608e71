package io.pvesync.sim;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The pve-manager version the simulator claims to be; it picks the behaviour that changed between
 * releases (PROXMOX-API.md §0, §1.3, §1.4, §3.5, §4.2).
 */
record PveVersion(String text, int major, int minor, int patch) {

    private static final Pattern FORM = Pattern.compile("(\\d+)\\.(\\d+)(?:\\.(\\d+))?(?:[-~+].*)?");

    static PveVersion parse(String text) {
        Matcher m = FORM.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("version \"" + text + "\": expected MAJOR.MINOR[.PATCH] such as 9.1.1");
        }
        int patch = m.group(3) == null ? 0 : Integer.parseInt(m.group(3));
        return new PveVersion(text, Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), patch);
    }

    boolean atLeast(int major, int minor, int patch) {
        if (this.major != major) {
            return this.major > major;
        }
        if (this.minor != minor) {
            return this.minor > minor;
        }
        return this.patch >= patch;
    }

    /** {@code 9.1}: what {@code /version} calls the release. */
    String release() {
        return major + "." + minor;
    }

    /** PVE 9 added VM.GuestAgent.Audit; PVE 8 guards the agent behind VM.Monitor. */
    boolean hasGuestAgentPrivileges() {
        return major >= 9;
    }

    /** pve-manager 9.1.5 (commit 26c10a2e) stopped telling why a token was refused. */
    boolean vagueAuthFailure() {
        return atLeast(9, 1, 5);
    }

    /** qemu-server 8.0.8 (PVE 8.1) made {@code memory} a property string, so a JSON string. */
    boolean memoryAsString() {
        return atLeast(8, 1, 0);
    }

    /**
     * pve-http-server 5.2.0 (January 2025) put the error text into the body's {@code message};
     * taken here as PVE 8.4, the first release made after it.
     */
    boolean errorMessageInBody() {
        return atLeast(8, 4, 0);
    }

    /** {@code /nodes/{n}/lxc/{id}/interfaces} exists since pve-container 5.0.6 (PVE 8.1). */
    boolean hasLxcInterfaces() {
        return atLeast(8, 1, 0);
    }

    /** pve-container 5.2.6 (April 2025, PVE 8.4) added {@code hardware-address} and {@code ip-addresses}. */
    boolean lxcInterfacesWithAddressList() {
        return atLeast(8, 4, 0);
    }

    /** PVE 9's RRD format {@code pve-vm-9.0} adds {@code memhost} to qemu entries. */
    boolean hasMemhost() {
        return major >= 9;
    }

    @Override
    public String toString() {
        return text;
    }
}
