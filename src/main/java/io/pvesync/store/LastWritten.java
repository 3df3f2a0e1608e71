package io.pvesync.store;

import io.pvesync.inventory.KnownVm;
import io.pvesync.inventory.VmStatus;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * A cluster's live rows as this process last read or wrote them, each with the {@code xmin} of
 * the row version it holds. While the table's fingerprint of the cluster's rows (their count and
 * the sum of their {@code xmin}, computed by PostgreSQL: {@link VmRows#fingerprint}) equals the
 * one computed here, the table holds exactly these row versions, and a pass diffs against them
 * instead of reading every row again: an unchanged poll transfers two numbers instead of the
 * cluster's rows, and a writing poll reads back only the rows it wrote.
 *
 * <p>Every write to a row gives it the writing transaction's {@code xmin}, so any insert, update
 * or delete of the cluster's live rows, whoever makes it (the application editing an owner,
 * another pvesync instance, a DBA), changes the table's fingerprint and sends the next pass back
 * to a full read. The fingerprint here is computed from the versions held, never read after a
 * write, so a concurrent change committed during a pass cannot slip into it. Reconcile passes read
 * in full whatever the fingerprint says.
 *
 * <p>The application's rows without a cluster (adoption candidates, DESIGN.md 3.10) are kept and
 * fingerprinted with them: an application row written late changes the fingerprint too.
 *
 * @param rows      the cluster's live rows (not retired) by VMID
 * @param unadopted the application's live rows without a cluster
 * @param xmins     each of those rows' {@code xmin}, by row id
 */
record LastWritten(Map<Integer, StoredRow> rows, List<StoredRow> unadopted, Map<Integer, Long> xmins) {

    LastWritten {
        rows = Map.copyOf(rows);
        unadopted = List.copyOf(unadopted);
        xmins = Map.copyOf(xmins);
    }

    /** The cluster's rows among {@code read} (a full read), with their xmins. */
    static LastWritten of(Collection<StoredRow> read, String cluster, Map<Integer, Long> xmins) {
        return after(read, cluster, Set.of(), java.util.List.of(), xmins);
    }

    /**
     * The cluster's rows after a write: {@code before} (the rows the plan was made from) with every
     * row the pass wrote replaced by its version read back from the table; a written row that is
     * no longer live (retired) leaves.
     *
     * @param writtenIds the ids of the rows marked, retired or updated (adoptions included)
     * @param readBack   the live rows of the cluster among those ids and the inserted VMIDs
     * @param xmins      the xmin of every row in {@code before} and {@code readBack}, by id
     */
    static LastWritten after(Collection<StoredRow> before, String cluster, Collection<Integer> writtenIds,
                             Collection<StoredRow> readBack, Map<Integer, Long> xmins) {
        Map<Integer, StoredRow> rows = new HashMap<>(before.size() * 4 / 3 + 1);
        List<StoredRow> unadopted = new ArrayList<>();
        Set<Integer> written = new HashSet<>(writtenIds);
        for (StoredRow row : before) {
            if (!written.contains(row.id())) {
                keep(row, cluster, rows, unadopted);
            }
        }
        for (StoredRow row : readBack) {
            keep(row, cluster, rows, unadopted);
        }
        Map<Integer, Long> kept = new HashMap<>(rows.size() * 4 / 3 + 1);
        for (StoredRow row : rows.values()) {
            kept.put(row.id(), xmin(xmins, row));
        }
        for (StoredRow row : unadopted) {
            kept.put(row.id(), xmin(xmins, row));
        }
        return new LastWritten(rows, unadopted, kept);
    }

    private static void keep(StoredRow row, String cluster, Map<Integer, StoredRow> rows, List<StoredRow> unadopted) {
        if (row.cluster() == null) {
            unadopted.add(row);
        } else if (cluster.equals(row.cluster())) {
            rows.put(row.vmid(), row);
        }
    }

    private static long xmin(Map<Integer, Long> xmins, StoredRow row) {
        Long xmin = xmins.get(row.id());
        if (xmin == null) {
            throw new IllegalStateException("row " + row.id() + " was read without its xmin");
        }
        return xmin;
    }

    /** Every row kept: the cluster's and the unadopted ones. */
    List<StoredRow> all() {
        List<StoredRow> all = new ArrayList<>(rows.size() + unadopted.size());
        all.addAll(rows.values());
        all.addAll(unadopted);
        return all;
    }

    /** What {@link VmRows#fingerprint} answers while the table holds exactly these row versions. */
    String fingerprint() {
        long sum = 0;
        for (long xmin : xmins.values()) {
            sum += xmin;
        }
        return xmins.size() + ":" + sum;
    }

    /** The rows as the inventory needs them. */
    Map<Integer, KnownVm> known() {
        Map<Integer, KnownVm> out = new HashMap<>(rows.size() * 4 / 3 + 1);
        for (StoredRow row : rows.values()) {
            RowValues v = row.values();
            out.put(v.vmid(), new KnownVm(v.vmid(), v.name(), VmStatus.fromColumn(v.status()), v.node(),
                    v.ipAddress(), v.incarnation()));
        }
        return out;
    }
}
