package io.pvesync.store;

import io.pvesync.inventory.VmStatus;
import java.time.Instant;

/**
 * A live row of {@code public.vms} as read at the start of a pass.
 *
 * @param id        the row's primary key
 * @param cluster   its {@code proxmox_cluster}; null for a row the application inserted that no
 *                  cluster has adopted yet
 * @param createdAt  null when the application stored none
 * @param ownerId    its {@code owner_id}, null when nobody owns it yet
 */
record StoredRow(int id, String cluster, Instant createdAt, Integer ownerId, RowValues values) {

    /** A row without an owner. */
    StoredRow(int id, String cluster, Instant createdAt, RowValues values) {
        this(id, cluster, createdAt, null, values);
    }

    int vmid() {
        return values.vmid();
    }

    boolean isMissing() {
        return VmStatus.MISSING.column().equals(values.status());
    }
}
