package io.pvesync.sync;

import io.pvesync.store.ApplyResult;
import io.pvesync.store.RecordedChanges;
import io.pvesync.store.VmChange;
import io.pvesync.store.VmChange.Kind;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** The writes of one pass (DESIGN.md 3.6, "Two speeds") as one result. */
final class PassWrites {
    private static final Set<Kind> REFRESHED = EnumSet.of(Kind.UPDATE, Kind.ADOPT, Kind.RESTORE);

    private PassWrites() {
    }

    /**
     * What a pass did to the table when it wrote more than once (first what the listing showed,
     * then the markers it needed, then the addresses), counted per VM as a single write would have:
     * a VM inserted by one write and given its address by the next is one insert; one whose status
     * landed first and whose address followed is one update. Held, the guard and the guests held
     * are the last write's, which saw everything; every change of every write is listed, and the
     * history of every write is summed.
     *
     * @param writes the pass's writes, in order, at least one
     */
    static ApplyResult combined(List<ApplyResult> writes) {
        ApplyResult last = writes.get(writes.size() - 1);
        if (writes.size() == 1) {
            return last;
        }
        List<VmChange> changes = new ArrayList<>();
        writes.forEach(write -> changes.addAll(write.changes()));
        Set<Integer> inserted = vmids(changes, EnumSet.of(Kind.INSERT));
        Set<Integer> refreshed = vmids(changes, REFRESHED);
        refreshed.removeAll(inserted);
        // rows an earlier write changed look unchanged to the last one
        Set<Integer> earlier = new HashSet<>();
        writes.subList(0, writes.size() - 1).forEach(write -> earlier.addAll(vmids(write.changes(),
                EnumSet.of(Kind.INSERT, Kind.UPDATE, Kind.ADOPT, Kind.RESTORE))));
        earlier.removeAll(vmids(last.changes(), EnumSet.allOf(Kind.class)));
        int missing = writes.stream().mapToInt(ApplyResult::missing).sum();
        Optional<String> trip = last.guardTrip()
                .or(() -> writes.stream().map(ApplyResult::guardTrip).flatMap(Optional::stream).findFirst());
        return new ApplyResult(inserted.size(), refreshed.size(), Math.max(0, last.unchanged() - earlier.size()),
                missing, last.held(), trip, changes, last.heldVmids(), recorded(writes));
    }

    /** The history every write of the pass recorded, as one: what the pass announces. */
    static RecordedChanges recorded(List<ApplyResult> writes) {
        return writes.stream().map(ApplyResult::recorded).reduce(RecordedChanges.NONE, RecordedChanges::plus);
    }

    private static Set<Integer> vmids(List<VmChange> changes, Set<Kind> kinds) {
        Set<Integer> out = new HashSet<>();
        changes.stream().filter(c -> kinds.contains(c.kind())).forEach(c -> out.add(c.vmid()));
        return out;
    }
}
