package io.pvesync.properties;

import com.fasterxml.jackson.databind.JsonNode;
import io.pvesync.proxmox.ApiCall;
import io.pvesync.proxmox.ProxmoxApi;
import io.pvesync.proxmox.ProxmoxException;
import io.pvesync.proxmox.ProxmoxHttpException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A Proxmox API that answers each path with a scripted answer: a JSON value, or an exception of
 * the kinds {@link ProxmoxApi#get} documents. An unscripted path answers 501, as pveproxy does
 * for a method it does not know.
 */
final class ScriptedApi implements ProxmoxApi {

    /** One scripted answer: {@code data} is returned, else {@code error} is thrown. */
    record Answer(JsonNode data, ProxmoxException error) {
        static Answer of(JsonNode data) {
            return new Answer(data, null);
        }

        static Answer failing(ProxmoxException error) {
            return new Answer(null, error);
        }

        @Override
        public String toString() {
            return data != null ? data.toString() : error.getClass().getSimpleName() + ": " + error.getMessage();
        }
    }

    private final Map<String, Answer> answers = new ConcurrentHashMap<>();

    ScriptedApi answer(ApiCall call, Answer answer) {
        answers.put(call.path(), answer);
        return this;
    }

    @Override
    public String cluster() {
        return "lab";
    }

    @Override
    public JsonNode get(ApiCall call) throws ProxmoxException {
        Answer answer = answers.get(call.path());
        if (answer == null) {
            throw new ProxmoxHttpException("lab", "https://pve1:8006", call.name(), 501,
                    "Method 'GET " + call.path() + "' not implemented", "not scripted: " + call);
        }
        if (answer.error() != null) {
            throw answer.error();
        }
        return answer.data();
    }
}
