package io.pvesync.bench;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import okhttp3.ConnectionPool;
import okhttp3.CookieJar;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;

/**
 * The floor under any poll: the bare download of the listing, {@code GET
 * /api2/json/cluster/resources} with the token, its body read and thrown away. No JSON is parsed,
 * nothing is mapped or compared or written: what is left of a poll above this is pvesync's.
 *
 * <p>The client is built as {@code ProxmoxClient} builds its own (HTTP/1.1, no cookies, no
 * redirects, the same connection pool and keep-alive, TLS trusting exactly the cluster's CA with
 * host name verification, as its {@code ca-file} mode does), so the difference is not the transport.
 */
final class ListingFloor implements AutoCloseable {
    private final OkHttpClient http;
    private final Request request;

    ListingFloor(URI endpoint, String caPem, String authorization, Duration timeout) throws GeneralSecurityException,
            IOException {
        X509TrustManager trust = trusting(caPem);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, new javax.net.ssl.TrustManager[] {trust}, null);
        this.http = new OkHttpClient.Builder()
                .cookieJar(CookieJar.NO_COOKIES)
                .followRedirects(false)
                .followSslRedirects(false)
                .protocols(List.of(Protocol.HTTP_1_1))
                .connectionPool(new ConnectionPool(128, 3, TimeUnit.SECONDS))
                .connectTimeout(timeout)
                .readTimeout(timeout)
                .sslSocketFactory(tls.getSocketFactory(), trust)
                .build();
        String base = endpoint.toString().replaceAll("/+$", "");
        this.request = new Request.Builder()
                .url(base + "/api2/json/cluster/resources")
                .header("Authorization", authorization)
                .header("Accept", "application/json")
                .header("User-Agent", "pvesync-bench")
                .build();
    }

    /** One download, in milliseconds, from sending the request to the body's last byte. */
    double downloadMs() throws IOException {
        long t0 = System.nanoTime();
        try (Response response = http.newCall(request).execute()) {
            if (!response.isSuccessful()) {
                throw new IOException("listing floor: " + request.url() + " answered HTTP " + response.code());
            }
            try (InputStream body = response.body().byteStream()) {
                body.transferTo(java.io.OutputStream.nullOutputStream());
            }
        }
        return (System.nanoTime() - t0) / 1e6;
    }

    private static X509TrustManager trusting(String caPem) throws GeneralSecurityException, IOException {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        int i = 0;
        for (Certificate c : CertificateFactory.getInstance("X.509")
                .generateCertificates(new ByteArrayInputStream(caPem.getBytes(StandardCharsets.US_ASCII)))) {
            store.setCertificateEntry("ca" + i++, c);
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(store);
        return (X509TrustManager) factory.getTrustManagers()[0];
    }

    @Override
    public void close() {
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
    }
}
