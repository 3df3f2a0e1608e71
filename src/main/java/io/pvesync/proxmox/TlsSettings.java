package io.pvesync.proxmox;

import io.pvesync.config.TlsConfig;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.HostnameVerifier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;
import okhttp3.OkHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How one cluster's server certificates are checked, from its {@link TlsConfig}:
 * <ul>
 *   <li>nothing set: the JVM's trust store and normal host name verification;</li>
 *   <li>{@code ca-file}: exactly the CA(s) in that PEM file, with normal host name verification;</li>
 *   <li>{@code fingerprints}: the leaf certificate's SHA-256 must match a pin; no host name check;</li>
 *   <li>{@code insecure}: anything goes (logged as a warning).</li>
 * </ul>
 */
final class TlsSettings {

    private static final Logger log = LoggerFactory.getLogger(TlsSettings.class);

    // the pin (or the operator's explicit choice of insecure) replaces the host name as identity
    private static final HostnameVerifier ANY_HOST = (hostname, session) -> true;

    private final X509TrustManager trustManager;
    private final HostnameVerifier hostnameVerifier;

    private TlsSettings(X509TrustManager trustManager, HostnameVerifier hostnameVerifier) {
        this.trustManager = trustManager;
        this.hostnameVerifier = hostnameVerifier;
    }

    /**
     * @throws IllegalArgumentException when more than one mode is set, the CA file cannot be read
     *         or holds no certificate, or a fingerprint is malformed; the message names the setting
     */
    static TlsSettings from(String cluster, TlsConfig tls) {
        int modes = (tls.caFile().isPresent() ? 1 : 0) + (tls.fingerprints().isEmpty() ? 0 : 1) + (tls.insecure() ? 1 : 0);
        if (modes > 1) {
            throw new IllegalArgumentException("cluster " + cluster
                    + ": tls: set only one of ca-file, fingerprints and insecure");
        }
        if (tls.insecure()) {
            log.warn("cluster={} - TLS verification is OFF (tls.insecure: true): anyone on the path can read"
                    + " the token; use tls.ca-file", cluster);
            return new TlsSettings(new TrustEverything(), ANY_HOST);
        }
        if (!tls.fingerprints().isEmpty()) {
            return new TlsSettings(new PinnedCertificateTrustManager(tls.fingerprints()), ANY_HOST);
        }
        if (tls.caFile().isPresent()) {
            return new TlsSettings(trusting(tls.caFile().get()), null);
        }
        return new TlsSettings(null, null);
    }

    /** Sets the trust manager and host name verifier on {@code builder}; the defaults stay when none is set. */
    void applyTo(OkHttpClient.Builder builder) {
        if (trustManager != null) {
            builder.sslSocketFactory(sslContext(trustManager).getSocketFactory(), trustManager);
        }
        if (hostnameVerifier != null) {
            builder.hostnameVerifier(hostnameVerifier);
        }
    }

    /** A trust manager that trusts exactly the certificates in {@code caFile}. */
    static X509TrustManager trusting(Path caFile) {
        Collection<? extends Certificate> certificates;
        try (InputStream in = Files.newInputStream(caFile)) {
            certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
        } catch (IOException e) {
            throw new IllegalArgumentException("tls.ca-file " + caFile + ": cannot read it: " + why(e), e);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("tls.ca-file " + caFile + ": not a PEM certificate: "
                    + TransportErrors.rootMessage(e), e);
        }
        if (certificates.isEmpty()) {
            throw new IllegalArgumentException("tls.ca-file " + caFile
                    + ": no certificate in it (expected PEM such as /etc/pve/pve-root-ca.pem)");
        }
        try {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            List<Certificate> list = new ArrayList<>(certificates);
            for (int i = 0; i < list.size(); i++) {
                store.setCertificateEntry("ca-" + i, list.get(i));
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            for (TrustManager manager : factory.getTrustManagers()) {
                if (manager instanceof X509TrustManager x509) {
                    return x509;
                }
            }
            throw new IllegalStateException("the JDK's TrustManagerFactory made no X509TrustManager");
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("tls.ca-file " + caFile + ": cannot trust its certificates: "
                    + TransportErrors.rootMessage(e), e);
        }
    }

    private static String why(IOException e) {
        // these two carry only the path as their message
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        return TransportErrors.rootMessage(e);
    }

    private static SSLContext sslContext(X509TrustManager trustManager) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {trustManager}, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK cannot set up TLS", e);
        }
    }

    /** {@code tls.insecure}: every certificate passes. */
    private static final class TrustEverything extends X509ExtendedTrustManager {
        private static final X509Certificate[] NO_ISSUERS = new X509Certificate[0];

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return NO_ISSUERS;
        }
    }
}
