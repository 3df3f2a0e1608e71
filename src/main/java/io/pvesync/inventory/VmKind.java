package io.pvesync.inventory;

/** The two kinds of guest Proxmox runs; the wire names are {@code qemu} and {@code lxc}. */
public enum VmKind {
    QEMU("qemu"),
    LXC("lxc");

    private final String wireName;

    VmKind(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }
}
