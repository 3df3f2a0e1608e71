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

    /** Row {@code id} becomes {@code missing}; {@code retire} also sets {@code retired_at}. */
    record MissingMark(int id, boolean retire) {
    }

    /** Row {@code id} gets {@code values} (and the pass's cluster, which adopts a row without one). */
    record RowUpdate(int id, RowValues values) {
    }
}
