package io.pvesync.sim;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * A backup taken by {@link ProxmoxSimulator#backup(int)}: the guest's config and disks as they
 * were, to give to {@link ProxmoxSimulator#restoreStart}. Opaque but for its name.
 */
public final class Backup {

    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyy_MM_dd-HH_mm_ss", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private final Guest guest;
    private final String volid;

    Backup(Guest guest, Instant taken) {
        this.guest = guest;
        // vzdump's archive name on the simulated NFS storage "backup": a VMA (QEMU) or tar (LXC) file
        this.volid = "backup:backup/vzdump-" + guest.kind().wire() + "-" + guest.vmid() + "-" + STAMP.format(taken)
                + (guest.isQemu() ? ".vma.zst" : ".tar.zst");
    }

    Guest guest() {
        return guest;
    }

    /** The vmid the guest had when it was backed up. */
    public int vmid() {
        return guest.vmid();
    }

    /** The archive's volume id, such as {@code backup:backup/vzdump-qemu-105-2026_03_01-10_00_00.vma.zst}. */
    public String volid() {
        return volid;
    }

    @Override
    public String toString() {
        return volid;
    }
}
