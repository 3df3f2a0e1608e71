package io.pvesync.details;

import io.pvesync.inventory.AddressLookups;
import io.pvesync.inventory.Doubt;
import io.pvesync.inventory.KnownVm;
import io.pvesync.inventory.ObservedVm;
import io.pvesync.inventory.Snapshot;
import io.pvesync.inventory.TaskMark;
import io.pvesync.inventory.TaskWindow;
import io.pvesync.inventory.VmStatus;

import io.pvesync.details.GuestProbe.Lookup;
import io.pvesync.details.GuestProbe.Probe;
import io.pvesync.details.GuestProbe.Work;
import io.pvesync.proxmox.ProxmoxApi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Fills in what {@code /cluster/resources} lacks: each guest's address and incarnation marker
 * (DESIGN.md 3.1, 3.6). One instance per cluster, living across passes: it caches each guest's
 * parsed config and its last address answer, so a quiet poll makes no request at all.
 *
 * <p>Per guest of the snapshot (held guests are not touched):
 * <ul>
 *   <li>the config (and with it the incarnation marker) is read when the guest is new (not in
 *       {@code known}), its stored incarnation is null (unless the cached config already showed it
 *       offers none), it is <b>in doubt</b> ({@link Doubt}: its row says missing, the task list
 *       shows a destroy, create or restore of its VMID since its row was last confirmed, or its
 *       name or status changed while the task list cannot vouch for that interval), on
 *       reconcile, or when an address lookup needs it and none is cached; a change the task list
 *       vouches for costs no request;</li>
 *   <li>the address is looked up (QEMU: guest agent, only when the config enables it; LXC: the
 *       container's interfaces) for running guests that are new, whose status differs from the
 *       stored one, that have no cached answer, whose answer is older than {@code refreshEvery},
 *       whose config changed (another incarnation, agent flag or net0 MAC), or on reconcile;</li>
 *   <li>without an address from the guest, the configured static one (cloud-init
 *       {@code ipconfig0}, LXC {@code net0 ip=}) is used; a guest that is not running is never
 *       asked, it gets its static address or nothing;</li>
 *   <li>an answer, including "agent not running", is cached with the clock's time; failures of
 *       the pass itself (node unreachable, guest moving, transport errors) are not;</li>
 *   <li>held, so nothing of it is written: a guest in doubt whose config could not be read (it
 *       may be another VM under a reused VMID, and only the marker can tell: written over the
 *       row, it would show the new VM to the old one's owner); a guest whose config has no marker
 *       while its row has one (a clone or restore still writing it); a guest without a row whose
 *       create or restore task still runs.</li>
 * </ul>
 * At most {@code perNodeConcurrency} requests are in flight per node (a node has 3 API workers);
 * nodes are served in parallel, each node's guests in order of need: in doubt (held until read),
 * new (no row until read), changed status, then the rest. A failed call never fails the pass: the
 * guest keeps a null address (the store keeps the stored one) and a note says why.
 *
 * <p>The slow path never holds up the fast one (DESIGN.md 3.6, "Two speeds"): a node whose guest
 * calls time out or answer 595/596 is left alone for the rest of the pass, and once the pass's
 * {@code budget} is spent no further lookup starts (those in flight end within the address
 * timeout). A skipped guest is left exactly as if its calls had failed, so one in doubt is held;
 * {@link AddressLookups} counts the skipped guests by why and names the nodes left alone.
 */
public final class GuestDetails implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(GuestDetails.class);
    private static final Duration CLOSE_LIMIT = Duration.ofSeconds(10);
    private static final Duration FIRST_RETRY = Duration.ofSeconds(30);
    /** For callers that want every lookup made (a one-off sync, the benchmark): only slow nodes are left alone. */
    private static final Duration NO_BUDGET = Duration.ofDays(365);
    /** A guest whose lookups the first step of the pass leaves to the later ones. */
    static final Miss DEFERRED = Miss.forThisPass("looked up later in this pass");

    private final ProxmoxApi api;
    private final String cluster;
    private final int perNodeConcurrency;
    private final Duration refreshEvery;
    private final Duration budget;
    private final Clock clock;
    private final ExecutorService executor;

    private final Map<Integer, GuestConfig> configs = new ConcurrentHashMap<>();
    private final Map<Integer, Lookup> lookups = new ConcurrentHashMap<>();
    /** Guests whose due lookups were skipped, since the first pass that skipped them (the queue's age). */
    private final Map<Integer, Instant> waitingSince = new ConcurrentHashMap<>();
    /** The last note logged per guest, so a state is logged once when it appears. */
    private final Map<Integer, String> loggedNotes = new HashMap<>();
    private final SkipLog skipLog;
    /** Guests held for their identity, with why, so that is logged once. */
    private final Map<Integer, String> heldFor = new HashMap<>();
    private final IdentityCheck identity = new IdentityCheck(configs);
    private boolean refusalLogged;

    /** Guest details without a pass budget: every due lookup is made, except on nodes left alone. */
    public GuestDetails(ProxmoxApi api, int perNodeConcurrency, Duration refreshEvery, Clock clock) {
        this(api, perNodeConcurrency, refreshEvery, NO_BUDGET, clock);
    }

    /**
     * @param api                the cluster's API; its short per-call timeout bounds each request
     * @param perNodeConcurrency requests in flight per node at most, at least 1 (default 2)
     * @param refreshEvery       how long an address answer stays fresh, positive
     * @param budget             how long a pass may start lookups, positive
     * @param clock              the time source for the answers' age
     */
    public GuestDetails(ProxmoxApi api, int perNodeConcurrency, Duration refreshEvery, Duration budget, Clock clock) {
        this.api = Objects.requireNonNull(api, "api");
        this.cluster = api.cluster();
        if (perNodeConcurrency < 1) {
            throw new IllegalArgumentException("perNodeConcurrency must be at least 1, was " + perNodeConcurrency);
        }
        if (refreshEvery.isNegative() || refreshEvery.isZero()) {
            throw new IllegalArgumentException("refreshEvery must be positive, was " + refreshEvery);
        }
        this.perNodeConcurrency = perNodeConcurrency;
        this.refreshEvery = refreshEvery;
        if (budget.isNegative() || budget.isZero()) {
            throw new IllegalArgumentException("budget must be positive, was " + budget);
        }
        this.budget = budget;
        this.skipLog = new SkipLog(cluster);
        this.clock = Objects.requireNonNull(clock, "clock");
        AtomicInteger threads = new AtomicInteger();
        // grows to nodes x perNodeConcurrency during a pass; idle threads leave after 30 s
        this.executor = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
                task -> {
                    Thread thread = new Thread(task, "pvesync-details-" + cluster + "-" + threads.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
    }

    /**
     * Looks closer at the snapshot's guests as far as this pass needs to (see the class comment)
     * and waits for every lookup; each call is bounded by the client's timeout.
     *
     * @param snapshot  this pass's listing
     * @param known     the stored rows of the cluster's live VMs, by VMID
     * @param reconcile true in a reconcile pass: every config is read and every running guest asked
     * @return the snapshot with addresses and markers; when the calling thread is interrupted, the
     *         lookups are cancelled, the interrupt flag is set again, and guests not done are
     *         returned unchanged
     * @throws IllegalStateException after {@link #close()}
     */
    public Enrichment enrich(Snapshot snapshot, Map<Integer, KnownVm> known, boolean reconcile) {
        return enrich(snapshot, known, reconcile, TaskWindow.unreadable("not asked"));
    }

    /**
     * As {@link #enrich(Snapshot, Map, boolean)}, with what the cluster's task list says: a guest
     * is in doubt ({@link Doubt}) when a destroy, create or restore task of its VMID ran since its
     * row was last confirmed, when its row says {@code missing}, or when its name or status changed
     * while the task list cannot vouch for that interval. A guest in doubt has its marker read
     * before anything of it is written, and is held when that fails. Any guest whose config, read
     * this pass, has no marker while its row has one is held too (a clone or restore still
     * writing it).
     */
    public Enrichment enrich(Snapshot snapshot, Map<Integer, KnownVm> known, boolean reconcile, TaskWindow tasks) {
        return begin(snapshot, known, reconcile, tasks).all();
    }

    /**
     * Plans the pass's lookups (the same decisions as {@link #enrich(Snapshot, Map, boolean,
     * TaskWindow)}) and returns them as steps the pass can write one after the other, so what the
     * listing shows never waits for a per-guest request (DESIGN.md 3.6, "Two speeds").
     *
     * @throws IllegalStateException after {@link #close()}
     */
    public GuestPass begin(Snapshot snapshot, Map<Integer, KnownVm> known, boolean reconcile, TaskWindow tasks) {
        if (executor.isShutdown()) {
            throw new IllegalStateException("cluster " + cluster + ": guest details already closed");
        }
        forgetGone(snapshot);
        Instant now = clock.instant();
        GuestCalls calls = new GuestCalls(api);
        PassSkips skips = new PassSkips(budget);
        GuestProbe probe = new GuestProbe(calls, configs, lookups, now, skips);
        Map<Integer, Probe> cacheOnly = new HashMap<>();
        List<Work> works = new ArrayList<>();
        // guests that may be another VM under the row's VMID: plan() reads their config, and only
        // the marker in it can tell
        Map<Integer, IdentityCheck.Suspicion> inDoubt = new HashMap<>();
        for (ObservedVm vm : snapshot.vms()) {
            KnownVm stored = known.get(vm.vmid());
            identity.suspicion(vm, stored, tasks, snapshot.nodes()).ifPresent(why -> inDoubt.put(vm.vmid(), why));
            Work work = plan(vm, stored, reconcile, inDoubt.containsKey(vm.vmid()), now);
            if (work.readConfig() || work.lookupDue()) {
                works.add(work);
            } else {
                cacheOnly.put(vm.vmid(), probe.probe(work)); // from the caches, without a request
            }
        }
        return new GuestPass(this, snapshot, known, tasks, inDoubt, works, calls, skips, probe, cacheOnly);
    }

    /** Makes {@code todo}'s requests: per node at most {@code perNodeConcurrency}, in order of need. */
    void run(List<Work> todo, GuestProbe probe, Map<Integer, Probe> results) {
        Map<String, List<Work>> perNode = new LinkedHashMap<>();
        todo.forEach(work -> perNode.computeIfAbsent(work.vm().node(), n -> new ArrayList<>()).add(work));
        List<Future<?>> running = new ArrayList<>();
        for (List<Work> works : perNode.values()) {
            works.sort(Comparator.comparingInt(GuestDetails::need));
            Queue<Work> queue = new ConcurrentLinkedQueue<>(works);
            for (int i = 0; i < Math.min(perNodeConcurrency, queue.size()); i++) {
                running.add(executor.submit(() -> drain(queue, probe, results)));
            }
        }
        awaitAll(running);
    }

    /**
     * The snapshot as the pass's results so far leave it, with the identity holds; the pass's
     * notes and logs once it is complete ({@code deferred} false).
     */
    Enrichment enrichment(Snapshot snapshot, Map<Integer, KnownVm> known, TaskWindow tasks,
                          Map<Integer, IdentityCheck.Suspicion> inDoubt, Map<Integer, Probe> results, GuestProbe probe,
                          GuestCalls calls, PassSkips skips, int planned, boolean deferred,
                          Map<Integer, String> alsoHeld) {
        Map<Integer, String> holds = new HashMap<>(identity.holds(snapshot, known, inDoubt, probe.configsRead, tasks,
                !deferred));
        alsoHeld.forEach(holds::putIfAbsent);
        Map<Integer, String> notes = new HashMap<>();
        Snapshot enriched = snapshot.mapVms(vm -> {
            Probe result = results.get(vm.vmid());
            IdentityCheck.Suspicion why = inDoubt.get(vm.vmid());
            Doubt doubt = why == null ? Doubt.NONE : why.doubt();
            // in doubt, a ctime shared with a clone's template proves nothing
            String olderMarker = doubt == Doubt.NONE
                    ? identity.olderMarker(vm, known.get(vm.vmid()), probe.configsRead) : null;
            if (result == null) {
                return vm.withIdentity(doubt, null); // interrupted before its turn
            }
            if (result.miss() != null) {
                notes.put(vm.vmid(), result.miss().text());
            }
            return result.vm().withIdentity(doubt, olderMarker);
        }).holding(holds.keySet());
        if (deferred) {
            return new Enrichment(enriched, notes, calls.requests(), probe.lookupCounts(), true);
        }
        AddressLookups lookups = probe.lookupCounts();
        Optional<Instant> oldest = queueAge(skips.waiting(), results.keySet());
        logChanges(results, probe);
        skipLog.passEnded(skips, probe.reachedNodes, planned);
        logHeld(holds);
        log.debug("cluster={} - guest details: {} of {} guests looked at, {} requests",
                cluster, results.size(), snapshot.vms().size(), calls.requests());
        return new Enrichment(enriched, notes, calls.requests(), new AddressLookups(lookups.found(), lookups.none(),
                lookups.failed(), lookups.skipped(), lookups.nodesLeftAlone(), oldest));
    }

    /**
     * Keeps since when each guest has waited for its lookups: from the first pass that skipped
     * them until a pass makes them; the oldest of those times.
     */
    private Optional<Instant> queueAge(Set<Integer> skippedNow, Set<Integer> lookedAt) {
        Instant now = clock.instant();
        lookedAt.stream().filter(vmid -> !skippedNow.contains(vmid)).forEach(waitingSince::remove);
        skippedNow.forEach(vmid -> waitingSince.putIfAbsent(vmid, now));
        return waitingSince.values().stream().min(Instant::compareTo);
    }

    /**
     * Records that the rows of {@code applied}'s guests are true as of its listing, once the pass's
     * writes are committed: the next pass searches the task list for tasks after {@code mark}
     * (the pass's own task list, {@link TaskWindow#mark()}; null when it could not be read: the
     * earlier marks stay). Guests the store held ({@code heldByStore}) keep their earlier mark.
     */
    public void settled(Snapshot applied, Set<Integer> heldByStore, TaskMark mark) {
        identity.settled(applied, heldByStore, mark);
    }

    /**
     * Records that an early write of the pass (DESIGN.md 3.6, "Two speeds") committed the rows of
     * {@code vmids}, inserted from the listing before their markers were read, so that they are
     * settled as of {@code mark} (the pass's task list) even when the pass's later writes fail.
     */
    public void inserted(Set<Integer> vmids, TaskMark mark) {
        identity.inserted(vmids, mark);
    }

    private Work plan(ObservedVm vm, KnownVm known, boolean reconcile, boolean inDoubt, Instant now) {
        GuestConfig cachedConfig = GuestProbe.cachedConfig(configs, vm);
        // a config already read and found without a marker would only say so again, every poll
        boolean markerWanted = known != null && known.incarnation() == null
                && (cachedConfig == null || cachedConfig.incarnation() != null);
        // a guest in doubt has its marker read before anything of it is written; a plain change of
        // name or status that the task list vouches for costs no request
        boolean readConfig = reconcile || known == null || markerWanted || inDoubt;
        boolean lookupDue = false;
        if (vm.status() == VmStatus.RUNNING) {
            Lookup cached = GuestProbe.cachedLookup(lookups, vm);
            lookupDue = reconcile || known == null || known.status() != vm.status() || cached == null
                    || !now.isBefore(cached.at().plus(freshFor(cached)));
            // the agent flag and net0 MAC come from the config
            readConfig |= lookupDue && cachedConfig == null;
        }
        return new Work(vm, known, readConfig, lookupDue, inDoubt);
    }

    /** The order of a node's lookups: what the pass cannot write without it first (class comment). */
    private static int need(Work work) {
        if (work.inDoubt()) {
            return 0;
        }
        if (work.known() == null || work.known().incarnation() == null) {
            return 1; // new: its row is there or comes at once, its first marker waits for this
        }
        return work.known().status() != work.vm().status() ? 2 : 3;
    }

    /**
     * How long an answer is trusted. An address holds for {@code refreshEvery}. An answer without
     * one is asked again sooner, backing off from 30 s: a guest that just booted has no agent yet,
     * and should not wait a whole refresh period for its address; one whose agent never runs costs
     * a request (and a pvedaemon worker for the 3 s ping) ever more rarely.
     */
    private Duration freshFor(Lookup cached) {
        if (cached.misses() == 0) {
            return refreshEvery;
        }
        Duration backoff = FIRST_RETRY.multipliedBy(1L << Math.min(cached.misses() - 1, 16));
        return backoff.compareTo(refreshEvery) < 0 ? backoff : refreshEvery;
    }

    private void drain(Queue<Work> queue, GuestProbe probe, Map<Integer, Probe> results) {
        Work work;
        while (!Thread.currentThread().isInterrupted() && (work = queue.poll()) != null) {
            ObservedVm vm = work.vm();
            try {
                results.put(vm.vmid(), probe.probe(work));
            } catch (RuntimeException bug) {
                log.error("cluster={} vmid={} - guest details failed unexpectedly; the address is kept",
                        cluster, vm.vmid(), bug);
                results.put(vm.vmid(), new Probe(vm, Miss.forThisPass("address lookup failed unexpectedly (see log)")));
            }
        }
    }

    private void awaitAll(List<Future<?>> running) {
        for (Future<?> future : running) {
            try {
                future.get();
            } catch (InterruptedException interrupted) {
                running.forEach(f -> f.cancel(true));
                Thread.currentThread().interrupt();
                log.info("cluster={} - guest details interrupted; unfinished guests keep their stored values", cluster);
                return;
            } catch (ExecutionException | CancellationException unexpected) {
                // drain() catches per guest; this is only reachable through an Error
                log.error("cluster={} - a guest details worker died", cluster, unexpected);
            }
        }
    }

    /** Drops cached state of guests no longer listed at all (deleted; held ones stay). */
    private void forgetGone(Snapshot snapshot) {
        Set<Integer> listed = new HashSet<>(snapshot.held().keySet());
        snapshot.vms().forEach(vm -> listed.add(vm.vmid()));
        configs.keySet().retainAll(listed);
        waitingSince.keySet().retainAll(listed);
        lookups.keySet().retainAll(listed);
        loggedNotes.keySet().retainAll(listed);
        identity.retainAll(listed);
    }

    /** Logs each state once when it begins: a guest's note, a refused agent call ({@link SkipLog}: nodes). */
    private void logChanges(Map<Integer, Probe> results, GuestProbe probe) {
        String refused = probe.refused.get();
        if (refused != null && !refusalLogged) {
            refusalLogged = true;
            log.warn("cluster={} - guest agent calls refused ({}); addresses come from cloud-init ipconfig0 only."
                    + " Grant the token VM.GuestAgent.Audit on PVE 9 (PVEAuditor has it) or a role with VM.Monitor"
                    + " on PVE 8", cluster, refused);
        } else if (refused == null && probe.agentAnswered.get()) {
            refusalLogged = false;
        }
        results.forEach((vmid, result) -> {
            Miss miss = result.miss();
            if (miss == null) {
                if (loggedNotes.remove(vmid) != null) {
                    log.debug("cluster={} vmid={} - address found: {}", cluster, vmid, result.vm().ipAddress());
                }
            } else if (!miss.passing() && !miss.text().equals(loggedNotes.put(vmid, miss.text()))) {
                if (miss.advice() != null) {
                    log.warn("cluster={} vmid={} - no address: {} ({})", cluster, vmid, miss.text(), miss.advice());
                } else {
                    log.debug("cluster={} vmid={} - no address: {}", cluster, vmid, miss.text());
                }
            }
        });
    }

    /** Logs a guest held for its identity when that begins, not on every pass it lasts. */
    private void logHeld(Map<Integer, String> holds) {
        holds.forEach((vmid, why) -> {
            if (why.equals(heldFor.put(vmid, why))) {
                return;
            }
            if (why.startsWith(IdentityCheck.NOT_YET) || why.startsWith(IdentityCheck.STALE)) {
                log.info("cluster={} vmid={} - {}", cluster, vmid, why); // a guest being made: expected
            } else {
                log.warn("cluster={} vmid={} - {}", cluster, vmid, why);
            }
        });
        heldFor.keySet().retainAll(holds.keySet());
    }

    /** Stops the worker threads, waiting up to 10 s for lookups in flight. */
    @Override
    public void close() {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(CLOSE_LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
                executor.shutdownNow();
                log.warn("cluster={} - guest detail lookups still running after {} s were cancelled",
                        cluster, CLOSE_LIMIT.toSeconds());
            }
        } catch (InterruptedException interrupted) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
