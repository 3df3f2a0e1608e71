package io.pvesync.proxmox;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pvesync.config.TlsConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS settings that cannot work are refused at start, naming the setting. */
class TlsSettingsTest {

    @TempDir
    Path dir;

    @Test
    void missingCaFileIsRefusedNamingTheFile() {
        Path missing = dir.resolve("pve-root-ca.pem");

        assertThatThrownBy(() -> TlsSettings.from("lab", new TlsConfig(Optional.of(missing), List.of(), false)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("tls.ca-file " + missing + ": cannot read it: no such file");
    }

    @Test
    void caFileWithoutACertificateIsRefused() throws Exception {
        Path empty = Files.writeString(dir.resolve("empty.pem"), "");

        assertThatThrownBy(() -> TlsSettings.from("lab", new TlsConfig(Optional.of(empty), List.of(), false)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("tls.ca-file " + empty + ": no certificate in it (expected PEM such as /etc/pve/pve-root-ca.pem)");
    }

    @Test
    void caFileWithGarbageIsRefused() throws Exception {
        Path garbage = Files.writeString(dir.resolve("garbage.pem"),
                "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n");

        assertThatThrownBy(() -> TlsSettings.from("lab", new TlsConfig(Optional.of(garbage), List.of(), false)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("tls.ca-file " + garbage + ": not a PEM certificate: ");
    }

    @Test
    void malformedFingerprintIsRefused() {
        assertThatThrownBy(() -> TlsSettings.from("lab", new TlsConfig(Optional.empty(), List.of("AA:BB"), false)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("tls.fingerprints[0]: \"AA:BB\" is not a SHA-256 fingerprint (32 hex bytes such as AA:BB:...:FF)");
    }

    @Test
    void twoModesAtOnceAreRefused() {
        assertThatThrownBy(() -> TlsSettings.from("lab",
                new TlsConfig(Optional.of(dir.resolve("ca.pem")), List.of(), true)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("cluster lab: tls: set only one of ca-file, fingerprints and insecure");
    }
}
