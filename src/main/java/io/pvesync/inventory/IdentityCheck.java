package io.pvesync.inventory;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which listed guests may be another VM than their rows' (DESIGN.md 3.1), and which must be held
 * for it. Part of one cluster's {@link GuestDetails}, living across passes: it remembers when each
 * guest's row was last confirmed, from which moment the task list is searched.
 */
final class IdentityCheck {
    static final String NOT_YET = "not inserted yet: ";
    /** qemu-server sets meta's ctime as its create worker runs, moments after the task starts. */
    private static final long CREATE_SLACK_SECONDS = 60;

    private final Map<Integer, GuestConfig> configs;
    /**
     * When each guest's row was last known true: the task list's mark of the last committed pass
     * of this process that wrote or confirmed it. Unknown (a restart, another instance's pass):
     * every lifecycle task of the VMID in the list counts, and the list vouches for nothing.
     */
    private final Map<Integer, TaskMark> settledAt = new ConcurrentHashMap<>();

    /** @param configs the configs {@link GuestDetails} caches, by VMID */
    IdentityCheck(Map<Integer, GuestConfig> configs) {
        this.configs = configs;
    }

    /**
     * Records that the rows of {@code applied}'s guests are true as of its listing, once the pass's
     * writes are committed: the next pass searches the task list from then on. Guests the store
     * held ({@code heldByStore}) keep their earlier time.
     */
    void settled(Snapshot applied, Set<Integer> heldByStore, TaskMark mark) {
        for (ObservedVm vm : applied.vms()) {
            if (!heldByStore.contains(vm.vmid())) {
                settledAt.put(vm.vmid(), mark);
            }
        }
    }

    /** Forgets the guests no longer listed. */
    void retainAll(Set<Integer> listed) {
        settledAt.keySet().retainAll(listed);
    }

    /**
     * The older form of the guest's marker when its row still holds it and the config was read
     * this pass (the row is then this VM's, and takes the new form), else null.
     */
    String olderMarker(ObservedVm vm, KnownVm stored, Set<Integer> configsRead) {
        if (stored == null || stored.incarnation() == null || !configsRead.contains(vm.vmid())) {
            return null;
        }
        GuestConfig read = GuestProbe.cachedConfig(configs, vm);
        return read != null && stored.incarnation().equals(read.legacyMarker()) ? read.legacyMarker() : null;
    }

    /** Why a guest is in doubt, for the log. */
    record Suspicion(Doubt doubt, String why) {
    }

    /**
     * Whether the guest may be another VM than its row's (DESIGN.md 3.1): its row says missing, the
     * task list shows a destroy, create or restore of its VMID since the row was last confirmed,
     * or its name or status changed while the task list cannot vouch for that interval.
     */
    Optional<Suspicion> suspicion(ObservedVm vm, KnownVm stored, TaskWindow tasks,
                                          Map<String, NodeState> nodes) {
        if (stored == null) {
            return Optional.empty(); // no row, nothing to inherit
        }
        if (stored.status() == VmStatus.MISSING) {
            return Optional.of(new Suspicion(Doubt.LIFECYCLE, "listed again while its row says missing (its VM"
                    + " vanished, and the VMID may have been taken since)"));
        }
        TaskMark since = settledAt.getOrDefault(vm.vmid(), TaskMark.NONE);
        Optional<String> task = tasks.lifecycle(vm.vmid(), since, createdNoLaterThan(stored, since));
        if (task.isPresent()) {
            return Optional.of(new Suspicion(Doubt.LIFECYCLE, task.get() + " since its row was last confirmed"));
        }
        String change = change(vm, stored);
        if (change == null) {
            return Optional.empty();
        }
        return tasks.gap(since, nodes).map(gap -> new Suspicion(Doubt.CHANGED, change
                + ", and the task list cannot vouch that the VMID kept its VM (" + gap + ")"));
    }

    /**
     * With no mark for the row (the first pass after a start), a row in the older {@code ctime:}
     * form still tells when its VM was created, in the node's clock: its own create task (and
     * anything before it) says nothing about a later reuse. Null otherwise.
     */
    private static Long createdNoLaterThan(KnownVm stored, TaskMark since) {
        String marker = stored.incarnation();
        if (!since.nodes().isEmpty() || marker == null || !marker.startsWith(GuestConfig.CTIME)) {
            return null;
        }
        try {
            return Long.parseLong(marker.substring(GuestConfig.CTIME.length())) + CREATE_SLACK_SECONDS;
        } catch (NumberFormatException notOurs) {
            return null;
        }
    }

    /** What the row says that the listing contradicts (name or status), or null. */
    private static String change(ObservedVm vm, KnownVm stored) {
        if (!Objects.equals(stored.name(), vm.name())) {
            return "listed as \"" + Printable.of(vm.name()) + "\" but its row says \"" + Printable.of(stored.name()) + "\"";
        }
        if (stored.status() != vm.status()) {
            return "listed as " + vm.status().column() + " but its row says "
                    + (stored.status() == null ? "another status" : stored.status().column());
        }
        return null;
    }

    /**
     * The guests this pass must not write, with why: while a destroy, create or restore task of
     * their VMID still runs; in doubt and their config not read (it failed, or the pass was cut
     * short); or whose config, read now, has no marker while their row has one.
     */
    Map<Integer, String> holds(Snapshot snapshot, Map<Integer, KnownVm> known, Map<Integer, Suspicion> inDoubt,
                                       Set<Integer> configsRead, TaskWindow tasks) {
        Map<Integer, String> holds = new HashMap<>();
        for (ObservedVm vm : snapshot.vms()) {
            Suspicion why = inDoubt.get(vm.vmid());
            KnownVm stored = known.get(vm.vmid());
            Optional<String> running = tasks.stillRunning(vm.vmid());
            if (running.isPresent()) {
                // mid-lifecycle: neither a row's VM nor a new one yet, and a row settled now would
                // let a later pass search the task list from after this task began
                holds.put(vm.vmid(), stored == null ? NOT_YET + running.get() + "; it gets its row once the task ends"
                        : running.get() + "; the row is kept as it was until the task ends");
            } else if (why != null && !configsRead.contains(vm.vmid())) {
                holds.put(vm.vmid(), why.why() + ", and its config could not be read to tell a change of the same"
                        + " VM from another VM under a reused VMID; the row is kept as it was until the config can be"
                        + " read");
            } else if (stored != null && stored.incarnation() != null && configsRead.contains(vm.vmid())) {
                GuestConfig config = GuestProbe.cachedConfig(configs, vm);
                if (config != null && config.incarnation() == null) {
                    holds.put(vm.vmid(), "its config has no incarnation marker while its row has "
                            + stored.incarnation() + " (a clone or restore still writing it?); the row is kept as it"
                            + " was until the config shows one");
                }
            }
        }
        return holds;
    }
}
