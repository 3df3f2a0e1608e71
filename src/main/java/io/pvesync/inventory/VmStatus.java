package io.pvesync.inventory;

/** The values pvesync writes into {@code vms.status}. */
public enum VmStatus {
    RUNNING("running"),
    STOPPED("stopped"),
    PAUSED("paused"),
    ERROR("error"),
    /** absent from a successful listing while its node was online; the row is kept */
    MISSING("missing");

    private final String column;

    VmStatus(String column) {
        this.column = column;
    }

    /** The value as stored in the {@code status} column. */
    public String column() {
        return column;
    }

    /** The status stored as {@code value}, or null for a value pvesync does not write. */
    public static VmStatus fromColumn(String value) {
        for (VmStatus s : values()) {
            if (s.column.equals(value)) {
                return s;
            }
        }
        return null;
    }
}
