package io.pvesync.proxmox;

import java.net.InetSocketAddress;
import java.net.Proxy;
import okhttp3.Call;
import okhttp3.EventListener;

/**
 * Whether one request went out to its endpoint: set when OkHttp starts writing the request's
 * headers, cleared when it opens a new connection (a retry after a stale pooled connection starts
 * over). Attached to a request as its tag; {@link #FACTORY} hands it to OkHttp as the call's
 * listener. A failure before the request went out is the endpoint's (refused, connect or TLS
 * timeout); after it, the endpoint holds the request and, for a per-guest call, has passed it on to
 * the guest's node.
 */
final class RequestSent extends EventListener {

    /** The listener tagged on the call's request, or none. */
    static final EventListener.Factory FACTORY = call -> {
        RequestSent watch = call.request().tag(RequestSent.class);
        return watch != null ? watch : EventListener.NONE;
    };

    private volatile boolean sent;

    boolean sent() {
        return sent;
    }

    @Override
    public void connectStart(Call call, InetSocketAddress address, Proxy proxy) {
        sent = false;
    }

    @Override
    public void requestHeadersStart(Call call) {
        sent = true;
    }
}
