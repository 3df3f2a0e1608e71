package io.pvesync.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The package tests that install the .deb on this machine: when they may (root, and outside CI no
 * pvesync of the operator's to replace), and how they leave it (purged, the user removed when they
 * created it).
 */
final class MachineInstall {
    static final Path CONFIG = Path.of("/etc/pvesync/pvesync.yaml");

    private final BuiltPackage built;
    private final boolean userExistedBefore;

    private MachineInstall(BuiltPackage built, boolean userExistedBefore) {
        this.built = built;
        this.userExistedBefore = userExistedBefore;
    }

    /**
     * Claims the machine for {@code test} (its name for the messages): fails on CI without root,
     * skips elsewhere when it cannot or must not install; purges any earlier install.
     */
    static MachineInstall claim(String test) {
        boolean root = "root".equals(System.getProperty("user.name"));
        if (!root && Shell.onCi()) {
            fail("the " + test + " installs the .deb and needs root; CI runs as root");
        }
        assumeTrue(root, "installing the .deb needs root");
        if (!packageStatus().isEmpty() && !Shell.onCi()) {
            // never replace an operator's own pvesync outside CI
            assumeTrue(false, "pvesync is installed on this machine (" + packageStatus() + "); the test would replace it");
        }
        assumeTrue(Shell.onCi() || !Files.exists(Path.of("/etc/pvesync")),
                "/etc/pvesync exists on this machine; the test would purge it");
        MachineInstall install = new MachineInstall(BuiltPackage.fromBuild(),
                Shell.run("getent", "passwd", "pvesync").exit() == 0);
        purge();
        return install;
    }

    BuiltPackage built() {
        return built;
    }

    /** Purges the package and removes the user and group it created, unless they were there before. */
    void release() {
        purge();
        if (!userExistedBefore && Shell.run("getent", "passwd", "pvesync").exit() == 0) {
            Shell.run("userdel", "pvesync").ok();
            if (Shell.run("getent", "group", "pvesync").exit() == 0) {
                Shell.run("groupdel", "pvesync").ok();
            }
        }
    }

    static void purge() {
        if (!packageStatus().isEmpty()) {
            Shell.run("dpkg", "--purge", "pvesync").ok();
        }
    }

    /** dpkg's status of pvesync ("install ok installed", "deinstall ok config-files"), or "" when absent. */
    static String packageStatus() {
        Shell.Result query = Shell.run("dpkg-query", "--show", "--showformat=${Status}", "pvesync");
        String status = query.exit() == 0 ? query.output().strip() : "";
        return status.endsWith("not-installed") ? "" : status;
    }

    /** The config as the package leaves it: root:pvesync, 0640 (the daemon's user reads it through its group). */
    static void assertConfigBelongsToGroupPvesync() throws IOException {
        PosixFileAttributes attributes = Files.readAttributes(CONFIG, PosixFileAttributes.class);
        assertThat(attributes.owner().getName()).isEqualTo("root");
        assertThat(attributes.group().getName()).isEqualTo("pvesync");
        assertThat(PosixFilePermissions.toString(attributes.permissions())).isEqualTo("rw-r-----");
    }
}
