package io.pvesync.store;

/**
 * One change a pass makes (or, in a dry run, would make) to the table.
 *
 * @param vmid   the VMID
 * @param kind   what happens to the row
 * @param detail human-readable: the fields that change, old and new ("status running -> stopped")
 */
public record VmChange(int vmid, Kind kind, String detail) {
    public enum Kind { INSERT, UPDATE, ADOPT, RESTORE, MISSING, RETIRE }

    @Override
    public String toString() {
        return kind.name().toLowerCase(java.util.Locale.ROOT) + " vmid " + vmid + ": " + detail;
    }
}
