package io.pvesync.sim;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;

/**
 * The cluster CA and the node certificate, shaped like Proxmox's (PROXMOX-API.md §6): a 10-year
 * CA named "Proxmox Virtual Environment", and a 2-year leaf for 127.0.0.1, ::1, localhost and every
 * node name. ECDSA keys instead of Proxmox's RSA: they are made in milliseconds, and clients do not care.
 */
final class Certificates {

    private static final HexFormat FINGERPRINT = HexFormat.ofDelimiter(":").withUpperCase();

    private final HeldCertificate ca;
    private final HeldCertificate leaf;

    private Certificates(HeldCertificate ca, HeldCertificate leaf) {
        this.ca = ca;
        this.leaf = leaf;
    }

    static Certificates generate(List<String> nodeNames) {
        HeldCertificate ca = new HeldCertificate.Builder()
                .certificateAuthority(0)
                .commonName("Proxmox Virtual Environment")
                .organizationalUnit(UUID.randomUUID().toString())
                .duration(3650, TimeUnit.DAYS)
                .build();
        HeldCertificate.Builder leaf = new HeldCertificate.Builder()
                .commonName(nodeNames.isEmpty() ? "localhost" : nodeNames.get(0) + ".simulated")
                .organizationalUnit("PVE Cluster Node")
                .duration(730, TimeUnit.DAYS)
                .addSubjectAlternativeName("127.0.0.1")
                .addSubjectAlternativeName("::1")
                .addSubjectAlternativeName("localhost")
                .signedBy(ca);
        nodeNames.forEach(leaf::addSubjectAlternativeName);
        return new Certificates(ca, leaf.build());
    }

    SSLContext serverContext() {
        return new HandshakeCertificates.Builder().heldCertificate(leaf, ca.certificate()).build().sslContext();
    }

    String caPem() {
        return ca.certificatePem();
    }

    /** SHA-256 of the leaf, {@code AA:BB:...}, as Proxmox shows {@code ssl_fingerprint}. */
    String fingerprint() {
        try {
            return FINGERPRINT.formatHex(MessageDigest.getInstance("SHA-256").digest(leaf.certificate().getEncoded()));
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            throw new IllegalStateException("cannot fingerprint the simulator's own certificate", e);
        }
    }
}
