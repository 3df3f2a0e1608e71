package io.pvesync.store;

import io.pvesync.store.VmChange.Kind;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeSet;

/**
 * The history rows some writes recorded in {@code public.vm_changes} (DESIGN.md 4.5): how many of
 * each kind, which {@code vms} rows they name, and the range of their ids. What a pass announces.
 *
 * @param counts  history rows by kind; kinds without rows are absent
 * @param vmIds   the {@code vms.id} of every row that changed, ascending
 * @param firstId the smallest {@code vm_changes.id} recorded, 0 when none
 * @param lastId  the largest, 0 when none
 */
public record RecordedChanges(Map<Kind, Integer> counts, NavigableSet<Integer> vmIds, long firstId, long lastId) {
    public static final RecordedChanges NONE = new RecordedChanges(Map.of(), new TreeSet<>(), 0, 0);

    public RecordedChanges {
        // new EnumMap<>(map) refuses an empty map that is not an EnumMap
        counts = counts.isEmpty() ? Map.of() : Collections.unmodifiableMap(new EnumMap<>(counts));
        vmIds = Collections.unmodifiableNavigableSet(new TreeSet<>(vmIds));
    }

    /** Whether nothing was recorded: a pass that wrote no row. */
    public boolean isEmpty() {
        return counts.isEmpty();
    }

    /** How many history rows of {@code kind}. */
    public int count(Kind kind) {
        return counts.getOrDefault(kind, 0);
    }

    /** Every history row recorded. */
    public int total() {
        return counts.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** These and {@code later}'s, as one pass's. */
    public RecordedChanges plus(RecordedChanges later) {
        if (later.isEmpty()) {
            return this;
        }
        if (isEmpty()) {
            return later;
        }
        Map<Kind, Integer> sum = new EnumMap<>(counts);
        later.counts.forEach((kind, n) -> sum.merge(kind, n, Integer::sum));
        TreeSet<Integer> ids = new TreeSet<>(vmIds);
        ids.addAll(later.vmIds);
        return new RecordedChanges(sum, ids, Math.min(firstId, later.firstId), Math.max(lastId, later.lastId));
    }

    /** Collects the rows one write's statements return. */
    static final class Builder {
        private final Map<Kind, Integer> counts = new EnumMap<>(Kind.class);
        private final TreeSet<Integer> vmIds = new TreeSet<>();
        private long firstId = Long.MAX_VALUE;
        private long lastId;

        void add(Kind kind, int vmId, long changeId) {
            counts.merge(kind, 1, Integer::sum);
            vmIds.add(vmId);
            firstId = Math.min(firstId, changeId);
            lastId = Math.max(lastId, changeId);
        }

        RecordedChanges build() {
            return counts.isEmpty() ? NONE : new RecordedChanges(counts, vmIds, firstId, lastId);
        }
    }
}
