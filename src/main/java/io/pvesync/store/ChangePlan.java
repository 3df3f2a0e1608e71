package io.pvesync.store;

import java.util.List;

/**
 * Every write one pass makes, grouped by kind so each kind is one statement, and the result to
 * report. Applying the writes in the order marks, updates, inserts, touches keeps the partial
 * unique index satisfied: a retired row leaves (cluster, vmid) before its successor is inserted.
 *
 * @param marks    rows to mark {@code missing}, or to retire (VMID reused)
 * @param updates  rows whose daemon-owned columns change (adoptions and restores included)
 * @param inserts  new rows
 * @param touches  ids of rows seen unchanged in a reconcile pass: only {@code last_seen_at} moves
 * @param warnings problems absorbed while planning, each starting with {@code vmid=N - }
 */
record ChangePlan(
        List<MissingMark> marks,
        List<RowUpdate> updates,
        List<RowValues> inserts,
        List<Integer> touches,
        ApplyResult result,
        List<String> warnings) {

    ChangePlan {
        marks = List.copyOf(marks);
        updates = List.copyOf(updates);
        inserts = List.copyOf(inserts);
        touches = List.copyOf(touches);
        warnings = List.copyOf(warnings);
    }

    /** Whether the pass writes nothing at all. */
    boolean isEmpty() {
        return marks.isEmpty() && updates.isEmpty() && inserts.isEmpty() && touches.isEmpty();
    }

    /**
     * Row {@code id} becomes {@code missing}; {@code retire} also sets {@code retired_at}. An
     * application row gets the pass's cluster with it (its VM was never seen: DESIGN.md 3.10).
     */
    record MissingMark(int id, boolean retire, boolean adopt) {

        MissingMark(int id, boolean retire) {
            this(id, retire, false);
        }

        /** An application row whose VM does not exist: missing, and this cluster's from now on. */
        static MissingMark adopting(int id) {
            return new MissingMark(id, false, true);
        }
    }

    /**
     * Row {@code id} gets {@code values} (and the pass's cluster, which adopts a row without one);
     * {@code kind} is what its history says: an update, an adoption or a restore.
     */
    record RowUpdate(int id, RowValues values, VmChange.Kind kind) {
    }
}
