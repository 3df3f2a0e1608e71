package io.pvesync.sim;

import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/** The switched-on faults, read by every request; all thread-safe. */
final class Faults {

    /** A one-shot failure for the next request under {@code pathPrefix}. */
    record Failure(String pathPrefix, int status, String reason) {
    }

    private volatile Duration slow = Duration.ZERO;
    private final Map<String, Duration> slowNodes = new ConcurrentHashMap<>();
    private volatile boolean malformedJson;
    private final Queue<Failure> failures = new ConcurrentLinkedQueue<>();
    // vmid -> field -> raw JSON value
    private final Map<Integer, Map<String, String>> corrupt = new ConcurrentHashMap<>();
    // vmid -> the desc its guest agent's error carries
    private final Map<Integer, String> agentErrors = new ConcurrentHashMap<>();

    Duration slow() {
        return slow;
    }

    void slow(Duration delay) {
        if (delay.isNegative()) {
            throw new IllegalArgumentException("slow: negative delay " + delay);
        }
        slow = delay;
    }

    /** How long calls proxied to {@code node} wait for its answer; zero when it is not slow. */
    Duration slowNode(String node) {
        return slowNodes.getOrDefault(node, Duration.ZERO);
    }

    void slowNode(String node, Duration delay) {
        if (delay.isNegative()) {
            throw new IllegalArgumentException("slowGuestCalls: negative delay " + delay + " for node " + node);
        }
        if (delay.isZero()) {
            slowNodes.remove(node);
        } else {
            slowNodes.put(node, delay);
        }
    }

    boolean malformedJson() {
        return malformedJson;
    }

    void malformedJson(boolean on) {
        malformedJson = on;
    }

    void failNext(String pathPrefix, int status, String reason) {
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("failNext: status " + status + " is not an error status");
        }
        failures.add(new Failure(Paths.relative(pathPrefix), status, Objects.requireNonNull(reason, "reason")));
    }

    /** Removes and returns the first pending failure for this path, or null. */
    Failure takeFailure(String relativePath) {
        for (Iterator<Failure> it = failures.iterator(); it.hasNext(); ) {
            Failure failure = it.next();
            if (relativePath.startsWith(failure.pathPrefix()) && failures.remove(failure)) {
                return failure;
            }
        }
        return null;
    }

    /** @param json the raw JSON value to send, or null to send the field as it is again */
    void corrupt(int vmid, String field, String json) {
        if (json == null) {
            corrupt.computeIfPresent(vmid, (id, fields) -> {
                fields.remove(field);
                return fields.isEmpty() ? null : fields;
            });
        } else {
            corrupt.computeIfAbsent(vmid, id -> new ConcurrentHashMap<>()).put(field, json);
        }
    }

    /** The corrupted fields of that guest's {@code /cluster/resources} entry, or null. */
    Map<String, String> corruption(int vmid) {
        return corrupt.isEmpty() ? null : corrupt.get(vmid);
    }

    void agentError(int vmid, String desc) {
        agentErrors.put(vmid, Objects.requireNonNull(desc, "desc"));
    }

    /** The desc of that guest's agent error, or null for the usual one. */
    String agentError(int vmid) {
        return agentErrors.get(vmid);
    }
}
