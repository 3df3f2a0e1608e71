package io.pvesync.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pvesync.store.VmChange.Kind;
import java.nio.charset.StandardCharsets;

/**
 * The payload of {@code NOTIFY pvesync_vms} after a pass that wrote rows (DESIGN.md 4.5): the
 * cluster, the pass's mode, its history rows by kind, the changed {@code vms.id}s (or {@code null}
 * when they would not fit) and the range of {@code vm_changes.id} it wrote. It names no VM and no
 * owner: any session of the database may LISTEN.
 */
public final class ChangeNotice {
    /** The channel the application LISTENs on. */
    public static final String CHANNEL = "pvesync_vms";

    /**
     * The largest payload sent, in bytes: PostgreSQL refuses 8,000 or more in its default build;
     * the margin is for whatever a later field adds.
     */
    static final int MAX_BYTES = 7_900;

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private ChangeNotice() {
    }

    /**
     * The payload for {@code recorded}, the history one pass of {@code cluster} wrote.
     *
     * @param mode {@code poll} or {@code reconcile}
     */
    public static String payload(String cluster, String mode, RecordedChanges recorded) {
        ObjectNode notice = MAPPER.createObjectNode();
        notice.put("cluster", cluster);
        notice.put("mode", mode);
        ObjectNode counts = notice.putObject("counts");
        for (Kind kind : Kind.values()) {
            counts.put(kind.recorded(), recorded.count(kind));
        }
        notice.put("vm_count", recorded.vmIds().size());
        ArrayNode ids = notice.putArray("vm_ids");
        recorded.vmIds().forEach(ids::add);
        notice.put("first_change_id", recorded.firstId());
        notice.put("last_change_id", recorded.lastId());
        String withIds = json(notice);
        if (withIds.getBytes(StandardCharsets.UTF_8).length <= MAX_BYTES) {
            return withIds;
        }
        // too many to name: the application reads vm_changes by the id range instead
        notice.putNull("vm_ids");
        return json(notice);
    }

    private static String json(ObjectNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of strings and numbers always serializes", e);
        }
    }
}
