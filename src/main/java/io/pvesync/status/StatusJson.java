package io.pvesync.status;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pvesync.inventory.AddressLookups;
import io.pvesync.sync.SyncOutcome;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The JSON bodies of {@code /status} and {@code /resync}. Built field by field rather than by
 * binding the records, so the wire shape is written down here and a field added to a record for
 * another reason never leaks out. Timestamps are ISO-8601 in UTC with milliseconds at most; absent
 * values are JSON null, so a reader sees every field every time.
 */
final class StatusJson {
    /** Enough to act on; a cluster with thousands of addressless VMs has a bigger problem to show. */
    static final int MAX_LISTED_VMS = 500;

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private StatusJson() {
    }

    static String status(Health health, List<ClusterState> clusters) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("healthy", health.healthy());
        ArrayNode reasons = root.putArray("reasons");
        health.reasons().forEach(reasons::add);
        ArrayNode list = root.putArray("clusters");
        clusters.forEach(c -> cluster(list.addObject(), c));
        return write(root);
    }

    private static void cluster(ObjectNode node, ClusterState c) {
        node.put("name", c.name());
        node.put("state", word(c.phase()));
        node.put("running", c.running().isPresent());
        node.put("runningMode", c.running().map(StatusJson::word).orElse(null));
        node.put("lastAttempt", time(c.lastAttempt()));
        node.put("lastSuccess", time(c.lastSuccess()));
        Optional<ClusterState.Pass> pass = c.lastPass();
        node.put("lastResult", pass.map(p -> word(p.result())).orElse(null));
        node.put("lastMode", pass.map(p -> word(p.mode())).orElse(null));
        if (pass.isPresent()) {
            node.put("lastDurationMs", pass.get().duration().toMillis());
            node.put("apiRequests", pass.get().apiRequests());
        } else {
            node.putNull("lastDurationMs");
            node.putNull("apiRequests");
        }
        node.put("consecutiveFailures", c.consecutiveFailures());
        node.put("lastError", c.lastError().map(ClusterState.Problem::text).orElse(null));
        node.put("lastErrorAt", time(c.lastError().map(ClusterState.Problem::at)));
        node.put("lastPassBy", c.lastPassBy().orElse(null));
        node.put("runningOn", c.runningOn().orElse(null));
        node.put("nextRun", time(c.nextRun()));
        node.put("backoffUntil", time(c.backoffUntil()));
        Optional<ClusterState.Applied> applied = c.lastApplied();
        if (applied.isEmpty()) {
            node.putNull("counts");
            node.putNull("addressLookups");
            node.putNull("lookupsSkipped");
            node.putNull("nodesLeftAlone");
            node.putNull("lookupQueue");
            node.putNull("vmsWithoutAddress");
            return;
        }
        counts(node.putObject("counts"), applied.get().counts());
        AddressLookups lookups = applied.get().lookups();
        lookups(node.putObject("addressLookups"), lookups);
        skipped(node.putObject("lookupsSkipped"), lookups.skipped());
        // the slow path's queue (DESIGN.md 3.6): lookups made, lookups left for a later pass, and
        // since when the guest waiting longest has waited
        ObjectNode queue = node.putObject("lookupQueue");
        queue.put("done", lookups.done());
        queue.put("waiting", lookups.skipped().total());
        queue.put("oldestWaiting", time(lookups.oldestWaiting()));
        ObjectNode leftAlone = node.putObject("nodesLeftAlone");
        new TreeMap<>(lookups.nodesLeftAlone()).forEach(leftAlone::put);
        withoutAddress(node.putObject("vmsWithoutAddress"), applied.get().addressNotes());
    }

    private static void counts(ObjectNode node, ClusterState.Counts counts) {
        node.put("inserted", counts.inserted());
        node.put("updated", counts.updated());
        node.put("unchanged", counts.unchanged());
        node.put("missing", counts.missing());
        node.put("held", counts.held());
        node.put("skipped", counts.skipped());
    }

    private static void lookups(ObjectNode node, AddressLookups lookups) {
        node.put("found", lookups.found());
        node.put("none", lookups.none());
        node.put("failed", lookups.failed());
    }

    /**
     * Guests whose due lookups the pass did not make (DESIGN.md 3.6): {@code node} = their node was
     * left alone (slow or unreachable, named in {@code nodesLeftAlone}), {@code deadline} = the
     * pass's budget was spent, {@code api} = no endpoint answered.
     */
    private static void skipped(ObjectNode node, AddressLookups.Skipped skipped) {
        node.put("total", skipped.total());
        node.put("node", skipped.node());
        node.put("deadline", skipped.deadline());
        node.put("api", skipped.api());
    }

    /** By vmid, the lowest first, at most {@link #MAX_LISTED_VMS}; {@code truncated} counts the rest. */
    private static void withoutAddress(ObjectNode node, Map<Integer, String> notes) {
        node.put("count", notes.size());
        ObjectNode vms = node.putObject("vms");
        new TreeMap<>(notes).entrySet().stream().limit(MAX_LISTED_VMS)
                .forEach(e -> vms.put(String.valueOf(e.getKey()), e.getValue()));
        node.put("truncated", Math.max(0, notes.size() - MAX_LISTED_VMS));
    }

    /** {@code {"queued":["lab"]}}: the clusters a resync was queued for, without waiting. */
    static String queued(Collection<String> clusters) {
        ObjectNode root = MAPPER.createObjectNode();
        ArrayNode queued = root.putArray("queued");
        clusters.forEach(queued::add);
        return write(root);
    }

    /**
     * What a waited-for resync found: each finished pass's outcome, and the clusters whose pass was
     * still running when the wait ran out.
     */
    static String waited(List<ResyncResult> done, List<String> running) {
        ObjectNode root = MAPPER.createObjectNode();
        ArrayNode outcomes = root.putArray("outcomes");
        for (ResyncResult r : done) {
            ObjectNode o = outcomes.addObject();
            o.put("cluster", r.cluster());
            o.put("result", r.result());
            o.put("summary", r.summary());
            o.put("problem", r.problem().orElse(null));
        }
        ArrayNode stillRunning = root.putArray("running");
        running.forEach(stillRunning::add);
        return write(root);
    }

    /**
     * One cluster's answer to a waited-for resync.
     *
     * @param result ok | degraded | failed, or {@code not run} when the pass never ran (the daemon stopped)
     */
    record ResyncResult(String cluster, String result, String summary, Optional<String> problem) {
        static ResyncResult of(SyncOutcome outcome) {
            return new ResyncResult(outcome.cluster(), word(outcome.result()), outcome.summary(), outcome.problem());
        }

        static ResyncResult notRun(String cluster, Throwable why) {
            String text = "the pass did not run: " + (why.getMessage() != null ? why.getMessage() : why.toString());
            return new ResyncResult(cluster, "not run", text, Optional.of(text));
        }
    }

    private static String word(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }

    private static String time(Optional<Instant> instant) {
        return instant.map(t -> t.truncatedTo(ChronoUnit.MILLIS).toString()).orElse(null);
    }

    private static String write(ObjectNode root) {
        try {
            return MAPPER.writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree of strings and numbers always serialises", e);
        }
    }
}
