package io.pvesync.status;

import io.pvesync.sync.SyncOutcome;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The scheduler's side of /resync: records each request and hands out one future per cluster that
 * the test completes (or leaves pending).
 */
final class FakeTrigger implements ResyncTrigger {
    private final List<List<String>> requests = new CopyOnWriteArrayList<>();
    private final LinkedBlockingQueue<List<String>> arrivals = new LinkedBlockingQueue<>();
    private final Map<String, CompletableFuture<SyncOutcome>> pending = new ConcurrentHashMap<>();

    @Override
    public Map<String, CompletableFuture<SyncOutcome>> request(List<String> clusters) {
        Map<String, CompletableFuture<SyncOutcome>> answer = new LinkedHashMap<>();
        for (String c : clusters) {
            answer.put(c, pending.computeIfAbsent(c, k -> new CompletableFuture<>()));
        }
        requests.add(List.copyOf(clusters));
        arrivals.add(List.copyOf(clusters));
        return answer;
    }

    /** The future a request for {@code cluster} gets (the same one until it is replaced). */
    CompletableFuture<SyncOutcome> pass(String cluster) {
        return pending.computeIfAbsent(cluster, k -> new CompletableFuture<>());
    }

    List<List<String>> requests() {
        return List.copyOf(requests);
    }

    /** Blocks until the next request reaches the trigger (a bounded wait for an event, not a sleep). */
    List<String> awaitRequest() throws InterruptedException {
        List<String> next = arrivals.poll(10, TimeUnit.SECONDS);
        if (next == null) {
            throw new AssertionError("no resync request reached the trigger within 10 s");
        }
        return next;
    }
}
