package io.pvesync.proxmox;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import okhttp3.HttpUrl;

/**
 * One API base URL of a cluster, such as {@code https://pve1:8006}.
 *
 * @param display the base URL as written in errors and logs, without a trailing slash
 */
record Endpoint(String display) {

    private static final String API_ROOT = "/api2/json";

    /**
     * The endpoints in configured order.
     *
     * @throws IllegalArgumentException when the list is empty or a URL is not http(s)
     */
    static List<Endpoint> of(List<URI> uris) {
        if (uris.isEmpty()) {
            throw new IllegalArgumentException("no endpoints: at least one API URL such as https://pve1:8006 is needed");
        }
        List<Endpoint> endpoints = new ArrayList<>(uris.size());
        for (URI uri : uris) {
            String base = uri.toString();
            while (base.endsWith("/")) {
                base = base.substring(0, base.length() - 1);
            }
            // parse once here, so a bad URL fails at start and never in the middle of a pass
            if (HttpUrl.parse(base + API_ROOT) == null) {
                throw new IllegalArgumentException("endpoint " + uri + ": not an http(s) URL such as https://pve1:8006");
            }
            endpoints.add(new Endpoint(base));
        }
        return List.copyOf(endpoints);
    }

    /** The full URL of {@code call} at this endpoint: base + /api2/json + path. */
    HttpUrl url(ApiCall call) {
        return HttpUrl.get(display + API_ROOT + call.path());
    }

    @Override
    public String toString() {
        return display;
    }
}
