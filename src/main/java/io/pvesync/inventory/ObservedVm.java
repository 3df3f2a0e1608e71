package io.pvesync.inventory;

import java.util.Objects;

/**
 * One guest as this pass saw it, with values already in the table's units.
 *
 * @param vmid        the Proxmox VMID (unique within the cluster)
 * @param kind        QEMU VM or LXC container
 * @param node        the node that owns its config
 * @param name        its name, already cut to the column's 100 characters
 * @param status      the mapped status
 * @param cpuCores    vCPUs, or null when Proxmox did not say (the stored value is kept)
 * @param memoryMb    memory in MiB, or null when unknown (kept)
 * @param diskGb      boot disk in GiB, or null when unknown (kept)
 * @param ipAddress   the chosen address, or null when none was found this pass (the stored one is kept)
 * @param incarnation the incarnation marker read from the config, or null when not read this pass
 * @param doubt       whether it may be another VM than its row's ({@link Doubt}); never null
 * @param sameAs      an older form of its marker that a row may still hold (QEMU {@code ctime:} of
 *                    a config that also has a uuid), set only when the guest is not in doubt: a
 *                    row holding it is this VM and gets the new marker; null otherwise
 */
public record ObservedVm(
        int vmid,
        VmKind kind,
        String node,
        String name,
        VmStatus status,
        Integer cpuCores,
        Integer memoryMb,
        Integer diskGb,
        String ipAddress,
        String incarnation,
        Doubt doubt,
        String sameAs) {

    public ObservedVm {
        Objects.requireNonNull(doubt, "doubt");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(status, "status");
    }

    /** A guest as the listing shows it: nothing read from its config yet, not in doubt. */
    public ObservedVm(int vmid, VmKind kind, String node, String name, VmStatus status, Integer cpuCores,
                      Integer memoryMb, Integer diskGb, String ipAddress, String incarnation) {
        this(vmid, kind, node, name, status, cpuCores, memoryMb, diskGb, ipAddress, incarnation, Doubt.NONE, null);
    }

    public ObservedVm withIpAddress(String address) {
        return new ObservedVm(vmid, kind, node, name, status, cpuCores, memoryMb, diskGb, address, incarnation, doubt,
                sameAs);
    }

    public ObservedVm withIncarnation(String marker) {
        return new ObservedVm(vmid, kind, node, name, status, cpuCores, memoryMb, diskGb, ipAddress, marker, doubt,
                sameAs);
    }

    /** This guest with its identity as the inventory settled it: the doubt and an older marker form. */
    public ObservedVm withIdentity(Doubt newDoubt, String olderMarker) {
        return new ObservedVm(vmid, kind, node, name, status, cpuCores, memoryMb, diskGb, ipAddress, incarnation,
                newDoubt, olderMarker);
    }
}
