package io.pvesync.details;

import io.pvesync.inventory.Doubt;
import io.pvesync.inventory.KnownVm;
import io.pvesync.inventory.NodeState;
import io.pvesync.inventory.ObservedVm;
import io.pvesync.inventory.Printable;
import io.pvesync.inventory.Snapshot;
import io.pvesync.inventory.TaskMark;
import io.pvesync.inventory.TaskWindow;
import io.pvesync.inventory.VmKind;
import io.pvesync.inventory.VmStatus;

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
    /** A hold that the next status broadcast of Proxmox ends: expected, logged at INFO. */
    static final String STALE = "another VM's values still listed: ";
    /** qemu-server sets meta's ctime as its create worker runs, moments after the task starts. */
    private static final long CREATE_SLACK_SECONDS = 60;

    private final Map<Integer, GuestConfig> configs;
    /**
     * When each guest's row was last known true: the task list's mark of the last committed pass
     * of this process that wrote or confirmed it. Unknown (a restart, another instance's pass):
     * every lifecycle task of the VMID in the list counts, and the list vouches for nothing.
     */
    private final Map<Integer, TaskMark> settledAt = new ConcurrentHashMap<>();
    /**
     * Guests held for their identity (in doubt and not resolved, a lifecycle task running, spared
     * by the retirement guard): they stay in doubt until a committed pass settles them, even once
     * the task that raised the doubt has left the node's short task list.
     */
    private final Map<Integer, Suspicion> unresolved = new ConcurrentHashMap<>();

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
            if (heldByStore.contains(vm.vmid())) {
                unresolved.put(vm.vmid(), new Suspicion(Doubt.LIFECYCLE, "spared by the retirement guard, its"
                        + " marker differing from its row's"));
            } else {
                if (mark != null) {
                    settledAt.put(vm.vmid(), mark);
                }
                unresolved.remove(vm.vmid());
            }
        }
    }

    /**
     * Records that rows of {@code vmids} were inserted, committed, from a listing whose task list
     * is {@code mark}: a lifecycle task of their VMIDs after it is another VM's. Without it (the
     * pass's later writes failing) the next pass would search the whole list, and a create whose
     * destroy left the list could pass for the row's own.
     */
    void inserted(Set<Integer> vmids, TaskMark mark) {
        vmids.forEach(vmid -> settledAt.put(vmid, mark));
    }

    /** Forgets the guests no longer listed. */
    void retainAll(Set<Integer> listed) {
        settledAt.keySet().retainAll(listed);
        unresolved.keySet().retainAll(listed);
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
        Optional<Suspicion> fresh = freshSuspicion(vm, stored, tasks, nodes);
        Suspicion before = stored == null ? null : unresolved.get(vm.vmid());
        if (before == null) {
            return fresh;
        }
        // held before for its identity and not confirmed since; a task seen now may say more
        return Optional.of(fresh.filter(now -> now.doubt().compareTo(before.doubt()) > 0).orElse(before));
    }

    private Optional<Suspicion> freshSuspicion(ObservedVm vm, KnownVm stored, TaskWindow tasks,
                                               Map<String, NodeState> nodes) {
        if (stored == null) {
            // no row, nothing to inherit, so its row may come before its marker (DESIGN.md 3.1);
            // but after a destroy of the VMID the listing may still show the VM before it
            return tasks.destroyed(vm.vmid(), TaskMark.NONE, null)
                    ? Optional.of(new Suspicion(Doubt.LIFECYCLE, "a destroy of its VMID is in the task list"))
                    : Optional.empty();
        }
        if (stored.status() == VmStatus.MISSING) {
            return Optional.of(new Suspicion(Doubt.LIFECYCLE, "listed again while its row says missing (its VM"
                    + " vanished, and the VMID may have been taken since)"));
        }
        TaskMark since = settledAt.getOrDefault(vm.vmid(), TaskMark.NONE);
        Long ignoreUpTo = createdNoLaterThan(stored, since);
        Optional<String> task = tasks.lifecycle(vm.vmid(), since, ignoreUpTo);
        if (task.isPresent()) {
            // a row whose marker was never read (inserted at first sight, its config not read
            // since): a task after the pass that wrote it means another VM, whatever its kind; with
            // no such pass known (a restart), a create alone may be the row's own, and the config
            // decides, as for a change
            boolean ownCreatePossible = since.nodes().isEmpty() && !tasks.destroyed(vm.vmid(), since, ignoreUpTo);
            Doubt doubt = stored.incarnation() == null && ownCreatePossible ? Doubt.CHANGED : Doubt.LIFECYCLE;
            return Optional.of(new Suspicion(doubt, task.get() + " since its row was last confirmed"));
        }
        if (!Objects.equals(stored.name(), vm.name())) {
            // a rename is rare, and a config file moved to another VMID by hand leaves no task
            return Optional.of(renamed(stored, "listed as \"" + Printable.of(vm.name())
                    + "\" but its row says \"" + Printable.of(stored.name()) + "\""));
        }
        if (stored.status() == vm.status()) {
            return Optional.empty();
        }
        String change = "listed as " + vm.status().column() + " but its row says "
                + (stored.status() == null ? "another status" : stored.status().column());
        // a row without its marker too: a status change while a node's list falls short is common
        // (a node offline, a busy node), and retiring for it would take customers' rows away; the
        // config gives the row its first marker (README, "Which VM is this row": limits)
        return tasks.gap(since, nodes).map(gap -> new Suspicion(Doubt.CHANGED, change
                + ", and the task list cannot vouch that the VMID kept its VM (" + gap + ")"));
    }

    /**
     * A rename the marker must explain: the config decides when the row has a marker to compare.
     * A row without one (its first config read failed or was cut since its insert) cannot tell its
     * VM renamed from another cloned into the VMID under another name (a {@code qmclone} task
     * carries the source's VMID, and the destroy before it may have left the node's short task
     * list): it counts as another VM.
     */
    private static Suspicion renamed(KnownVm stored, String why) {
        return stored.incarnation() == null
                ? new Suspicion(Doubt.LIFECYCLE, why + ", and its row has no incarnation marker to compare")
                : new Suspicion(Doubt.CHANGED, why);
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

    /**
     * The guests this pass must not write, with why: while a destroy, create or restore task of
     * their VMID still runs; in doubt and their config not read (it failed, or the pass was cut
     * short); or whose config, read now, has no marker while their row has one.
     */
    Map<Integer, String> holds(Snapshot snapshot, Map<Integer, KnownVm> known, Map<Integer, Suspicion> inDoubt,
                                       Set<Integer> configsRead, TaskWindow tasks) {
        return holds(snapshot, known, inDoubt, configsRead, tasks, true);
    }

    /**
     * @param remember false for an early step of a pass (DESIGN.md 3.6, two speeds): the holds are
     *                 the same, but nothing is kept in doubt for later passes on their strength;
     *                 the pass's last step decides that
     */
    Map<Integer, String> holds(Snapshot snapshot, Map<Integer, KnownVm> known, Map<Integer, Suspicion> inDoubt,
                               Set<Integer> configsRead, TaskWindow tasks, boolean remember) {
        Map<Integer, String> holds = new HashMap<>();
        for (ObservedVm vm : snapshot.vms()) {
            Suspicion why = inDoubt.get(vm.vmid());
            KnownVm stored = known.get(vm.vmid());
            Optional<String> running = tasks.stillRunning(vm.vmid(), snapshot.nodes());
            if (running.isPresent()) {
                // mid-lifecycle: neither a row's VM nor a new one yet, and a row settled now would
                // let a later pass search the task list from after this task began
                holds.put(vm.vmid(), stored == null ? NOT_YET + running.get() + "; it gets its row once the task ends"
                        : running.get() + "; the row is kept as it was until the task ends");
            } else if (stored == null && why != null && !configsRead.contains(vm.vmid())) {
                // a new VMID gets its row at once, its marker later (nothing to inherit), unless the
                // listing may still show the VM destroyed before it: its config tells
                holds.put(vm.vmid(), NOT_YET + why.why() + ", so the listing may still show the VM before; it gets"
                        + " its row once its config can be read");
            } else if (why != null && !configsRead.contains(vm.vmid())) {
                holds.put(vm.vmid(), why.why() + ", and its config could not be read to tell a change of the same"
                        + " VM from another VM under a reused VMID; the row is kept as it was until the config can be"
                        + " read");
            } else if (stored != null && stored.incarnation() != null && configsRead.contains(vm.vmid())
                    && markerless(vm)) {
                holds.put(vm.vmid(), "its config has no incarnation marker while its row has "
                        + stored.incarnation() + " (a clone or restore still writing it?); the row is kept as it"
                        + " was until the config shows one");
            } else if ((why == null || why.doubt() != Doubt.LIFECYCLE) && stored != null
                    && configsRead.contains(vm.vmid()) && markerChangedSilently(vm, stored)) {
                // the task list is read before the configs: a reuse in between shows no task yet, and
                // the listing may still show the previous VM; the next pass sees the tasks
                holds.put(vm.vmid(), "its config shows another incarnation marker than its row ("
                        + stored.incarnation() + ") without a task of its VMID to show for it yet; held for a pass");
                if (remember) {
                    unresolved.put(vm.vmid(), new Suspicion(Doubt.LIFECYCLE, "its config showed another incarnation"
                            + " marker than its row"));
                }
            } else if (why != null && why.doubt() == Doubt.LIFECYCLE && configsRead.contains(vm.vmid())) {
                staleListing(vm).ifPresent(config -> holds.put(vm.vmid(), STALE + "the listing shows \""
                        + Printable.of(vm.name()) + "\", its config \"" + Printable.of(config) + "\" (Proxmox's status"
                        + " data is up to 10 s old); held until the listing shows the VM now behind the VMID"));
            }
        }
        if (!remember) {
            return holds;
        }
        // a guest with a row held for its identity stays in doubt until a pass settles it
        holds.keySet().stream().filter(known::containsKey).forEach(vmid -> unresolved.putIfAbsent(vmid,
                inDoubt.getOrDefault(vmid, new Suspicion(Doubt.LIFECYCLE, "held while its VMID was mid-lifecycle"))));
        return holds;
    }

    /** Whether the config read now names another VM than the row's, not merely an older marker form. */
    private boolean markerChangedSilently(ObservedVm vm, KnownVm stored) {
        GuestConfig config = GuestProbe.cachedConfig(configs, vm);
        return config != null && stored.incarnation() != null && config.incarnation() != null
                && !stored.incarnation().equals(config.incarnation())
                && !stored.incarnation().equals(config.legacyMarker()) && !markerLost(stored, config);
    }

    /**
     * A row with a uuid whose config now has none: an {@code smbios1} edited without its uuid, not
     * another VM (qemu-server gives every created or cloned VM a uuid). The row keeps its marker.
     */
    static boolean markerLost(KnownVm stored, GuestConfig config) {
        return stored.incarnation() != null && stored.incarnation().startsWith(GuestConfig.UUID_PREFIX)
                && config.kind() == VmKind.QEMU && (config.incarnation() == null
                || !config.incarnation().startsWith(GuestConfig.UUID_PREFIX));
    }

    private boolean markerless(ObservedVm vm) {
        GuestConfig config = GuestProbe.cachedConfig(configs, vm);
        return config != null && config.incarnation() == null;
    }

    /**
     * The config's name when the listing shows another: right after a destroy and a create or a
     * clone, the listing's name and sizes may still be the previous VM's (pvestatd broadcasts every
     * 10 s, and its data outlives the VM by minutes), and written to a new VM's row, or to the
     * application's row adopted for it, they would show one customer another's VM.
     */
    private Optional<String> staleListing(ObservedVm vm) {
        GuestConfig config = GuestProbe.cachedConfig(configs, vm);
        if (config == null) {
            return Optional.empty();
        }
        return config.listedName(vm.vmid()).filter(name -> !name.equals(vm.name()));
    }
}
