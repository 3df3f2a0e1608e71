package io.pvesync.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import com.sun.management.GcInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

/**
 * Wall time, CPU time and heap of one measured pass, in the worker JVM that also hosts the
 * simulator. CPU is counted twice: the threads that are not the simulator's (pvesync's or the
 * baseline's own work: the calling thread, guest-detail workers, OkHttp), and the whole process
 * (adds the simulator serving the requests, GC and JIT). A thread that ends during the pass takes
 * its CPU time with it; pvesync's and the baseline's worker threads outlive a pass. The benchmark's
 * own table watcher ({@link TableWatcher}) is left out like the simulator.
 */
final class Meter {
    private static final String SIMULATOR_THREADS = "pvesim";

    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final com.sun.management.OperatingSystemMXBean os =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private final Set<String> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(p -> p.getType() == MemoryType.HEAP).map(MemoryPoolMXBean::getName).collect(Collectors.toSet());
    private final AtomicLong peak = new AtomicLong();

    private long startNanos;
    private long startProcessCpu;
    private Map<Long, Long> startThreadCpu;
    private Map<Long, Long> startAllocated;

    /** Figures of one pass. */
    record Reading(double wallMs, double cpuMs, double processCpuMs, double heapPeakMb, double allocatedMb) {
    }

    Meter() {
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            ((NotificationEmitter) gc).addNotificationListener((notification, handback) -> {
                if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
                    GcInfo info = GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData())
                            .getGcInfo();
                    long used = info.getMemoryUsageBeforeGc().entrySet().stream()
                            .filter(e -> heapPools.contains(e.getKey())).mapToLong(e -> e.getValue().getUsed()).sum();
                    peak.accumulateAndGet(used, Math::max);
                }
            }, null, null);
        }
    }

    void start() {
        peak.set(heapUsed());
        startThreadCpu = threadCpu();
        startAllocated = allocated();
        startProcessCpu = os.getProcessCpuTime();
        startNanos = System.nanoTime();
    }

    Reading stop() {
        long wall = System.nanoTime() - startNanos;
        long process = os.getProcessCpuTime() - startProcessCpu;
        long cpu = 0;
        for (Map.Entry<Long, Long> e : threadCpu().entrySet()) {
            cpu += e.getValue() - startThreadCpu.getOrDefault(e.getKey(), 0L);
        }
        long bytes = 0;
        for (Map.Entry<Long, Long> e : allocated().entrySet()) {
            bytes += e.getValue() - startAllocated.getOrDefault(e.getKey(), 0L);
        }
        long max = peak.accumulateAndGet(heapUsed(), Math::max);
        return new Reading(wall / 1e6, cpu / 1e6, process / 1e6, max / 1048576.0, bytes / 1048576.0);
    }

    private static long heapUsed() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private Map<Long, Long> allocated() {
        com.sun.management.ThreadMXBean t = (com.sun.management.ThreadMXBean) threads;
        Map<Long, Long> out = new HashMap<>();
        long[] ids = ours();
        long[] bytes = t.getThreadAllocatedBytes(ids);
        for (int i = 0; i < ids.length; i++) {
            if (bytes[i] > 0) {
                out.put(ids[i], bytes[i]);
            }
        }
        return out;
    }

    /** The live threads that are neither the simulator's nor the table watcher. */
    private long[] ours() {
        long[] ids = threads.getAllThreadIds();
        ThreadInfo[] infos = threads.getThreadInfo(ids);
        return java.util.stream.IntStream.range(0, ids.length)
                .filter(i -> infos[i] != null && !infos[i].getThreadName().startsWith(SIMULATOR_THREADS)
                        && !infos[i].getThreadName().equals(TableWatcher.THREAD))
                .mapToLong(i -> ids[i]).toArray();
    }

    /** Heap in use after a full collection: what stays resident. */
    static double liveHeapMb() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / 1048576.0;
    }

    private Map<Long, Long> threadCpu() {
        Map<Long, Long> out = new HashMap<>();
        for (long id : ours()) {
            long t = threads.getThreadCpuTime(id);
            if (t > 0) {
                out.put(id, t);
            }
        }
        return out;
    }
}
