package io.pvesync.details;


import com.fasterxml.jackson.databind.JsonNode;
import io.pvesync.proxmox.ApiCall;
import io.pvesync.proxmox.NodeNotAnsweringException;
import io.pvesync.proxmox.NodeUnreachableException;
import io.pvesync.proxmox.ProxmoxApi;
import io.pvesync.proxmox.ProxmoxException;
import io.pvesync.proxmox.ProxmoxHttpException;
import io.pvesync.proxmox.ProxmoxUnavailableException;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The per-guest calls of one pass, with each failure sorted by what the pass must do about it.
 * Counts every request it makes.
 */
final class GuestCalls {

    /** The outcome of one call. */
    sealed interface Reply {
        /** The call answered; {@code data} may be a JSON null node. */
        record Data(JsonNode data) implements Reply {
        }

        /** 595/596 ({@code reason}: {@code HTTP 595 No route to host}): skip the node's other guests this pass. */
        record NodeDown(String reason) implements Reply {
        }

        /**
         * The request reached an endpoint and the guest's node did not answer in time: leave the
         * node alone this pass. {@code reason} says what timed out, on which call.
         */
        record NodeSlow(String reason) implements Reply {
        }

        /** 500 {@code Configuration file ... does not exist}: the guest moved mid-pass; skip it. */
        record Moved(String reason) implements Reply {
        }

        /** Every endpoint failed: stop the lookups of this pass. */
        record Unavailable(String message) implements Reply {
        }

        /** Any other failure, the guest's own answer (HTTP status) or a transport problem. */
        record Failed(ProxmoxException error) implements Reply {
        }
    }

    private final ProxmoxApi api;
    private final AtomicInteger requests = new AtomicInteger();

    GuestCalls(ProxmoxApi api) {
        this.api = api;
    }

    Reply get(ApiCall call) {
        requests.incrementAndGet();
        try {
            return new Reply.Data(api.get(call));
        } catch (NodeUnreachableException down) {
            return new Reply.NodeDown("HTTP " + down.status() + " " + down.reason().strip() + " on " + call);
        } catch (NodeNotAnsweringException slow) {
            return new Reply.NodeSlow(slow.detail() + " on " + call);
        } catch (ProxmoxHttpException http) {
            if (http.status() == 500 && http.reason().contains("Configuration file")
                    && http.reason().contains("does not exist")) {
                return new Reply.Moved(http.reason());
            }
            return new Reply.Failed(http);
        } catch (ProxmoxUnavailableException unavailable) {
            return new Reply.Unavailable(unavailable.getMessage());
        } catch (ProxmoxException other) {
            return new Reply.Failed(other);
        }
    }

    int requests() {
        return requests.get();
    }
}
