package io.pvesync.store;

/**
 * What {@code pvesync migrate} does with a policy or view of the AccountDB that its owners changed
 * from the seed's definition (DESIGN.md 3.8).
 */
public enum OwnerChanges {
    /** Stop: apply nothing of the migration and name each changed object and how it differs. */
    STOP,
    /** Leave every changed object exactly as it is, warn once per object, and apply the rest. */
    KEEP
}
