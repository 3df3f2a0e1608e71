package io.pvesync.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Install, upgrade, remove and purge the .deb on this machine, as an operator would with apt (CI's
 * machine is disposable and runs as root). Nothing starts a daemon: without systemd as PID 1 the
 * maintainer scripts call no systemctl at all, and they never start or enable the unit anyway.
 * Afterwards the machine is as before: the package purged and, if the test created it, the user gone.
 */
class DebianPackageLifecycleIT {
    private static final Path CONFIG = MachineInstall.CONFIG;
    private static final Path CREDENTIALS = Path.of("/etc/pvesync/credentials");
    private static final String EDIT = "# edited by the operator: this line must survive upgrades";

    static MachineInstall install;
    static BuiltPackage built;

    @TempDir
    Path dir;

    @BeforeAll
    static void onlyOnADisposableRootMachine() {
        Shell.requireTool("dpkg-deb", "dpkg");
        Shell.requireTool("apt-get", "apt");
        Shell.requireTool("systemd-analyze", "systemd");
        install = MachineInstall.claim("package lifecycle test");
        built = install.built();
    }

    @AfterAll
    static void leaveTheMachineAsItWas() {
        if (install == null) {
            return;
        }
        install.release();
    }

    private static String installedVersion() {
        return Shell.run("dpkg-query", "--show", "--showformat=${Version}", "pvesync").ok().output().strip();
    }

    private static void aptInstall(Path deb) {
        // apt-get as README says (apt install ./pvesync_*.deb); confold: an edited conffile is never replaced
        Shell.run("apt-get", "install", "--yes", "--no-install-recommends", "-o", "Dpkg::Options::=--force-confdef",
                "-o", "Dpkg::Options::=--force-confold", deb.toAbsolutePath().toString()).ok();
    }

    /** The same package under a later version, optionally with a changed example config. */
    private Path laterPackage(String version, String configAddition) throws IOException {
        Path root = dir.resolve("root-" + version);
        Shell.run("dpkg-deb", "--raw-extract", built.deb().toString(), root.toString()).ok();
        Path control = root.resolve("DEBIAN/control");
        Files.writeString(control, Files.readString(control).replace("Version: " + built.debianVersion(), "Version: " + version));
        if (configAddition != null) {
            Path config = root.resolve("etc/pvesync/pvesync.yaml");
            Files.writeString(config, Files.readString(config) + configAddition);
            Path md5sums = root.resolve("DEBIAN/md5sums");
            String sum = Shell.run("md5sum", config.toString()).ok().output().split(" ")[0];
            Files.writeString(md5sums, Files.readAllLines(md5sums).stream()
                    .map(l -> l.endsWith("  etc/pvesync/pvesync.yaml") ? sum + "  etc/pvesync/pvesync.yaml" : l)
                    .reduce("", (a, l) -> a + l + "\n"));
        }
        Path deb = dir.resolve("pvesync_" + version + "_all.deb");
        Shell.run("dpkg-deb", "--root-owner-group", "--build", root.toString(), deb.toString()).ok();
        return deb;
    }

    private static List<String> leftoversBesideTheConfig() throws IOException {
        try (var files = Files.list(CONFIG.getParent())) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("pvesync.yaml.")).sorted().toList();
        }
    }

    @Test
    void installUpgradeRemovePurge() throws Exception {
        // install: the user from the sysusers file, the config readable by its group, the secrets root's
        aptInstall(built.deb());
        assertThat(MachineInstall.packageStatus()).isEqualTo("install ok installed");
        assertThat(installedVersion()).isEqualTo(built.debianVersion());
        assertThat(Shell.run("getent", "passwd", "pvesync").ok().output()).contains(":/nonexistent:/usr/sbin/nologin");
        MachineInstall.assertConfigBelongsToGroupPvesync();
        PosixFileAttributes credentials = Files.readAttributes(CREDENTIALS, PosixFileAttributes.class);
        assertThat(credentials.owner().getName()).isEqualTo("root");
        assertThat(PosixFilePermissions.toString(credentials.permissions())).isEqualTo("rwx------");
        // not enabled, and no pvesync process started
        assertThat(Path.of("/etc/systemd/system/multi-user.target.wants/pvesync.service")).doesNotExist();
        assertThat(Shell.run("pgrep", "-f", "/usr/share/pvesync/pvesync.jar").exit()).as("no pvesync JVM runs").isEqualTo(1);

        // the installed wrapper and unit
        assertThat(Shell.run("/usr/bin/pvesync", "--version").ok().output()).isEqualTo("pvesync " + built.projectVersion() + "\n");
        Shell.Result verify = Shell.run("systemd-analyze", "verify", "/lib/systemd/system/pvesync.service");
        assertThat(verify.exit()).as("systemd-analyze verify printed:%n%s", verify.output()).isZero();
        assertThat(verify.output().lines().filter(l -> l.contains("pvesync.service"))).isEmpty();

        // the operator edits the config and puts a secret in place
        Files.writeString(CONFIG, Files.readString(CONFIG) + EDIT + "\n");
        Files.writeString(CREDENTIALS.resolve("db-password"), "s3cret");

        // upgrade with the example config unchanged: the edit stays, nothing lands beside it
        Path second = laterPackage(built.debianVersion() + "+1", null);
        aptInstall(second);
        assertThat(installedVersion()).isEqualTo(built.debianVersion() + "+1");
        assertThat(Files.readString(CONFIG)).contains(EDIT);
        assertThat(leftoversBesideTheConfig()).isEmpty();
        MachineInstall.assertConfigBelongsToGroupPvesync();
        assertThat(CREDENTIALS.resolve("db-password")).hasContent("s3cret");

        // upgrade with a changed example config: the edit still stays; the new example waits beside it
        Path third = laterPackage(built.debianVersion() + "+2", "# a new key explained here\n");
        aptInstall(third);
        assertThat(installedVersion()).isEqualTo(built.debianVersion() + "+2");
        assertThat(Files.readString(CONFIG)).contains(EDIT).doesNotContain("# a new key explained here");
        assertThat(leftoversBesideTheConfig()).containsExactly("pvesync.yaml.dpkg-dist");
        MachineInstall.assertConfigBelongsToGroupPvesync();

        // remove: the program goes, config and secrets stay
        Shell.run("apt-get", "remove", "--yes", "pvesync").ok();
        assertThat(MachineInstall.packageStatus()).isEqualTo("deinstall ok config-files");
        assertThat(Path.of("/usr/bin/pvesync")).doesNotExist();
        assertThat(Path.of("/usr/share/pvesync")).doesNotExist();
        assertThat(Files.readString(CONFIG)).contains(EDIT);
        assertThat(CREDENTIALS.resolve("db-password")).hasContent("s3cret");

        // purge: /etc/pvesync and the statoverride go; the system user stays (Debian keeps system users)
        Shell.run("apt-get", "purge", "--yes", "pvesync").ok();
        assertThat(MachineInstall.packageStatus()).isEmpty();
        assertThat(Path.of("/etc/pvesync")).doesNotExist();
        assertThat(Shell.run("dpkg-statoverride", "--list", CONFIG.toString()).exit()).isEqualTo(1);
        assertThat(Shell.run("getent", "passwd", "pvesync").exit()).isZero();
    }
}
