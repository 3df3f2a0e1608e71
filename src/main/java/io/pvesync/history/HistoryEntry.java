package io.pvesync.history;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/**
 * One row of {@code public.vm_changes}: one change pvesync made to one row of {@code public.vms}.
 *
 * @param id        the change's id: later changes have higher ids
 * @param vmId      the {@code vms.id} of the row that changed (the row may be gone since)
 * @param vmid      the VM's VMID
 * @param cluster   the row's {@code proxmox_cluster}
 * @param changedAt when the change was made (the database's clock)
 * @param kind      inserted, updated, missing, restored, retired or adopted
 * @param ownerId   the row's owner when the change was made; null for a row without owner
 * @param changes   the columns that changed, {@code {"column": [old, new]}}, as stored
 */
public record HistoryEntry(
        long id,
        int vmId,
        int vmid,
        String cluster,
        Instant changedAt,
        String kind,
        Integer ownerId,
        ObjectNode changes) {
}
