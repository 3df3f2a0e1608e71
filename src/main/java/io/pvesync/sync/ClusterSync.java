package io.pvesync.sync;

import io.pvesync.config.ClusterConfig;
import io.pvesync.inventory.AddressLookups;
import io.pvesync.details.Enrichment;
import io.pvesync.details.GuestDetails;
import io.pvesync.details.GuestPass;
import io.pvesync.inventory.KnownVm;
import io.pvesync.inventory.ResourceMapper;
import io.pvesync.inventory.Snapshot;
import io.pvesync.inventory.TaskWindow;
import io.pvesync.proxmox.ApiCall;
import io.pvesync.proxmox.ProxmoxApi;
import io.pvesync.proxmox.ProxmoxException;
import io.pvesync.store.ApplyOptions;
import io.pvesync.store.ApplyResult;
import io.pvesync.store.RecordedChanges;
import io.pvesync.store.StoreException;
import io.pvesync.store.VmChange;
import io.pvesync.store.VmStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One pass for one cluster: list everything, look closer where needed, apply to the table in one
 * transaction. A pass never throws: whatever goes wrong is recorded in its {@link SyncOutcome}
 * and the table keeps its last good state. Callers must not run two passes of the same cluster at
 * once (the scheduler and the manual path share one door; the store also takes an advisory lock).
 */
public final class ClusterSync implements ClusterPass, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ClusterSync.class);

    private final ClusterConfig config;
    private final ProxmoxApi api;
    private final GuestDetails details;
    private final ResourceMapper mapper;
    private final NodeWatch nodes;
    private final QuorumCheck quorum;
    private final VmStore store;
    private final Set<String> otherClusters;
    private final Clock clock;
    /** Why the task list could not be read last time, so that is logged once; null while it can. */
    private String tasksUnreadable;

    /**
     * @param otherClusters the names of the other configured clusters: an application row is
     *                      adopted only when it provably belongs to this cluster (DESIGN.md 3.10)
     */
    public ClusterSync(ClusterConfig config, ProxmoxApi api, GuestDetails details, VmStore store,
                       Set<String> otherClusters, Clock clock) {
        this.config = config;
        this.api = api;
        this.details = details;
        this.mapper = new ResourceMapper(config.name(), config.includeContainers());
        this.nodes = new NodeWatch(config.name());
        this.quorum = new QuorumCheck(config.name());
        this.store = store;
        this.otherClusters = Set.copyOf(otherClusters);
        this.clock = clock;
    }

    @Override
    public String cluster() {
        return config.name();
    }

    @Override
    public SyncOutcome run(SyncMode mode) {
        return run(mode, false);
    }

    /** Runs one pass; {@code dryRun} computes the changes and writes nothing. */
    public SyncOutcome run(SyncMode mode, boolean dryRun) {
        Instant started = clock.instant();
        long t0 = System.nanoTime();
        SyncOutcome outcome;
        try {
            outcome = pass(mode, dryRun, started, t0);
        } catch (ProxmoxException e) {
            outcome = failed(mode, started, t0, "Proxmox API: " + e.getMessage());
        } catch (StoreException e) {
            outcome = e.unconfirmed()
                    ? SyncOutcome.failedUnconfirmed(config.name(), mode, started, elapsed(t0), "database: " + e.getMessage())
                    : failed(mode, started, t0, "database: " + e.getMessage());
        } catch (RuntimeException e) {
            log.error("cluster={} - unexpected failure of the pass; rows are left as they were", config.name(), e);
            outcome = failed(mode, started, t0, "unexpected: " + e);
        }
        logOutcome(outcome, dryRun);
        return outcome;
    }

    private SyncOutcome pass(SyncMode mode, boolean dryRun, Instant started, long t0)
            throws ProxmoxException {
        // streamed into the snapshot: the listing's JSON tree is never built
        // an endpoint without quorum shows its peers offline: it is asked, and refused (3.11)
        Snapshot snapshot = api.read(ApiCall.clusterResources(), data -> mapper.mapStreamed(data, clock.instant()),
                quorum);
        nodes.observe(snapshot);
        Optional<String> blind = blindSpot(snapshot);
        TaskWindow tasks = readTasks();
        Map<Integer, KnownVm> known = store.known(config.name());
        boolean reconcile = mode == SyncMode.RECONCILE;
        ApplyOptions options = new ApplyOptions(reconcile, dryRun, otherClusters, config.missing());
        // two speeds (DESIGN.md 3.6): what the listing shows is written before any per-guest
        // request, the markers the pass needed next, the addresses last. A reconcile re-reads every
        // config, holding every row with a marker until then: it writes new VMIDs at once (a
        // daemon's first pass), the rest at the end
        GuestPass lookups = details.begin(snapshot, known, reconcile, tasks);
        List<ApplyResult> writes = new ArrayList<>();
        Enrichment enriched;
        if (reconcile) {
            if (lookups.hasNewVmids()) {
                earlyWrite(writes, lookups.listing(), options, tasks);
            }
            enriched = lookups.all();
        } else {
            enriched = lookups.listing();
            if (enriched.deferred()) {
                earlyWrite(writes, enriched, options, tasks);
                boolean configsRead = lookups.readsConfigs();
                enriched = lookups.markers();
                if (enriched.deferred() && !Thread.currentThread().isInterrupted()) {
                    // a markers step that read no config has nothing the first write did not have
                    if (configsRead) {
                        try {
                            earlyWrite(writes, enriched, options, tasks);
                        } catch (StoreException e) {
                            return failedAfter(writes, e, mode, started, t0);
                        }
                    }
                    enriched = lookups.addresses();
                }
            }
        }
        if (Thread.currentThread().isInterrupted()) {
            // shutting down: the lookups were cut short; what was written stays, the rest waits
            announce(mode, writes);
            return writes.isEmpty() ? failed(mode, started, t0, "interrupted by shutdown before writing")
                    : SyncOutcome.failedUnconfirmed(config.name(), mode, started, elapsed(t0), "interrupted by"
                    + " shutdown after " + writes.size() + " of the pass's writes (what the listing showed first);"
                    + " the next pass writes the rest");
        }
        Set<Integer> inserted = inserts(writes);
        try {
            writes.add(store.apply(enriched.snapshot(), options.lastAfter(inserted)));
        } catch (StoreException e) {
            if (writes.isEmpty()) {
                throw e;
            }
            return failedAfter(writes, e, mode, started, t0);
        }
        ApplyResult applied = PassWrites.combined(writes);
        announce(mode, writes);
        if (!dryRun) {
            // without a task list the marks stay those of the last pass that had one
            details.settled(enriched.snapshot(), applied.heldVmids(), tasks.readable() ? tasks.mark() : null);
        }
        Optional<String> problem = applied.guardTrip().or(() -> blind);
        SyncOutcome.Result result = problem.isPresent() ? SyncOutcome.Result.DEGRADED : SyncOutcome.Result.OK;
        return new SyncOutcome(config.name(), mode, result, started, elapsed(t0), Optional.of(applied),
                snapshot.skipped(), problem, enriched.addressNotes(), enriched.lookups(), 2 + enriched.requests());
    }

    /** A pass whose later write failed after earlier ones committed: those stay, and it says so. */
    private SyncOutcome failedAfter(List<ApplyResult> writes, StoreException e, SyncMode mode, Instant started,
                                    long t0) {
        announce(mode, writes);
        return SyncOutcome.failedUnconfirmed(config.name(), mode, started, elapsed(t0), "database: " + e.getMessage()
                + "; that was the pass's write " + (writes.size() + 1) + ": its " + writes.size() + " earlier write(s)"
                + " (what the listing showed first) stay, and the next pass writes the rest");
    }

    /**
     * A write before the pass's last one (no missing marks, no retirements: {@link
     * ApplyOptions#early()}); a dry run writes once, at the end, what all would change. A failure
     * here fails the pass; one after it keeps what this wrote, and the pass says so.
     */
    private void earlyWrite(List<ApplyResult> writes, Enrichment enriched, ApplyOptions options, TaskWindow tasks) {
        if (!options.dryRun() && !Thread.currentThread().isInterrupted()) {
            ApplyResult written = store.apply(enriched.snapshot(), options.early());
            writes.add(written);
            if (tasks.readable()) {
                // the rows it inserted are true as of this listing and task list, whatever becomes
                // of the pass's later writes: a task of their VMIDs after these is another VM's
                // (a row without its marker cannot tell, DESIGN.md 3.1)
                details.inserted(inserts(List.of(written)), tasks.mark());
            }
        }
    }

    /**
     * One {@code NOTIFY pvesync_vms} for whatever the pass's committed writes recorded (DESIGN.md
     * 4.5), after the last of them. A notice that cannot be sent costs the application its hint,
     * not the pass: the rows and their history are stored, and the next notice's change ids reach
     * past these.
     */
    private void announce(SyncMode mode, List<ApplyResult> writes) {
        RecordedChanges recorded = PassWrites.recorded(writes);
        try {
            store.announce(config.name(), mode.name().toLowerCase(java.util.Locale.ROOT), recorded);
        } catch (StoreException e) {
            log.warn("cluster={} - {} change(s) written, but the application was not told: {}; they are in"
                    + " public.vm_changes (ids {} to {}), where a listener that reads past its last id finds them",
                    config.name(), recorded.total(), e.getMessage(), recorded.firstId(), recorded.lastId());
        }
    }

    private static Set<Integer> inserts(List<ApplyResult> writes) {
        Set<Integer> inserted = new HashSet<>();
        writes.forEach(write -> write.changes().stream().filter(c -> c.kind() == VmChange.Kind.INSERT)
                .forEach(c -> inserted.add(c.vmid())));
        return inserted;
    }

    /**
     * The cluster's recent tasks (one request). Failing costs only the vouching: a guest whose name
     * or status changed then has its marker read, as DESIGN.md 3.1 asks; the pass goes on.
     */
    private TaskWindow readTasks() {
        try {
            TaskWindow window = TaskWindow.of(api.get(ApiCall.clusterTasks()));
            if (tasksUnreadable != null) {
                log.info("cluster={} - the task list can be read again", config.name());
                tasksUnreadable = null;
            }
            return window;
        } catch (ProxmoxException e) {
            if (tasksUnreadable == null) {
                log.warn("cluster={} - /cluster/tasks could not be read ({}); until it can, a guest whose name or status"
                        + " changes has its config read to tell a reused VMID (the token needs Sys.Audit on /, which"
                        + " PVEAuditor has, to see every node's tasks)", config.name(), e.getMessage());
            }
            tasksUnreadable = e.getMessage();
            return TaskWindow.unreadable(e.getMessage());
        }
    }

    /**
     * A listing with guests but no node entries means the token cannot see nodes (Sys.Audit is
     * missing): every guest would be held forever and nothing would ever sync, silently.
     */
    private static Optional<String> blindSpot(Snapshot snapshot) {
        if (snapshot.nodes().isEmpty() && (!snapshot.vms().isEmpty() || !snapshot.held().isEmpty())) {
            return Optional.of("the listing shows guests but no nodes, so no guest can be trusted: grant the"
                    + " token Sys.Audit (role PVEAuditor on /)");
        }
        return Optional.empty();
    }

    private SyncOutcome failed(SyncMode mode, Instant started, long t0, String problem) {
        return SyncOutcome.failed(config.name(), mode, started, elapsed(t0), problem);
    }

    private void logOutcome(SyncOutcome outcome, boolean dryRun) {
        String prefix = dryRun ? "dry run: " : "";
        switch (outcome.result()) {
            case OK -> log.info("cluster={} - {}{} {}", config.name(), prefix, outcome.mode().name().toLowerCase(java.util.Locale.ROOT), outcome.summary());
            case DEGRADED, FAILED -> log.warn("cluster={} - {}{} {}", config.name(), prefix, outcome.mode().name().toLowerCase(java.util.Locale.ROOT), outcome.summary());
        }
    }

    private static Duration elapsed(long t0) {
        return Duration.ofNanos(System.nanoTime() - t0);
    }

    @Override
    public void close() {
        details.close();
    }
}
