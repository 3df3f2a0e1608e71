package io.pvesync.proxmox;

import com.fasterxml.jackson.databind.JsonNode;
import io.pvesync.config.ClusterConfig;
import io.pvesync.proxmox.ApiCall.Scope;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import okhttp3.ConnectionPool;
import okhttp3.CookieJar;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Proxmox VE API of one cluster, over HTTPS with an API token, failing over between the
 * cluster's endpoints.
 *
 * <p><b>Endpoints.</b> They are tried in configured order. A {@link Scope#CLUSTER} call always
 * starts at the first, so the primary is used again as soon as it recovers; a {@link Scope#GUEST}
 * call starts at the endpoint that last gave an HTTP answer, so a dead primary does not cost every
 * per-VM call a connect timeout. The next endpoint is tried after a transport failure (no answer)
 * and, for {@code CLUSTER} calls only, after a 5xx or an answer that is not the expected JSON. A
 * {@code GUEST} call is proxied to the guest's node, so its 5xx is that node's answer and is thrown
 * as it is. 401 and 403 are thrown at once: every node checks the same token.
 *
 * <p><b>A {@code GUEST} call's transport failure</b> is split at the moment the request went out
 * (OkHttp began writing it, {@link RequestSent}). Before: the endpoint itself failed (connection
 * refused, connect or TLS handshake timed out, unknown host), another endpoint may well answer,
 * and the next one is tried. After: the endpoint took the request and proxied it to the guest's
 * node, and every other endpoint would proxy it to that same node; asking again would only add
 * load to a node that is already slow (a node has 3 API workers, a hung guest agent holds one for
 * seconds). So a read timeout after sending throws {@link NodeNotAnsweringException} at once, and
 * any other failure after sending (connection reset, the answer cut off) throws a bare
 * {@link ProxmoxTransportException}; neither tries another endpoint. This is the line OkHttp draws
 * for its own retries, which never repeat a request after a timeout once it was sent.
 *
 * <p><b>When every endpoint failed</b> (each one for a reason to try the next), the call throws
 * {@link ProxmoxUnavailableException} listing each endpoint's failure, also when the cluster has a
 * single endpoint: callers test one type for "the cluster gave no usable answer". A bare
 * {@link ProxmoxTransportException} escapes only when the calling thread was interrupted, or from
 * a {@code GUEST} call whose request was sent (see above).
 *
 * <p><b>The token secret</b> is sent only in the {@code Authorization} header. Text taken from an
 * answer (reason phrase, JSON {@code message}, parser and transport complaints) is masked before it
 * goes into an exception or a log line, in case something in between echoes the header.
 *
 * <p>Thread-safe; one instance per cluster, closed at shutdown.
 */
public final class ProxmoxClient implements ProxmoxApi, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ProxmoxClient.class);

    // pveproxy closes idle connections after ~5 s: reusing one just then fails, so drop them sooner
    private static final long KEEP_ALIVE_SECONDS = 3;
    /**
     * Guest details run 2 requests per node at once (DESIGN 3.6), so a 20-node cluster has up to
     * 40 connections busy; with OkHttp's default of 5 idle, those beyond 5 that came back to the
     * pool together were closed, and their next request paid a TLS handshake (which is most of
     * the detail threads' CPU in a first sync). Measured with the simulator, 20 nodes, 5,956
     * requests: 298 connections with 5 idle, 255 with this, the rest being those pveproxy closes
     * after an error answer. Idle connections still go after 3 s, so a quiet daemon holds none.
     */
    private static final int MAX_IDLE_CONNECTIONS = 128;

    private final String cluster;
    private final List<Endpoint> endpoints;
    private final String tokenId;
    private final String authorization;
    private final SecretMask mask;
    private final ApiListener listener;
    private final Duration connectTimeout;
    private final Duration readTimeout;
    private final Duration addressTimeout;
    private final OkHttpClient clusterHttp;
    private final OkHttpClient guestHttp;
    // index of the endpoint that last answered; where GUEST calls start
    private final AtomicInteger preferred = new AtomicInteger();
    // endpoints whose checked answer was refused (no quorum), until when (System.nanoTime) they
    // are tried last; after that they get their configured place back and are checked again
    private final java.util.Map<Integer, Long> distrusted = new java.util.concurrent.ConcurrentHashMap<>();
    private static final long DISTRUST_NANOS = TimeUnit.MINUTES.toNanos(1);

    /** A client that reports to no listener. */
    public ProxmoxClient(ClusterConfig config) {
        this(config, ApiListener.NONE);
    }

    /**
     * @param listener told about every request and every failed attempt
     * @throws IllegalArgumentException when the config cannot work: no endpoint, a URL that is not
     *         http(s), a token that cannot be sent in a header, an unreadable CA file, a bad fingerprint
     */
    public ProxmoxClient(ClusterConfig config, ApiListener listener) {
        this.cluster = Objects.requireNonNull(config.name(), "name");
        this.endpoints = Endpoint.of(config.endpoints());
        this.tokenId = Objects.requireNonNull(config.tokenId(), "tokenId");
        this.authorization = authorization(cluster, tokenId, config.tokenSecret().reveal());
        this.mask = new SecretMask(config.tokenSecret().reveal());
        this.listener = Objects.requireNonNull(listener, "listener");
        this.connectTimeout = config.connectTimeout();
        this.readTimeout = config.readTimeout();
        this.addressTimeout = config.addressTimeout();

        OkHttpClient.Builder builder = new OkHttpClient.Builder()
                // a cookie (PVEAuthCookie) would take precedence over the token on the server
                .cookieJar(CookieJar.NO_COOKIES)
                // the token must not follow a redirect anywhere; Proxmox never redirects API calls
                .followRedirects(false)
                .followSslRedirects(false)
                // pveproxy speaks HTTP/1.1 only, and the reason phrase carries its error text
                .protocols(List.of(Protocol.HTTP_1_1))
                .connectionPool(new ConnectionPool(MAX_IDLE_CONNECTIONS, KEEP_ALIVE_SECONDS, TimeUnit.SECONDS))
                .retryOnConnectionFailure(true)
                .connectTimeout(connectTimeout)
                .readTimeout(readTimeout)
                .writeTimeout(readTimeout)
                .eventListenerFactory(RequestSent.FACTORY);
        TlsSettings.from(cluster, config.tls()).applyTo(builder);
        this.clusterHttp = builder.build();
        // same pool and TLS, shorter patience for per-VM calls
        this.guestHttp = clusterHttp.newBuilder().readTimeout(addressTimeout).writeTimeout(addressTimeout).build();
    }

    @Override
    public String cluster() {
        return cluster;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Throws {@link ProxmoxUnavailableException} when every endpoint failed with a reason to try
     * the next (see the class comment), {@link ProxmoxAuthException} on 401/403,
     * {@link NodeUnreachableException} on a {@code GUEST} call's 595/596, {@link NodeNotAnsweringException}
     * when a {@code GUEST} call was sent and its answer timed out, {@link ProxmoxHttpException}
     * on another {@code GUEST} error status, {@link ProxmoxDataException} on a {@code GUEST} answer
     * that is not the expected JSON, and {@link ProxmoxTransportException} when interrupted (the
     * interrupt flag is restored).
     */
    @Override
    public JsonNode get(ApiCall call) throws ProxmoxException {
        return call(call, Answers::data);
    }

    /**
     * {@inheritDoc}
     *
     * <p>The answer is parsed as it arrives; see {@link #get} for the failures and the failover.
     */
    @Override
    public <T> T read(ApiCall call, DataReader<T> reader) throws ProxmoxException {
        return call(call, body -> Answers.data(body, reader));
    }

    /**
     * {@inheritDoc}
     *
     * <p>The check's calls go to the endpoint that answered, once each, without failover; a check
     * that says no, or whose own call fails, makes that endpoint a failed one (listed in the
     * {@link ProxmoxUnavailableException} when every endpoint failed).
     */
    @Override
    public <T> T read(ApiCall call, DataReader<T> reader, AnswerCheck<T> check) throws ProxmoxException {
        return call(call, body -> Answers.data(body, reader), check);
    }

    private <T> T call(ApiCall call, Body<T> body) throws ProxmoxException {
        return call(call, body, null);
    }

    private <T> T call(ApiCall call, Body<T> body, AnswerCheck<T> check) throws ProxmoxException {
        int count = endpoints.size();
        int first = call.scope() == Scope.CLUSTER ? 0 : preferred.get();
        int[] order = order(first, count);
        List<Failure> failures = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int index = order[i];
            Endpoint endpoint = endpoints.get(index);
            Outcome outcome = attempt(endpoint, call, body);
            if (outcome instanceof Answer answer && check != null) {
                @SuppressWarnings("unchecked") // attempt answers what body read
                T data = (T) answer.data();
                outcome = checked(endpoint, call, data, check);
                if (outcome instanceof Answer) {
                    distrusted.remove(index);
                } else {
                    distrusted.put(index, System.nanoTime() + DISTRUST_NANOS);
                }
            }
            if (outcome instanceof Answer answer) {
                preferred.set(index);
                @SuppressWarnings("unchecked") // attempt answers what body read
                T data = (T) answer.data();
                return data;
            }
            Failure failure = (Failure) outcome;
            listener.failed(call.name(), failure.error());
            if (!failure.tryNext()) {
                if (!(failure.error() instanceof ProxmoxTransportException)) {
                    preferred.set(index); // it answered: the endpoint works
                }
                failures.forEach(earlier -> failure.error().addSuppressed(earlier.error()));
                throw failure.error();
            }
            failures.add(failure);
            if (i + 1 < count) {
                log.warn("cluster={} endpoint={} - {} failed ({}); trying {}", cluster, endpoint, call,
                        failure.detail(), endpoints.get(order[i + 1]));
            }
        }
        throw unavailable(call, failures);
    }

    /**
     * The endpoints in the order to try, from {@code first} on; those whose checked answer was
     * refused (a node without quorum) come last for a minute, so the task list and the per-guest
     * calls of the same pass do not go back to the endpoint the listing just refused, and a node
     * that regained quorum gets its configured place back.
     */
    private int[] order(int first, int count) {
        int[] order = new int[count];
        int n = 0;
        long now = System.nanoTime();
        distrusted.values().removeIf(until -> until - now <= 0);
        for (int pass = 0; pass < 2; pass++) {
            for (int i = 0; i < count; i++) {
                int index = (first + i) % count;
                if (distrusted.containsKey(index) == (pass == 1)) {
                    order[n++] = index;
                }
            }
        }
        return order;
    }

    /** The answer, or the failure of an endpoint whose answer the check refused. */
    private <T> Outcome checked(Endpoint endpoint, ApiCall call, T data, AnswerCheck<T> check) {
        try {
            java.util.Optional<String> rejected = check.reject(data, pinned(endpoint));
            if (rejected.isEmpty()) {
                return new Answer(data);
            }
            ProxmoxDataException error = new ProxmoxDataException(cluster, endpoint.display(), call.name(),
                    "cluster " + cluster + ": " + endpoint + " answered " + call + ", but " + rejected.get(), null);
            return new Failure(endpoint, error, rejected.get(), true);
        } catch (ProxmoxException e) {
            boolean interrupted = Thread.currentThread().isInterrupted();
            return new Failure(endpoint, e, "its answer could not be checked: " + e.getMessage(), !interrupted);
        }
    }

    /** Calls to one endpoint only, once each: what an {@link AnswerCheck} asks. */
    private ProxmoxApi pinned(Endpoint endpoint) {
        return new ProxmoxApi() {
            @Override
            public String cluster() {
                return cluster;
            }

            @Override
            public JsonNode get(ApiCall call) throws ProxmoxException {
                return once(endpoint, call, Answers::data);
            }

            @Override
            public <T> T read(ApiCall call, DataReader<T> reader) throws ProxmoxException {
                return once(endpoint, call, body -> Answers.data(body, reader));
            }
        };
    }

    private <T> T once(Endpoint endpoint, ApiCall call, Body<T> body) throws ProxmoxException {
        Outcome outcome = attempt(endpoint, call, body);
        if (outcome instanceof Answer answer) {
            @SuppressWarnings("unchecked") // attempt answers what body read
            T data = (T) answer.data();
            return data;
        }
        Failure failure = (Failure) outcome;
        listener.failed(call.name(), failure.error());
        throw failure.error();
    }

    /** Closes idle connections. Calls still running finish; the client should not be used after. */
    @Override
    public void close() {
        clusterHttp.connectionPool().evictAll();
    }

    @Override
    public String toString() {
        return "ProxmoxClient[cluster=" + cluster + ", endpoints=" + endpoints + ", token=" + tokenId + "]";
    }

    private <T> Outcome attempt(Endpoint endpoint, ApiCall call, Body<T> body) {
        boolean clusterScope = call.scope() == Scope.CLUSTER;
        RequestSent sent = new RequestSent();
        Request request = new Request.Builder()
                .tag(RequestSent.class, sent)
                .url(endpoint.url(call))
                .header("Authorization", authorization)
                .header("Accept", "application/json")
                .header("User-Agent", "pvesync")
                .build();
        listener.requested(call.name());
        log.debug("cluster={} endpoint={} - {}", cluster, endpoint, call);
        long started = System.nanoTime();
        try (Response response = (clusterScope ? clusterHttp : guestHttp).newCall(request).execute()) {
            if (!response.isSuccessful()) {
                ProxmoxHttpException error = HttpErrors.of(cluster, endpoint, call, response.code(),
                        mask.apply(Answers.reason(response)), tokenId);
                boolean tryNext = clusterScope && error.status() >= 500;
                String detail = "HTTP " + error.status() + ": " + error.reason();
                log.debug("cluster={} endpoint={} - {}: {}", cluster, endpoint, call, detail);
                return new Failure(endpoint, error, detail, tryNext);
            }
            T data = body.read(response.body().byteStream());
            log.debug("cluster={} endpoint={} - {}: HTTP {} in {} ms", cluster, endpoint, call, response.code(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
            return new Answer(data);
        } catch (Answers.BadAnswerException e) {
            String problem = mask.apply(e.getMessage());
            String detail = "answer is " + problem;
            ProxmoxDataException error = new ProxmoxDataException(cluster, endpoint.display(), call.name(),
                    "cluster " + cluster + ": " + endpoint + " answered " + call + " with " + problem, mask.apply(e));
            return new Failure(endpoint, error, detail, clusterScope);
        } catch (IOException e) {
            // SocketTimeoutException is an InterruptedIOException too, but only a timeout
            if (Thread.currentThread().isInterrupted()
                    || (e instanceof InterruptedIOException && !(e instanceof SocketTimeoutException))) {
                return interrupted(endpoint, call, e);
            }
            if (!clusterScope && sent.sent()) {
                return guestFailureAfterSending(endpoint, call, e);
            }
            return transportFailure(endpoint, call, e, clusterScope ? readTimeout : addressTimeout);
        } catch (Exception e) {
            // OkHttp, written in Kotlin, throws InterruptedException undeclared while it waits for a connect
            if (e instanceof InterruptedException) {
                return interrupted(endpoint, call, e);
            }
            throw e;
        }
    }

    private Failure interrupted(Endpoint endpoint, ApiCall call, Exception e) {
        Thread.currentThread().interrupt(); // restore it: the caller is being asked to stop
        ProxmoxTransportException error = new ProxmoxTransportException(cluster, endpoint.display(), call.name(),
                "cluster " + cluster + ": " + call + " at " + endpoint + " was interrupted", mask.apply(e));
        return new Failure(endpoint, error, "interrupted", false);
    }

    private Failure transportFailure(Endpoint endpoint, ApiCall call, IOException e, Duration timeout) {
        // an IOException may quote what came back (a malformed status line echoing the header)
        String detail = mask.apply(TransportErrors.describe(e, connectTimeout, timeout));
        log.debug("cluster={} endpoint={} - {}: {}", cluster, endpoint, call, detail);
        ProxmoxTransportException error = new ProxmoxTransportException(cluster, endpoint.display(), call.name(),
                "cluster " + cluster + ": " + endpoint + " did not answer " + call + ": " + detail, mask.apply(e));
        return new Failure(endpoint, error, detail, true);
    }

    /** The request reached the endpoint, which proxied it to the guest's node: no other endpoint (class comment). */
    private Failure guestFailureAfterSending(Endpoint endpoint, ApiCall call, IOException e) {
        String detail = mask.apply(TransportErrors.describe(e, connectTimeout, addressTimeout));
        log.debug("cluster={} endpoint={} - {}: {} (sent; not tried elsewhere)", cluster, endpoint, call, detail);
        String message = "cluster " + cluster + ": " + endpoint + " did not answer " + call + ": " + detail;
        ProxmoxTransportException error = TransportErrors.timedOut(e)
                ? new NodeNotAnsweringException(cluster, endpoint.display(), call.name(), detail, message, mask.apply(e))
                : new ProxmoxTransportException(cluster, endpoint.display(), call.name(), message, mask.apply(e));
        return new Failure(endpoint, error, detail, false);
    }

    private ProxmoxUnavailableException unavailable(ApiCall call, List<Failure> failures) {
        String each = failures.stream()
                .map(failure -> failure.endpoint() + " (" + failure.detail() + ")")
                .collect(Collectors.joining(", "));
        String which = failures.size() == 1 ? "its only endpoint" : "all " + failures.size() + " endpoints";
        return new ProxmoxUnavailableException(cluster, call.name(),
                "cluster " + cluster + ": " + which + " failed for " + call + ": " + each,
                failures.stream().map(Failure::error).toList());
    }

    /** The header value; checked here so a bad secret fails at start, and without echoing it. */
    private static String authorization(String cluster, String tokenId, String secret) {
        if (!printable(tokenId)) {
            throw new IllegalArgumentException("cluster " + cluster
                    + ": token-id contains a space or control character; expected USER@REALM!TOKENID");
        }
        if (secret.isEmpty() || !printable(secret)) {
            throw new IllegalArgumentException("cluster " + cluster + ": token-secret is empty or contains a"
                    + " space or control character (a trailing newline from token-secret-file?)");
        }
        return "PVEAPIToken=" + tokenId + "=" + secret;
    }

    private static boolean printable(String value) {
        return value.chars().allMatch(c -> c > 0x20 && c < 0x7f);
    }

    /** What one attempt at one endpoint gave. */
    private sealed interface Outcome permits Answer, Failure {
    }

    private record Answer(Object data) implements Outcome {
    }

    /** Reads a success body: the whole answer's data, or streamed through a reader. */
    @FunctionalInterface
    private interface Body<T> {
        T read(java.io.InputStream in) throws Answers.BadAnswerException, IOException;
    }

    /**
     * @param detail  the short text listed in {@link ProxmoxUnavailableException}'s message
     * @param tryNext whether the next endpoint may do better
     */
    private record Failure(Endpoint endpoint, ProxmoxException error, String detail, boolean tryNext)
            implements Outcome {
    }
}
