package io.pvesync.faults;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.pvesync.proxmox.ApiCall;
import io.pvesync.proxmox.ProxmoxApi;
import io.pvesync.proxmox.ProxmoxException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;

/**
 * Passes every call through to the real client, and lets a test rewrite the next
 * {@code /cluster/resources} answer once: the listing a migration can produce mid-move (a guest
 * under two nodes, or under none), which the simulator's atomic changes never serve.
 */
final class ListingTamper implements ProxmoxApi {
    private final ProxmoxApi api;
    private final AtomicReference<UnaryOperator<ArrayNode>> next = new AtomicReference<>();

    ListingTamper(ProxmoxApi api) {
        this.api = api;
    }

    /** The next listing is given to {@code edit} (a copy of the answer) before pvesync reads it. */
    void nextListing(UnaryOperator<ArrayNode> edit) {
        next.set(edit);
    }

    @Override
    public String cluster() {
        return api.cluster();
    }

    @Override
    public JsonNode get(ApiCall call) throws ProxmoxException {
        JsonNode answer = api.get(call);
        if (call.name().equals(ApiCall.clusterResources().name())) {
            UnaryOperator<ArrayNode> edit = next.getAndSet(null);
            if (edit != null) {
                return edit.apply(((ArrayNode) answer).deepCopy());
            }
        }
        return answer;
    }

    /** Untampered answers keep the client's own check and failover; a tampered one is checked as it is. */
    @Override
    public <T> T read(ApiCall call, DataReader<T> reader, AnswerCheck<T> check) throws ProxmoxException {
        if (next.get() == null || !call.name().equals(ApiCall.clusterResources().name())) {
            return api.read(call, reader, check);
        }
        return ProxmoxApi.super.read(call, reader, check);
    }
}
