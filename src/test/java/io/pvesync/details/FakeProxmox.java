package io.pvesync.details;

import io.pvesync.inventory.Fixtures;

import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Answers MockWebServer requests by path, records every path asked, and measures how many
 * requests per node were in flight at once.
 */
final class FakeProxmox extends Dispatcher {
    private static final String PREFIX = "/api2/json";

    private final Map<String, MockResponse> answers = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<String> asked = new ConcurrentLinkedQueue<>();
    private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> maxInFlight = new ConcurrentHashMap<>();
    private volatile long delayMillis;

    /** Answers GET {@code /api2/json<path>} with 200 and the fixture's body. */
    FakeProxmox ok(String path, String fixture) {
        answers.put(path, new MockResponse.Builder().code(200).body(Fixtures.body(fixture)).build());
        return this;
    }

    /** Answers with an error status whose reason phrase carries the text, as Proxmox does. */
    FakeProxmox error(String path, int code, String reason) {
        String body = "{\"data\":null,\"message\":\"" + reason + "\\n\"}";
        answers.put(path, new MockResponse.Builder().status("HTTP/1.1 " + code + " " + reason).body(body).build());
        return this;
    }

    /** Holds every answer this long, so requests would overlap if nothing bounded them. */
    FakeProxmox delay(long millis) {
        this.delayMillis = millis;
        return this;
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
        String path = request.getUrl().encodedPath().substring(PREFIX.length());
        asked.add(path);
        String node = path.startsWith("/nodes/") ? path.split("/")[2] : "";
        int now = inFlight.computeIfAbsent(node, n -> new AtomicInteger()).incrementAndGet();
        maxInFlight.computeIfAbsent(node, n -> new AtomicInteger()).accumulateAndGet(now, Math::max);
        try {
            if (delayMillis > 0) {
                Thread.sleep(delayMillis);
            }
            MockResponse answer = answers.get(path);
            return answer != null ? answer
                    : new MockResponse.Builder().status("HTTP/1.1 501 Method 'GET " + path + "' not implemented").build();
        } finally {
            inFlight.get(node).decrementAndGet();
        }
    }

    /** Every path asked so far (below {@code /api2/json}), in arrival order; clears the record. */
    List<String> takeAsked() {
        List<String> result = List.copyOf(asked);
        asked.clear();
        return result;
    }

    /** The most requests for {@code node} that were in flight at the same time. */
    int maxInFlight(String node) {
        AtomicInteger max = maxInFlight.get(node);
        return max == null ? 0 : max.get();
    }
}
