package io.pvesync.soak;

import io.pvesync.sim.SimVm;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every state each guest incarnation of one cluster went through during a soak. Only the soak
 * changes the simulator, and it records the truth after every change, so whatever the daemon read
 * at any moment is one of the states recorded here. That lets the final comparison judge rows whose
 * VM is gone (missing or retired rows must carry values their own VM had) and addresses the daemon
 * keeps from before (an address is only right if this incarnation had it).
 *
 * <p>An incarnation is a marker (DESIGN.md 3.1): QEMU {@code uuid:} of {@code smbios1}, LXC
 * {@code hwaddr:} of net0. A restore of the guest's own backup keeps it: the same incarnation. A
 * guest whose clone or restore has not finished is not recorded: its config is a temporary one
 * (no marker, or one the guest does not have yet), the daemon must hold it, and nothing it shows
 * then may reach a row.
 */
final class TruthLog {

    /** The values of a row that the daemon takes from one {@code /cluster/resources} entry, status aside. */
    record State(String name, int cores, int memoryMb, int diskGb, String node) {
        static State of(SimVm vm) {
            return new State(vm.name(), vm.cores(), vm.memoryMb(), vm.diskGb(), vm.node());
        }
    }

    /**
     * A VMID passed from one guest to another, as the soak saw it: the marker changed between two
     * recordings (with or without a time in between when no guest held the VMID).
     *
     * @param before       the marker of the guest that held the VMID until then
     * @param beforeName   that guest's name when last recorded
     * @param beforeStatus that guest's status column when last recorded
     * @param after        the marker of the guest that holds it now
     */
    record Handover(int vmid, String before, String beforeName, String beforeStatus, String after) {
    }

    private record Seen(String marker, String name, String status) {
    }

    private final Map<String, Set<State>> states = new HashMap<>();
    private final Map<String, Set<String>> addresses = new HashMap<>();
    /** Per VMID the markers of the guests that held it, in the order they came. */
    private final Map<Integer, List<String>> markers = new HashMap<>();
    private final Map<Integer, Seen> last = new HashMap<>();

    /** The incarnation marker pvesync stores for this guest, or null while a clone or restore writes its config. */
    static String marker(SimVm vm) {
        return vm.marker();
    }

    /**
     * The {@code status} column DESIGN.md 3.3 asks for: {@code running} and the migration states
     * running; {@code stopped} and {@code prelaunch} stopped; {@code paused}, and a stopped VM
     * with lock {@code suspended} (hibernated), paused; {@code io-error}, {@code internal-error},
     * {@code guest-panicked} and every word it does not name error.
     */
    static String column(SimVm vm) {
        String word = vm.status();
        if ("stopped".equals(word) && "suspended".equals(vm.lock())) {
            return "paused";
        }
        return switch (word) {
            case "running", "inmigrate", "postmigrate", "finish-migrate" -> "running";
            case "stopped", "prelaunch" -> "stopped";
            case "paused" -> "paused";
            default -> "error";
        };
    }

    /** Records the truth when no clone or restore is running; see {@link #record(List, Collection)}. */
    List<Handover> record(List<SimVm> truth) {
        return record(truth, List.of());
    }

    /**
     * Records the simulator's truth; call after every change. Templates are not synced and not
     * recorded; nor are the guests in {@code busy} (a clone or restore still running) or without
     * a marker.
     *
     * @return the VMIDs that another guest took since the last recording
     */
    List<Handover> record(List<SimVm> truth, Collection<Integer> busy) {
        List<Handover> handovers = new ArrayList<>();
        for (SimVm vm : truth) {
            String marker = marker(vm);
            if (vm.template() || marker == null || busy.contains(vm.vmid())) {
                continue;
            }
            String key = key(vm.vmid(), marker);
            states.computeIfAbsent(key, k -> new HashSet<>()).add(State.of(vm));
            if (vm.ipAddress() != null) {
                addresses.computeIfAbsent(key, k -> new HashSet<>()).add(vm.ipAddress());
            }
            List<String> order = markers.computeIfAbsent(vm.vmid(), v -> new ArrayList<>());
            if (!order.contains(marker)) {
                order.add(marker);
            }
            Seen before = last.put(vm.vmid(), new Seen(marker, vm.name(), column(vm)));
            if (before != null && !before.marker().equals(marker)) {
                handovers.add(new Handover(vm.vmid(), before.marker(), before.name(), before.status(), marker));
            }
        }
        return handovers;
    }

    /** How many different guests held this VMID during the run. */
    int incarnations(int vmid) {
        return markers.getOrDefault(vmid, List.of()).size();
    }

    /** Whether any guest held this VMID during the run. */
    boolean used(int vmid) {
        return markers.containsKey(vmid);
    }

    boolean knows(int vmid, String marker) {
        return states.containsKey(key(vmid, marker));
    }

    /** Where the guest came among the VMID's guests (0 the first), or -1 when it never held it. */
    int position(int vmid, String marker) {
        return markers.getOrDefault(vmid, List.of()).indexOf(marker);
    }

    /** Whether another guest took the VMID after this one: the only reason a row of it may be retired. */
    boolean replaced(int vmid, String marker) {
        int at = position(vmid, marker);
        return at >= 0 && at < incarnations(vmid) - 1;
    }

    /** Whether that incarnation ever had these values. */
    boolean had(int vmid, String marker, State state) {
        return states.getOrDefault(key(vmid, marker), Set.of()).contains(state);
    }

    /** Whether any guest that held the VMID had these values (for a row whose marker was never read). */
    boolean anyHad(int vmid, State state) {
        return markers.getOrDefault(vmid, List.of()).stream().anyMatch(m -> had(vmid, m, state));
    }

    /** Whether that incarnation ever showed this address (the daemon cannot learn it otherwise). */
    boolean hadAddress(int vmid, String marker, String address) {
        return address != null && addresses.getOrDefault(key(vmid, marker), Set.of()).contains(address);
    }

    private static String key(int vmid, String marker) {
        return vmid + "/" + marker;
    }
}
