package io.pvesync.status;

import io.pvesync.sync.SyncOutcome;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Asks the scheduler for a pass now (POST /resync, SIGHUP, {@code pvesync resync}). Implemented by
 * the scheduler, which runs the pass through the same door as its own jobs: never two passes of one
 * cluster at once.
 */
public interface ResyncTrigger {

    /**
     * Queues one full pass for each named cluster. A burst coalesces: a cluster that already has a
     * requested pass waiting joins it, so a burst costs at most one extra pass per cluster.
     *
     * @param clusters configured cluster names; the caller has checked they exist
     * @return per cluster, the outcome of the pass that will serve the request
     */
    Map<String, CompletableFuture<SyncOutcome>> request(List<String> clusters);
}
