package io.pvesync.testing;

import com.fasterxml.jackson.databind.JsonNode;
import io.pvesync.proxmox.ApiCall;
import io.pvesync.proxmox.ProxmoxApi;
import io.pvesync.proxmox.ProxmoxException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A real client that records its per-guest calls ({@code "qemu/config 104"}) in the order they are sent. */
public final class RecordingApi implements ProxmoxApi {
    public final List<String> calls = new CopyOnWriteArrayList<>();
    private final ProxmoxApi api;

    public RecordingApi(ProxmoxApi api) {
        this.api = api;
    }

    @Override
    public String cluster() {
        return api.cluster();
    }

    @Override
    public JsonNode get(ApiCall call) throws ProxmoxException {
        if (call.scope() == ApiCall.Scope.GUEST) {
            calls.add(call.name() + " " + vmid(call));
        }
        return api.get(call);
    }

    @Override
    public <T> T read(ApiCall call, DataReader<T> reader) throws ProxmoxException {
        return api.read(call, reader);
    }

    @Override
    public <T> T read(ApiCall call, DataReader<T> reader, AnswerCheck<T> check) throws ProxmoxException {
        return api.read(call, reader, check);
    }

    private static String vmid(ApiCall call) {
        String[] parts = call.path().split("/");
        return parts.length > 4 ? parts[4] : "?";
    }
}
