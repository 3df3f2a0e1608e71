package io.pvesync.inventory;

import java.util.Map;

/**
 * How a {@code status} word of {@code /cluster/resources} becomes the {@code vms.status} column
 * (DESIGN.md 3.3). For QEMU the word is QEMU's run state ({@code qapi/run-state.json}, enum
 * {@code RunState}); for LXC it is only {@code running} or {@code stopped}.
 *
 * <table>
 *   <caption>status mapping</caption>
 *   <tr><th>Proxmox {@code status}</th><th>column</th><th>why</th></tr>
 *   <tr><td>{@code running}</td><td>running</td><td></td></tr>
 *   <tr><td>{@code inmigrate}, {@code postmigrate}, {@code finish-migrate}, {@code colo}</td>
 *       <td>running</td><td>migration (and COLO replication) phases of a running guest</td></tr>
 *   <tr><td>{@code stopped}</td><td>stopped</td><td>unless lock {@code suspended}, below</td></tr>
 *   <tr><td>{@code prelaunch}</td><td>stopped</td><td>a stopped VM being backed up, or not yet started</td></tr>
 *   <tr><td>{@code shutdown}</td><td>stopped</td><td>the guest shut down, QEMU not yet gone</td></tr>
 *   <tr><td>{@code stopped} with lock {@code suspended}</td><td>paused</td><td>hibernated: state saved to disk</td></tr>
 *   <tr><td>{@code paused}, {@code suspended}</td><td>paused</td><td>vCPUs halted; {@code suspended} is S3 suspend-to-RAM</td></tr>
 *   <tr><td>{@code save-vm}, {@code restore-vm}</td><td>paused</td><td>vCPUs halted while a snapshot's RAM
 *       state is written or loaded; transient</td></tr>
 *   <tr><td>{@code debug}</td><td>paused</td><td>halted by a debugger</td></tr>
 *   <tr><td>{@code io-error}, {@code internal-error}, {@code guest-panicked}, {@code watchdog}</td>
 *       <td>error</td><td>halted by a fault</td></tr>
 *   <tr><td>any other word</td><td>error</td><td>logged as a warning naming the word</td></tr>
 * </table>
 *
 * <p>{@code unknown} never reaches this table: it means Proxmox has no data for the guest, and
 * {@link ResourceMapper} holds such guests instead of mapping them (DESIGN.md 3.4).
 */
public final class StatusMapping {

    private static final Map<String, VmStatus> WORDS = Map.ofEntries(
            Map.entry("running", VmStatus.RUNNING),
            Map.entry("inmigrate", VmStatus.RUNNING),
            Map.entry("postmigrate", VmStatus.RUNNING),
            Map.entry("finish-migrate", VmStatus.RUNNING),
            Map.entry("colo", VmStatus.RUNNING),
            Map.entry("stopped", VmStatus.STOPPED),
            Map.entry("prelaunch", VmStatus.STOPPED),
            Map.entry("shutdown", VmStatus.STOPPED),
            Map.entry("paused", VmStatus.PAUSED),
            Map.entry("suspended", VmStatus.PAUSED),
            Map.entry("save-vm", VmStatus.PAUSED),
            Map.entry("restore-vm", VmStatus.PAUSED),
            Map.entry("debug", VmStatus.PAUSED),
            Map.entry("io-error", VmStatus.ERROR),
            Map.entry("internal-error", VmStatus.ERROR),
            Map.entry("guest-panicked", VmStatus.ERROR),
            Map.entry("watchdog", VmStatus.ERROR));

    private StatusMapping() {
    }

    /**
     * The column value for a guest's {@code status} and {@code lock}.
     *
     * @param status the wire word; null is treated as an unrecognised word
     * @param lock   the {@code lock} field, or null when absent
     * @return never null; {@link VmStatus#ERROR} for a word not in the table
     */
    public static VmStatus of(String status, String lock) {
        if ("stopped".equals(status) && "suspended".equals(lock)) {
            return VmStatus.PAUSED;
        }
        return status == null ? VmStatus.ERROR : WORDS.getOrDefault(status, VmStatus.ERROR);
    }

    /** Whether the word is in the table, i.e. {@link #of} did not fall back to ERROR for it. */
    public static boolean isKnown(String status) {
        return status != null && WORDS.containsKey(status);
    }
}
