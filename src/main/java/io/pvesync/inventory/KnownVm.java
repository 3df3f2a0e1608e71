package io.pvesync.inventory;

/**
 * What the table holds for a live VM of a cluster (the row pvesync currently keeps for that VMID),
 * as far as deciding which guests need a closer look is concerned.
 *
 * @param status      the stored status; null for a value pvesync does not write
 * @param ipAddress   null when none is stored
 * @param incarnation null when none is stored yet
 */
public record KnownVm(int vmid, String name, VmStatus status, String node, String ipAddress, String incarnation) {
}
