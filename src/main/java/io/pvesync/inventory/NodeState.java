package io.pvesync.inventory;

/** A node's membership as {@code /cluster/resources} reports it. */
public enum NodeState {
    ONLINE,
    OFFLINE,
    UNKNOWN;

    /** Maps the wire value; anything but {@code online}/{@code offline} is UNKNOWN. */
    public static NodeState fromWire(String status) {
        if ("online".equals(status)) {
            return ONLINE;
        }
        if ("offline".equals(status)) {
            return OFFLINE;
        }
        return UNKNOWN;
    }
}
