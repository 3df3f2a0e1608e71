package io.pvesync.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * How a cluster's certificates are verified. At most one of the three modes is set; with none,
 * the JVM's default trust store and hostname verification apply.
 *
 * @param caFile       a CA certificate (PEM) to trust, normally the cluster's /etc/pve/pve-root-ca.pem
 * @param fingerprints pinned SHA-256 fingerprints of node (leaf) certificates, upper-case AA:BB:..
 *                     form; any one of them matching is enough (each node has its own leaf)
 * @param insecure     no verification at all (logged as a warning at every start)
 */
public record TlsConfig(Optional<Path> caFile, List<String> fingerprints, boolean insecure) {
    public TlsConfig {
        fingerprints = List.copyOf(fingerprints);
    }

    public static TlsConfig systemDefault() {
        return new TlsConfig(Optional.empty(), List.of(), false);
    }
}
