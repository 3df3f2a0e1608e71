package io.pvesync.soak;

import io.pvesync.sim.SimVm;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Every state each guest incarnation went through during a soak. Only the soak changes the
 * simulator, and it records the truth after every change, so whatever the daemon read at any
 * moment is one of the states recorded here. That lets the final comparison judge rows whose VM
 * is gone (missing or retired rows must carry values their own VM had) and addresses the daemon
 * keeps from before (an address is only right if this incarnation had it).
 */
final class TruthLog {

    /** The values of a row that the daemon takes from one {@code /cluster/resources} entry, status aside. */
    record State(String name, int cores, int memoryMb, int diskGb, String node) {
        static State of(SimVm vm) {
            return new State(vm.name(), vm.cores(), vm.memoryMb(), vm.diskGb(), vm.node());
        }
    }

    private final Map<String, Set<State>> states = new HashMap<>();
    private final Map<String, Set<String>> addresses = new HashMap<>();
    private final Map<Integer, Set<String>> markers = new HashMap<>();

    /**
     * The incarnation marker pvesync stores for this guest (DESIGN.md 3.1): QEMU {@code uuid:} of
     * {@code smbios1}, LXC {@code hwaddr:} of net0.
     */
    static String marker(SimVm vm) {
        return vm.marker();
    }

    /** Records the simulator's truth; call after every change. Templates are not synced and not recorded. */
    void record(List<SimVm> truth) {
        for (SimVm vm : truth) {
            if (vm.template()) {
                continue;
            }
            String key = key(vm.vmid(), marker(vm));
            states.computeIfAbsent(key, k -> new HashSet<>()).add(State.of(vm));
            if (vm.ipAddress() != null) {
                addresses.computeIfAbsent(key, k -> new HashSet<>()).add(vm.ipAddress());
            }
            markers.computeIfAbsent(vm.vmid(), v -> new HashSet<>()).add(marker(vm));
        }
    }

    /** How many different guests held this VMID during the run. */
    int incarnations(int vmid) {
        return markers.getOrDefault(vmid, Set.of()).size();
    }

    boolean knows(int vmid, String marker) {
        return states.containsKey(key(vmid, marker));
    }

    /** Whether that incarnation ever had these values. */
    boolean had(int vmid, String marker, State state) {
        return states.getOrDefault(key(vmid, marker), Set.of()).contains(state);
    }

    /** Whether that incarnation was ever listed under this name. */
    boolean hadName(int vmid, String marker, String name) {
        return states.getOrDefault(key(vmid, marker), Set.of()).stream().anyMatch(s -> s.name().equals(name));
    }

    /** Another incarnation of the VMID that had these values, if any. */
    Optional<String> otherHaving(int vmid, String marker, State state) {
        return markers.getOrDefault(vmid, Set.of()).stream()
                .filter(other -> !other.equals(marker) && had(vmid, other, state))
                .sorted()
                .findFirst();
    }

    /** Whether that incarnation ever showed this address (the daemon cannot learn it otherwise). */
    boolean hadAddress(int vmid, String marker, String address) {
        return addresses.getOrDefault(key(vmid, marker), Set.of()).contains(address);
    }

    private static String key(int vmid, String marker) {
        return vmid + "/" + marker;
    }
}
