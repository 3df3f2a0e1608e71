package io.pvesync.details;

import io.pvesync.inventory.KnownVm;
import io.pvesync.inventory.ObservedVm;
import io.pvesync.inventory.Snapshot;
import io.pvesync.inventory.TaskWindow;
import io.pvesync.inventory.VmStatus;

import io.pvesync.details.GuestProbe.Probe;
import io.pvesync.details.GuestProbe.Work;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One pass's guest details, in the steps DESIGN.md 3.6 ("Two speeds") asks for, each giving an
 * enrichment the pass can write at once:
 * <ol>
 *   <li>{@link #listing()}: no request; every guest whose identity allows it carries the listing's
 *       values, guests whose lookups are due keep their stored address and marker, and those whose
 *       identity needs the marker (new, in doubt) are held, as if their config could not be read;</li>
 *   <li>{@link #markers()}: the configs the pass needs (new guests, guests in doubt, missing
 *       markers, a reconcile's re-reads), in order of need per node, within the pass's budget;
 *       addresses come from the caches;</li>
 *   <li>{@link #addresses()}: the address lookups that are due.</li>
 * </ol>
 * {@link #all()} is the three at once, for callers that write once. The steps share one budget,
 * one probe and one result per guest; the identity decisions are made from the rows as they were
 * before the pass ({@code known}), whatever the earlier steps wrote. Only the last step logs.
 * Used by one thread, step after step.
 */
public final class GuestPass {
    private final GuestDetails details;
    private final Snapshot snapshot;
    private final Map<Integer, KnownVm> known;
    private final TaskWindow tasks;
    private final Map<Integer, IdentityCheck.Suspicion> inDoubt;
    private final List<Work> works;
    private final GuestCalls calls;
    private final PassSkips skips;
    private final GuestProbe probe;
    private final Map<Integer, Probe> results;
    private boolean markersRead;

    GuestPass(GuestDetails details, Snapshot snapshot, Map<Integer, KnownVm> known, TaskWindow tasks,
              Map<Integer, IdentityCheck.Suspicion> inDoubt, List<Work> works, GuestCalls calls, PassSkips skips,
              GuestProbe probe, Map<Integer, Probe> cacheOnly) {
        this.details = details;
        this.snapshot = snapshot;
        this.known = known;
        this.tasks = tasks;
        this.inDoubt = inDoubt;
        this.works = works;
        this.calls = calls;
        this.skips = skips;
        this.probe = probe;
        this.results = new ConcurrentHashMap<>(cacheOnly);
    }

    /**
     * Step 1: what the listing and the caches give, without a request.
     *
     * @return {@link Enrichment#deferred()} false when no guest needs a request: then this is the
     *         pass's whole enrichment (and it was logged)
     */
    public Enrichment listing() {
        if (works.isEmpty()) {
            return build(false);
        }
        Map<Integer, Probe> deferred = new HashMap<>();
        Map<Integer, String> reexamined = new HashMap<>();
        for (Work work : works) {
            deferred.put(work.vm().vmid(), new Probe(work.vm(), GuestDetails.DEFERRED));
            if (work.readConfig() && reexamined(work)) {
                // its config may show another VM (a reuse the task list no longer shows): nothing
                // of it is written before the marker is read
                reexamined.put(work.vm().vmid(), "its config is read later in this pass");
            }
        }
        return build(deferred, true, reexamined);
    }

    /**
     * Whether the config the pass reads may show that the row is another VM's: it is in doubt, or
     * the row has a marker to compare. A row without one (inserted at first sight, DESIGN.md 3.1)
     * and not in doubt gets the listing's values like any trusted row: the config only gives it
     * its first marker.
     */
    private boolean reexamined(Work work) {
        KnownVm row = known.get(work.vm().vmid());
        return row != null && (work.inDoubt() || row.incarnation() != null);
    }

    /** Whether the listing shows VMIDs without a row: {@link #listing()} gives them their rows at once. */
    public boolean hasNewVmids() {
        return works.stream().anyMatch(work -> !known.containsKey(work.vm().vmid()));
    }

    /** Whether {@link #markers()} has configs to read (none: its enrichment is the listing's). */
    public boolean readsConfigs() {
        return works.stream().anyMatch(Work::readConfig);
    }

    /** Step 2: the configs the pass needs; {@link Enrichment#deferred()} when addresses are still due. */
    public Enrichment markers() {
        List<Work> configs = works.stream().filter(Work::readConfig).map(Work::configOnly).toList();
        run(configs);
        markersRead = true;
        boolean addressesDue = works.stream().anyMatch(this::addressStillDue);
        return addressesDue ? build(true) : build(false);
    }

    /** Step 3: the address lookups that are due; the pass's whole enrichment, logged. */
    public Enrichment addresses() {
        run(works.stream().filter(this::addressStillDue).map(work -> work.addressOnly(seen(work))).toList());
        return build(false);
    }

    /** The three steps at once: every due request, then the pass's whole enrichment, logged. */
    public Enrichment all() {
        run(works);
        return build(false);
    }

    /**
     * Whether the guest's address is to be asked after its config step: it is due, and its config
     * is there (read now, or cached from before); a guest whose config read failed keeps that result.
     */
    private boolean addressStillDue(Work work) {
        if (markersRead && work.readConfig()) {
            // the config step decided: also when the config showed another guest than the cached
            // answer was about (that answer is dropped, so the address must be asked now)
            Probe marker = results.get(work.vm().vmid());
            return marker != null && marker.miss() == GuestProbe.ADDRESS_LATER;
        }
        return work.lookupDue() && work.vm().status() == VmStatus.RUNNING;
    }

    /** The guest as the steps so far left it: with the marker its config step read. */
    private ObservedVm seen(Work work) {
        Probe earlier = results.get(work.vm().vmid());
        return earlier != null ? earlier.vm() : work.vm();
    }

    private void run(List<Work> todo) {
        details.run(todo, probe, results);
    }

    private Enrichment build(boolean deferred) {
        return build(Map.of(), deferred, Map.of());
    }

    private Enrichment build(Map<Integer, Probe> overlay, boolean deferred, Map<Integer, String> alsoHeld) {
        Map<Integer, Probe> shown = overlay.isEmpty() ? results : new HashMap<>(results);
        shown.putAll(overlay);
        return details.enrichment(snapshot, known, tasks, inDoubt, shown, probe, calls, skips, works.size(), deferred,
                alsoHeld);
    }
}
