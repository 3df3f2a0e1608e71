package io.pvesync.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.pvesync.proxmox.ApiCall;
import io.pvesync.proxmox.ProxmoxApi;
import io.pvesync.proxmox.ProxmoxException;

/**
 * The API as pvesync's pass sees it, noting the moment the listing ({@code /cluster/resources})
 * had been read to its end: a pass's rows cannot land before it, so "rows within X of the
 * listing's answer" can be stated. Everything else passes through unchanged, the endpoint
 * check of the listing included.
 */
final class ListingTimer implements ProxmoxApi {
    private static final String LISTING = ApiCall.clusterResources().name();

    private final ProxmoxApi api;
    private volatile long answered;

    ListingTimer(ProxmoxApi api) {
        this.api = api;
    }

    /** {@link System#nanoTime()} when the listing was last read to its end; 0 before any. */
    long answeredAt() {
        return answered;
    }

    @Override
    public String cluster() {
        return api.cluster();
    }

    @Override
    public JsonNode get(ApiCall call) throws ProxmoxException {
        JsonNode data = api.get(call);
        noteIfListing(call);
        return data;
    }

    @Override
    public <T> T read(ApiCall call, DataReader<T> reader) throws ProxmoxException {
        return api.read(call, timed(call, reader));
    }

    @Override
    public <T> T read(ApiCall call, DataReader<T> reader, AnswerCheck<T> check) throws ProxmoxException {
        // timed in the reader, not after read(): the check's own calls are not the listing's answer
        return api.read(call, timed(call, reader), check);
    }

    private <T> DataReader<T> timed(ApiCall call, DataReader<T> reader) {
        if (!call.name().equals(LISTING)) {
            return reader;
        }
        return data -> {
            T value = reader.read(data);
            answered = System.nanoTime();
            return value;
        };
    }

    private void noteIfListing(ApiCall call) {
        if (call.name().equals(LISTING)) {
            answered = System.nanoTime();
        }
    }
}
