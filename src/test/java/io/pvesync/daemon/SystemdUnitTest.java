package io.pvesync.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped unit file passes {@code systemd-analyze verify} without a single complaint. CI
 * installs systemd for it; elsewhere (a laptop without systemd) the test is skipped.
 */
class SystemdUnitTest {
    @TempDir
    Path dir;

    private static boolean analyzerPresent() {
        try {
            return new ProcessBuilder("systemd-analyze", "--version").start().waitFor(10, TimeUnit.SECONDS);
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private record Verified(int exit, String output) {
    }

    private Verified verify(Path unit) throws Exception {
        Process p = new ProcessBuilder("systemd-analyze", "verify", unit.toString()).redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Verified(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void unitFileVerifiesWithoutWarnings() throws Exception {
        assumeTrue("true".equals(System.getenv("CI")) || analyzerPresent(), "systemd-analyze is not installed");
        Path unit = Files.copy(Path.of("systemd/pvesync.service"), dir.resolve("pvesync.service"));

        Verified verified = verify(unit);

        assertThat(verified.exit()).isZero();
        assertThat(verified.output().lines().filter(l -> l.contains("pvesync.service")).toList()).isEmpty();
    }

    @Test
    void verifyWouldCatchAMistypedKey() throws Exception {
        assumeTrue("true".equals(System.getenv("CI")) || analyzerPresent(), "systemd-analyze is not installed");
        Path unit = dir.resolve("pvesync.service");
        Files.writeString(unit, Files.readString(Path.of("systemd/pvesync.service"))
                .replace("NoNewPrivileges=yes", "NoNewPrivilegs=yes"));

        assertThat(verify(unit).output()).contains("Unknown key 'NoNewPrivilegs'");
    }

    @Test
    void unitReloadsWithSighupAndReadsSecretsAsCredentials() throws IOException {
        List<String> lines = Files.readAllLines(Path.of("systemd/pvesync.service"));

        assertThat(lines).contains("ExecReload=/bin/kill -HUP $MAINPID", "User=pvesync", "Restart=on-failure",
                "RestartPreventExitStatus=2", "NoNewPrivileges=yes", "ProtectSystem=strict", "ProtectHome=yes",
                "PrivateTmp=yes");
        assertThat(lines).anyMatch(l -> l.startsWith("LoadCredential=db-password:"));
        assertThat(lines).anyMatch(l -> l.startsWith("ExecStart=") && l.endsWith(" run --config /etc/pvesync/pvesync.yaml"));
    }
}
