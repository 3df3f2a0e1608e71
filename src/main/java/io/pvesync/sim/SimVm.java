package io.pvesync.sim;

/**
 * The simulated truth about one guest, as a test asserts it: what pvesync should end up with
 * after reading the simulated cluster. An immutable snapshot; later changes to the cluster do not
 * show in it.
 *
 * @param vmid      the guest's id, unique in the cluster
 * @param kind      QEMU VM or LXC container
 * @param name      the name as {@code /cluster/resources} shows it: the configured name, else
 *                  {@code VM <vmid>} (QEMU) or {@code CT<vmid>} (LXC)
 * @param node      the node whose config directory holds the guest
 * @param status    the status word of {@code /cluster/resources}: for QEMU the QMP run state
 *                  ({@code running}, {@code stopped}, {@code paused}, {@code prelaunch}, ...), for
 *                  LXC {@code running} or {@code stopped}
 * @param lock      the config's {@code lock} ({@code backup}, {@code migrate}, {@code suspended}, ...),
 *                  or null
 * @param cores     {@code maxcpu}: QEMU sockets*cores capped at the host's CPUs; LXC {@code cores},
 *                  or the host's CPUs when the container has no limit
 * @param memoryMb  configured memory in MiB ({@code maxmem} / 2^20)
 * @param diskGb    boot disk (QEMU) or root filesystem (LXC) size in GiB ({@code maxdisk} / 2^30)
 * @param ipAddress the address pvesync should find: the guest's own IPv4 when it reports it (a
 *                  running QEMU guest whose agent answers, a running container), else the static
 *                  address of its config (cloud-init {@code ipconfig0}, LXC {@code ip=}), else null
 * @param template  whether this is a template (pvesync skips these)
 * @param ctime     QEMU: the {@code ctime} of the config's {@code meta} (a clone carries its source's);
 *                  LXC: when it was created. 0 while a clone or restore has written only a temporary
 *                  config
 * @param mac       the MAC of {@code net0}, upper case as Proxmox writes it; null while a clone or
 *                  restore has written only a temporary config
 * @param uuid      QEMU: the {@code uuid} of the config's {@code smbios1}, lower case; null for LXC
 *                  and while a clone or restore has written only a temporary config
 * @param agent     what the guest agent does (always {@link AgentState#OFF} for containers)
 */
public record SimVm(int vmid, Kind kind, String name, String node, String status, String lock, int cores,
                    int memoryMb, int diskGb, String ipAddress, boolean template, long ctime, String mac,
                    String uuid, AgentState agent) {

    /**
     * The incarnation marker pvesync stores for this guest (DESIGN.md 3.1), from the config the
     * simulator serves now: QEMU {@code uuid:<smbios1 uuid>}, LXC {@code hwaddr:<net0 MAC>}, both
     * lower case; null while the config is a clone's or restore's temporary one, which has neither.
     */
    public String marker() {
        if (kind == Kind.QEMU) {
            return uuid == null ? null : "uuid:" + uuid.toLowerCase(java.util.Locale.ROOT);
        }
        return mac == null ? null : "hwaddr:" + mac.toLowerCase(java.util.Locale.ROOT);
    }

    /** The guest types of {@code /cluster/resources}. */
    public enum Kind {
        QEMU("qemu"), LXC("lxc");

        private final String wire;

        Kind(String wire) {
            this.wire = wire;
        }

        /** {@code qemu} or {@code lxc}, as in {@code type} and in API paths. */
        public String wire() {
            return wire;
        }
    }
}
