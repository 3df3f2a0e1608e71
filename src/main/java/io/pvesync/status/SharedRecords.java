package io.pvesync.status;

import io.pvesync.store.ClusterStates;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link SyncHealth}'s door to {@code pvesync.cluster_state}: reads and writes the records, keeps
 * those a write could not store so they are written later (a pass that failed because the database
 * was down still counts), and logs a database that cannot be reached once, not every two seconds.
 */
final class SharedRecords {
    private static final Logger log = LoggerFactory.getLogger(SharedRecords.class);

    private final ClusterStates table;
    private final Set<String> clusters;
    // records changed here and not yet stored: what the table says about them is older
    private final Map<String, ClusterRecord> pending = new ConcurrentHashMap<>();
    private final AtomicLong generation = new AtomicLong();
    // the last problem logged, so a lasting one is logged once; null while the table answers
    private volatile String failing;
    private volatile long failedAt;
    private static final long REST_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
    private final Set<String> unreadable = ConcurrentHashMap.newKeySet();

    SharedRecords(ClusterStates table, Set<String> clusters) {
        this.table = table;
        this.clusters = Set.copyOf(clusters);
    }

    /** The recorded state of one cluster, read now; empty when none is recorded or the table cannot be read. */
    Optional<ClusterRecord> pull(String cluster) {
        return Optional.ofNullable(readAll().get(cluster));
    }

    /** Every configured cluster's recorded state; empty when the table cannot be read. */
    Map<String, ClusterRecord> readAll() {
        if (resting()) {
            return Map.of();
        }
        return readNow();
    }

    /** {@link #readAll}, also while resting: the refresher's reads find out when the database is back. */
    Map<String, ClusterRecord> readNow() {
        Map<String, String> docs;
        try {
            docs = table.read();
        } catch (RuntimeException e) {
            failed("cannot read the shared sync state (" + e.getMessage() + "); /health and /status show what this"
                    + " instance saw until the database answers");
            return Map.of();
        }
        recovered();
        Map<String, ClusterRecord> out = new HashMap<>();
        docs.forEach((cluster, json) -> {
            if (!clusters.contains(cluster)) {
                return; // another instance's config, or a cluster removed since
            }
            try {
                out.put(cluster, ClusterRecordJson.read(json));
                unreadable.remove(cluster);
            } catch (IllegalArgumentException e) {
                if (unreadable.add(cluster)) {
                    log.warn("cluster={} - the shared sync state in pvesync.cluster_state cannot be read ({});"
                            + " the next pass that ends replaces it", cluster, e.getMessage());
                }
            }
        });
        return out;
    }

    /**
     * A record changed here: from now until it is stored, a read of the table must not replace it
     * (call under the owner's lock, before {@link #push}).
     */
    void changed(String cluster, ClusterRecord record) {
        pending.put(cluster, record);
        generation.incrementAndGet();
    }

    /** Stores the cluster's record; when that fails, it stays pending and {@link #retry} writes it. */
    void push(String cluster, ClusterRecord record) {
        if (resting()) {
            return; // pending: the refresher writes it once the database answers
        }
        write(cluster, record);
    }

    private void write(String cluster, ClusterRecord record) {
        try {
            table.write(cluster, ClusterRecordJson.write(record));
            pending.remove(cluster, record); // unless a newer one is pending already
            generation.incrementAndGet(); // a read that began before this write is older than it
            recovered();
        } catch (RuntimeException e) {
            failed("cannot record the state of cluster " + cluster + " for the other instances (" + e.getMessage()
                    + "); written as soon as the database answers");
        }
    }

    /** Writes what {@link #push} could not, each cluster's latest record. */
    void retry() {
        pending.forEach(this::write);
    }

    boolean isPending(String cluster) {
        return pending.containsKey(cluster);
    }

    long generation() {
        return generation.get();
    }

    /**
     * Whether a pass should skip the table for now: it failed within the last few seconds. Each
     * attempt against a database that does not answer waits for a connection (seconds), and a pass
     * makes several; the refresher keeps trying every two seconds and ends the rest.
     */
    private boolean resting() {
        return failing != null && System.nanoTime() - failedAt < REST_NANOS;
    }

    private void failed(String problem) {
        if (failing == null) {
            log.warn("database - {}", problem);
        }
        failing = problem;
        failedAt = System.nanoTime();
    }

    private void recovered() {
        if (failing != null) {
            log.info("database - the shared sync state can be read and written again");
            failing = null;
        }
    }
}
