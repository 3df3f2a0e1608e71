package io.pvesync.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The .deb as built, read without installing it: its metadata and file list ({@code dpkg-deb
 * --info/--contents}, DESIGN 4.4), lintian, and maintainer scripts that never start the daemon.
 */
class DebianPackageIT {
    static BuiltPackage built;

    @TempDir
    Path dir;

    @BeforeAll
    static void findPackage() {
        Shell.requireTool("dpkg-deb", "dpkg");
        built = BuiltPackage.fromBuild();
    }

    private static String field(String name) {
        return Shell.run("dpkg-deb", "--field", built.deb().toString(), name).ok().output().strip();
    }

    @Test
    void fileNameAndVersionFollowThePomVersion() {
        // Debian sorts "~" before the end of a version: 0.1.0~SNAPSHOT comes before the release 0.1.0
        assertThat(built.debianVersion()).isEqualTo(built.projectVersion().replace('-', '~'));
        assertThat(built.deb().getFileName().toString()).isEqualTo("pvesync_" + built.debianVersion() + "_all.deb");
        Shell.run("dpkg", "--compare-versions", built.debianVersion(), "lt",
                built.projectVersion().replaceFirst("-SNAPSHOT$", "")).ok();
    }

    @Test
    void controlFieldsNameThePackageItsRuntimeAndItsMaintainer() {
        assertThat(field("Package")).isEqualTo("pvesync");
        assertThat(field("Version")).isEqualTo(built.debianVersion());
        assertThat(field("Architecture")).isEqualTo("all");
        assertThat(field("Section")).isEqualTo("admin");
        // Java 17 or newer by Debian's names; systemd-sysusers for the postinst
        assertThat(field("Depends")).isEqualTo(
                "default-jre-headless (>= 2:1.17) | java17-runtime-headless, systemd | systemd-sysusers");
        assertThat(field("Maintainer")).matches(".+ <[^@ ]+@[^@ ]+>");
        assertThat(field("Description")).startsWith("keeps a PostgreSQL inventory of VMs true to Proxmox VE clusters\n");
        assertThat(Shell.run("dpkg-deb", "--info", built.deb().toString()).ok().output())
                .contains(" conffiles", " postinst", " prerm", " postrm", " md5sums");
    }

    @Test
    void contentsHaveTheLayoutOwnersAndModesOfDesign44() {
        // "-rw-r--r-- root/root  1463 2026-01-01 00:00 ./usr/share/pvesync/grants.sql"
        Map<String, String> entries = new LinkedHashMap<>();
        for (String line : Shell.run("dpkg-deb", "--contents", built.deb().toString()).ok().output().split("\n")) {
            String[] f = line.trim().split("\\s+");
            entries.put(f[f.length - 1].replaceFirst("^\\./", "/"), f[0] + " " + f[1]);
        }

        assertThat(entries).contains(
                Map.entry("/usr/share/pvesync/pvesync.jar", "-rw-r--r-- root/root"),
                Map.entry("/usr/share/pvesync/grants.sql", "-rw-r--r-- root/root"),
                Map.entry("/usr/bin/pvesync", "-rwxr-xr-x root/root"),
                Map.entry("/lib/systemd/system/pvesync.service", "-rw-r--r-- root/root"),
                Map.entry("/usr/lib/sysusers.d/pvesync.conf", "-rw-r--r-- root/root"),
                // group pvesync does not exist before the postinst: a statoverride gives it the file
                Map.entry("/etc/pvesync/pvesync.yaml", "-rw-r----- root/root"),
                Map.entry("/etc/pvesync/credentials/", "drwx------ root/root"),
                Map.entry("/usr/share/doc/pvesync/copyright", "-rw-r--r-- root/root"),
                Map.entry("/usr/share/doc/pvesync/changelog.gz", "-rw-r--r-- root/root"),
                Map.entry("/usr/share/doc/pvesync/README.md", "-rw-r--r-- root/root"),
                Map.entry("/usr/share/man/man1/pvesync.1.gz", "-rw-r--r-- root/root"),
                Map.entry("/usr/share/lintian/overrides/pvesync", "-rw-r--r-- root/root"));
        List<String> files = entries.keySet().stream().filter(p -> !p.endsWith("/")).toList();
        assertThat(files).as("nothing else is shipped").containsExactlyInAnyOrder(
                "/usr/share/pvesync/pvesync.jar", "/usr/share/pvesync/grants.sql", "/usr/bin/pvesync",
                "/lib/systemd/system/pvesync.service", "/usr/lib/sysusers.d/pvesync.conf", "/etc/pvesync/pvesync.yaml",
                "/usr/share/doc/pvesync/copyright", "/usr/share/doc/pvesync/changelog.gz",
                "/usr/share/doc/pvesync/README.md", "/usr/share/man/man1/pvesync.1.gz",
                "/usr/share/lintian/overrides/pvesync");
        assertThat(entries.values()).allMatch(v -> v.endsWith(" root/root"), "every entry belongs to root");
    }

    @Test
    void onlyTheConfigIsAConffile() throws Exception {
        Shell.run("dpkg-deb", "--control", built.deb().toString(), dir.toString()).ok();

        assertThat(Files.readAllLines(dir.resolve("conffiles"))).containsExactly("/etc/pvesync/pvesync.yaml");
    }

    @Test
    void packagedFilesAreTheRepositorysOwn() throws Exception {
        Shell.run("dpkg-deb", "--extract", built.deb().toString(), dir.toString()).ok();

        assertThat(dir.resolve("lib/systemd/system/pvesync.service")).hasSameTextualContentAs(Path.of("systemd/pvesync.service"));
        assertThat(dir.resolve("usr/lib/sysusers.d/pvesync.conf")).hasSameTextualContentAs(Path.of("systemd/pvesync.sysusers"));
        assertThat(dir.resolve("etc/pvesync/pvesync.yaml")).hasSameTextualContentAs(Path.of("config/pvesync.yaml"));
        assertThat(dir.resolve("usr/share/pvesync/grants.sql")).hasSameTextualContentAs(Path.of("config/grants.sql"));
        // the unit runs the jar where the package puts it
        assertThat(Files.readString(dir.resolve("lib/systemd/system/pvesync.service")))
                .contains(" -jar /usr/share/pvesync/pvesync.jar run --config /etc/pvesync/pvesync.yaml");
        // the changelog names the package's own version (lintian checks the rest of its format)
        String changelog = Shell.run("zcat", dir.resolve("usr/share/doc/pvesync/changelog.gz").toString()).ok().output();
        assertThat(changelog).startsWith("pvesync (" + built.debianVersion() + ") unstable; urgency=medium\n");
    }

    @Test
    void maintainerScriptsNeverStartOrEnableTheDaemon() throws Exception {
        Shell.run("dpkg-deb", "--control", built.deb().toString(), dir.toString()).ok();

        String scripts = Files.readString(dir.resolve("postinst")) + Files.readString(dir.resolve("prerm"))
                + Files.readString(dir.resolve("postrm"));
        List<String> commands = scripts.lines().map(String::strip).filter(l -> !l.startsWith("#")).toList();
        assertThat(commands).noneMatch(l -> l.matches(".*(systemctl|deb-systemd-invoke|deb-systemd-helper)\\b.*\\b(start|enable|restart)\\b.*")
                && !l.contains("try-restart"));
        // an upgrade restarts the daemon only if it was running
        assertThat(Files.readString(dir.resolve("postinst"))).contains("deb-systemd-invoke try-restart pvesync.service");
        // the user comes from the shipped sysusers file
        assertThat(Files.readString(dir.resolve("postinst"))).contains("systemd-sysusers ${DPKG_ROOT:+--root=\"$DPKG_ROOT\"} pvesync.conf");
        for (String script : List.of("postinst", "prerm", "postrm")) {
            Shell.run("sh", "-n", dir.resolve(script).toString()).ok();
        }
    }

    @Test
    void lintianFindsNoErrorAndNoWarningBeyondTheNamedOverrides() {
        Shell.requireTool("lintian", "lintian");

        Shell.Result lintian = Shell.run("lintian", "--pedantic", "--info", "--fail-on", "error,warning",
                built.deb().toString());

        List<String> tags = lintian.output().lines().filter(l -> l.matches("^[EWIPXO]: .*")).toList();
        assertThat(tags).as("lintian's tags (overridden ones are not shown)").isEmpty();
        assertThat(lintian.exit()).as("lintian's exit; it printed:%n%s", lintian.output()).isZero();
    }

    @Test
    void lintianWouldCatchAWrongPackage() throws Exception {
        Shell.requireTool("lintian", "lintian");
        // the same package with a world-writable wrapper and no Maintainer
        Path root = dir.resolve("root");
        Shell.run("dpkg-deb", "--raw-extract", built.deb().toString(), root.toString()).ok();
        Path control = root.resolve("DEBIAN/control");
        Files.writeString(control, Files.readAllLines(control).stream().filter(l -> !l.startsWith("Maintainer:"))
                .collect(Collectors.joining("\n", "", "\n")));
        Shell.run("chmod", "0777", root.resolve("usr/bin/pvesync").toString()).ok();
        Path broken = dir.resolve("broken.deb");
        Shell.run("dpkg-deb", "--root-owner-group", "--build", root.toString(), broken.toString()).ok();

        Shell.Result lintian = Shell.run("lintian", "--fail-on", "error,warning", broken.toString());

        assertThat(lintian.exit()).isNotZero();
        assertThat(lintian.output()).contains("E: pvesync: required-field", "Maintainer",
                "W: pvesync: non-standard-executable-perm 0777 != 0755 [usr/bin/pvesync]");
    }
}
