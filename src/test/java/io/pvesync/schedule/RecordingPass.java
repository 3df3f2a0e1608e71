package io.pvesync.schedule;

import io.pvesync.inventory.AddressLookups;
import io.pvesync.sync.ClusterPass;
import io.pvesync.sync.SyncMode;
import io.pvesync.sync.SyncOutcome;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A cluster pass that records when and how it ran, and can be held (to make triggers overlap) or
 * made to fail. The scheduler around it is the real Quartz scheduler.
 */
class RecordingPass implements ClusterPass {
    private final String cluster;
    final List<SyncMode> runs = new CopyOnWriteArrayList<>();
    final AtomicInteger running = new AtomicInteger();
    final AtomicInteger maxRunning = new AtomicInteger();
    volatile boolean failing;
    volatile CountDownLatch hold;
    volatile CountDownLatch entered = new CountDownLatch(1);

    RecordingPass(String cluster) {
        this.cluster = cluster;
    }

    @Override
    public String cluster() {
        return cluster;
    }

    @Override
    public SyncOutcome run(SyncMode mode) {
        int now = running.incrementAndGet();
        maxRunning.accumulateAndGet(now, Math::max);
        runs.add(mode);
        entered.countDown();
        try {
            CountDownLatch h = hold;
            if (h != null) {
                h.await(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            running.decrementAndGet();
        }
        return outcome(cluster, mode, failing ? SyncOutcome.Result.FAILED : SyncOutcome.Result.OK);
    }

    static SyncOutcome outcome(String cluster, SyncMode mode, SyncOutcome.Result result) {
        return new SyncOutcome(cluster, mode, result, Instant.now(), Duration.ofMillis(1), Optional.empty(), 0,
                result == SyncOutcome.Result.OK ? Optional.empty() : Optional.of("simulated failure"), Map.of(),
                AddressLookups.NONE, 1);
    }

    int count() {
        return runs.size();
    }
}
