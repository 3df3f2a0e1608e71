package io.pvesync.proxmox;

import java.net.Socket;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Trusts a server when the SHA-256 fingerprint of its leaf certificate matches one of the pins,
 * the way Proxmox's own API client does ({@code PVE::APIClient::LWP} cached fingerprints). The pin
 * is the server's identity, so neither the chain nor the host name is checked.
 *
 * <p>Extends {@link X509ExtendedTrustManager} so the JDK does not wrap it with its own host name
 * and algorithm checks.
 */
final class PinnedCertificateTrustManager extends X509ExtendedTrustManager {

    private static final HexFormat FINGERPRINT = HexFormat.ofDelimiter(":").withUpperCase();
    private static final X509Certificate[] NO_ISSUERS = new X509Certificate[0];

    private final List<String> pins;

    /**
     * @param fingerprints SHA-256 fingerprints such as {@code AA:BB:..}, compared case-insensitively
     *                     with or without colons
     * @throws IllegalArgumentException when the list is empty or an entry is not 32 hex bytes
     */
    PinnedCertificateTrustManager(List<String> fingerprints) {
        if (fingerprints.isEmpty()) {
            throw new IllegalArgumentException("tls.fingerprints: at least one fingerprint is needed");
        }
        List<String> normalized = new ArrayList<>(fingerprints.size());
        for (int i = 0; i < fingerprints.size(); i++) {
            String pin = fingerprints.get(i).replace(":", "").strip().toUpperCase(Locale.ROOT);
            if (!pin.matches("[0-9A-F]{64}")) {
                throw new IllegalArgumentException("tls.fingerprints[" + i + "]: \"" + fingerprints.get(i)
                        + "\" is not a SHA-256 fingerprint (32 hex bytes such as AA:BB:...:FF)");
            }
            normalized.add(FINGERPRINT.formatHex(HexFormat.of().parseHex(pin)));
        }
        this.pins = List.copyOf(normalized);
    }

    /** The SHA-256 fingerprint of {@code certificate} as Proxmox shows it: upper-case hex with colons. */
    static String fingerprint(X509Certificate certificate) throws CertificateEncodingException {
        try {
            return FINGERPRINT.formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        if (chain == null || chain.length == 0) {
            throw new CertificateException("the server presented no certificate");
        }
        String presented = fingerprint(chain[0]);
        if (pins.contains(presented)) {
            return;
        }
        throw new CertificateException("certificate fingerprint mismatch: the server presented SHA-256 "
                + presented + " (" + chain[0].getSubjectX500Principal().getName() + "), expected "
                + String.join(" or ", pins) + ". Proxmox renews node certificates (at most every 2 years,"
                + " 14 days before expiry), so re-pin the new fingerprint, or better set tls.ca-file to the"
                + " cluster's /etc/pve/pve-root-ca.pem, which survives renewals");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        checkServerTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        checkServerTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("this trust manager checks servers only");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        checkClientTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        checkClientTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return NO_ISSUERS;
    }
}
