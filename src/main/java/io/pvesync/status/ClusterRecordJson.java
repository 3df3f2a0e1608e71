package io.pvesync.status;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pvesync.inventory.AddressLookups;
import io.pvesync.sync.SyncMode;
import io.pvesync.sync.SyncOutcome;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * {@link ClusterRecord} as the JSON document of {@code pvesync.cluster_state}. Written field by
 * field, so the stored shape is written down here; read leniently, so a document written by an
 * older or newer pvesync (several instances are upgraded one by one) still reads: a field it does
 * not know is ignored, a field it lacks is absent.
 */
final class ClusterRecordJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private ClusterRecordJson() {
    }

    static String write(ClusterRecord r) {
        ObjectNode root = MAPPER.createObjectNode();
        r.running().ifPresent(run -> {
            ObjectNode o = root.putObject("running");
            o.put("mode", word(run.mode()));
            o.put("since", run.since().toString());
            o.put("instance", run.instance());
        });
        r.lastPass().ifPresent(p -> {
            ObjectNode o = root.putObject("lastPass");
            o.put("mode", word(p.mode()));
            o.put("result", word(p.result()));
            o.put("startedAt", p.startedAt().toString());
            o.put("durationMs", p.duration().toMillis());
            o.put("apiRequests", p.apiRequests());
            o.put("problem", p.problem().orElse(null));
            o.put("instance", r.lastPassBy().orElse(null));
        });
        r.lastSuccess().ifPresent(t -> root.put("lastSuccess", t.toString()));
        r.lastApplied().ifPresent(a -> {
            ObjectNode o = root.putObject("lastApplied");
            ClusterState.Counts c = a.counts();
            ObjectNode counts = o.putObject("counts");
            counts.put("inserted", c.inserted());
            counts.put("updated", c.updated());
            counts.put("unchanged", c.unchanged());
            counts.put("missing", c.missing());
            counts.put("held", c.held());
            counts.put("skipped", c.skipped());
            ObjectNode lookups = o.putObject("lookups");
            lookups.put("found", a.lookups().found());
            lookups.put("none", a.lookups().none());
            lookups.put("failed", a.lookups().failed());
            ObjectNode skipped = lookups.putObject("skipped");
            skipped.put("node", a.lookups().skipped().node());
            skipped.put("deadline", a.lookups().skipped().deadline());
            skipped.put("api", a.lookups().skipped().api());
            ObjectNode alone = lookups.putObject("nodesLeftAlone");
            a.lookups().nodesLeftAlone().forEach(alone::put);
            a.lookups().oldestWaiting().ifPresent(t -> lookups.put("oldestWaiting", t.toString()));
            ObjectNode notes = o.putObject("addressNotes");
            a.addressNotes().forEach((vmid, why) -> notes.put(String.valueOf(vmid), why));
        });
        root.put("consecutiveFailures", r.consecutiveFailures());
        r.lastError().ifPresent(e -> {
            ObjectNode o = root.putObject("lastError");
            o.put("text", e.text());
            o.put("at", e.at().toString());
        });
        r.backoffUntil().ifPresent(t -> root.put("backoffUntil", t.toString()));
        r.holding().ifPresent(h -> {
            ObjectNode o = root.putObject("holding");
            o.put("since", h.since().toString());
            o.put("held", h.held());
            o.put("of", h.of());
        });
        try {
            return MAPPER.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree of strings and numbers always serialises", e);
        }
    }

    /** @throws IllegalArgumentException when the text is not such a document */
    static ClusterRecord read(String json) {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("not a JSON object");
        }
        Optional<ClusterRecord.Running> running = object(root, "running").map(o -> new ClusterRecord.Running(
                mode(o), instant(o, "since").orElseThrow(() -> missing("running.since")), text(o, "instance").orElse("")));
        Optional<JsonNode> pass = object(root, "lastPass");
        Optional<ClusterState.Pass> lastPass = pass.map(o -> new ClusterState.Pass(mode(o),
                SyncOutcome.Result.valueOf(text(o, "result").orElseThrow(() -> missing("lastPass.result"))
                        .toUpperCase(Locale.ROOT)),
                instant(o, "startedAt").orElseThrow(() -> missing("lastPass.startedAt")),
                Duration.ofMillis(o.path("durationMs").asLong()), o.path("apiRequests").asInt(), text(o, "problem")));
        Optional<String> by = pass.flatMap(o -> text(o, "instance"));
        Optional<ClusterState.Applied> applied = object(root, "lastApplied").map(ClusterRecordJson::applied);
        Optional<ClusterState.Problem> error = object(root, "lastError").map(o -> new ClusterState.Problem(
                text(o, "text").orElse(""), instant(o, "at").orElseThrow(() -> missing("lastError.at"))));
        Optional<ClusterRecord.Holding> holding = object(root, "holding").map(o -> new ClusterRecord.Holding(
                instant(o, "since").orElseThrow(() -> missing("holding.since")), o.path("held").asInt(),
                o.path("of").asInt()));
        return new ClusterRecord(running, lastPass, by, instant(root, "lastSuccess"), applied,
                root.path("consecutiveFailures").asInt(), error, instant(root, "backoffUntil"), holding);
    }

    private static ClusterState.Applied applied(JsonNode o) {
        JsonNode c = o.path("counts");
        ClusterState.Counts counts = new ClusterState.Counts(c.path("inserted").asInt(), c.path("updated").asInt(),
                c.path("unchanged").asInt(), c.path("missing").asInt(), c.path("held").asInt(),
                c.path("skipped").asInt());
        JsonNode l = o.path("lookups");
        JsonNode sk = l.path("skipped");
        Map<String, String> alone = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = l.path("nodesLeftAlone").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            alone.put(e.getKey(), e.getValue().asText());
        }
        AddressLookups lookups = new AddressLookups(l.path("found").asInt(), l.path("none").asInt(),
                l.path("failed").asInt(), new AddressLookups.Skipped(sk.path("node").asInt(),
                sk.path("deadline").asInt(), sk.path("api").asInt()), alone, instant(l, "oldestWaiting"));
        Map<Integer, String> notes = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = o.path("addressNotes").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            notes.put(Integer.parseInt(e.getKey()), e.getValue().asText());
        }
        return new ClusterState.Applied(counts, lookups, notes);
    }

    private static SyncMode mode(JsonNode o) {
        return SyncMode.valueOf(text(o, "mode").orElseThrow(() -> missing("mode")).toUpperCase(Locale.ROOT));
    }

    private static Optional<JsonNode> object(JsonNode o, String field) {
        JsonNode v = o.get(field);
        return v != null && v.isObject() ? Optional.of(v) : Optional.empty();
    }

    private static Optional<String> text(JsonNode o, String field) {
        JsonNode v = o.get(field);
        return v != null && v.isTextual() ? Optional.of(v.asText()) : Optional.empty();
    }

    private static Optional<Instant> instant(JsonNode o, String field) {
        return text(o, field).map(parse(field));
    }

    private static Function<String, Instant> parse(String field) {
        return t -> {
            try {
                return Instant.parse(t);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(field + " is not a timestamp: " + t, e);
            }
        };
    }

    private static IllegalArgumentException missing(String field) {
        return new IllegalArgumentException(field + " is missing");
    }

    private static String word(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }
}
