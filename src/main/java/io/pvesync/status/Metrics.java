package io.pvesync.status;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.pvesync.proxmox.ApiCall;
import io.pvesync.proxmox.ApiListener;
import io.pvesync.proxmox.ProxmoxException;
import io.pvesync.store.ApplyResult;
import io.pvesync.sync.SyncOutcome;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The daemon's Prometheus metrics, in a registry of its own (not the client library's global
 * default, so two instances, e.g. in tests, never share a series).
 *
 * <p>Every label combination known in advance (each configured cluster with each result, row kind,
 * lookup outcome and API call) is created at zero when this is built: a series that appears only
 * on its first increment makes {@code rate()} and {@code increase()} miss that increment, and an
 * alert on failures of a cluster that never failed would have nothing to evaluate.
 *
 * <p>Thread-safe: passes of several clusters record at once, the API client's threads count
 * requests, and scrapes read concurrently.
 */
public final class Metrics {
    private static final List<String> RESULTS = List.of("ok", "failed", "degraded");
    private static final List<String> ROW_KINDS = List.of("inserted", "updated", "missing");
    private static final List<String> LOOKUP_OUTCOMES = List.of("found", "none", "failed");
    private static final List<String> SKIP_REASONS = List.of("node", "deadline", "api");
    /** The states of {@code pvesync_cluster_state}: the result of the latest finished pass, or none yet. */
    static final List<String> STATES = List.of("starting", "ok", "degraded", "failed");
    /** The calls a pass makes; the node and vmid are placeholders, only the names are used. */
    private static final List<String> KNOWN_CALLS = List.of(
            ApiCall.clusterResources().name(),
            ApiCall.qemuConfig("node", 0).name(),
            ApiCall.qemuAgentInterfaces("node", 0).name(),
            ApiCall.lxcConfig("node", 0).name(),
            ApiCall.lxcInterfaces("node", 0).name());
    /** A poll of a small cluster takes well under a second, a reconcile of thousands of guests minutes. */
    private static final double[] DURATION_BUCKETS = {0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600};

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final AtomicReference<SyncHealth> watched = new AtomicReference<>();

    private final Counter apiRequests = Counter.builder()
            .name("pvesync_api_requests_total")
            .help("HTTP requests sent to a cluster's Proxmox VE API, one per endpoint tried, by kind of call")
            .labelNames("cluster", "call")
            .withoutExemplars()
            .register(registry);
    private final Counter apiErrors = Counter.builder()
            .name("pvesync_api_errors_total")
            .help("Proxmox VE API requests that failed (no answer, HTTP error status, or not the expected JSON),"
                    + " by kind of call; a call that fails over counts once per endpoint that failed")
            .labelNames("cluster", "call")
            .withoutExemplars()
            .register(registry);
    private final Histogram duration = Histogram.builder()
            .name("pvesync_sync_duration_seconds")
            .help("Wall time of a sync pass of a cluster (poll or reconcile, whatever its result)")
            .labelNames("cluster")
            .classicOnly()
            .classicUpperBounds(DURATION_BUCKETS)
            .withoutExemplars()
            .register(registry);
    private final Counter passes = Counter.builder()
            .name("pvesync_sync_total")
            .help("Sync passes by result: ok; degraded = the table was written but something needs the operator"
                    + " (see /status); failed = nothing was written, rows were left as they were")
            .labelNames("cluster", "result")
            .withoutExemplars()
            .register(registry);
    private final Counter rowsWritten = Counter.builder()
            .name("pvesync_rows_written_total")
            .help("Rows of the vms table written by sync passes: inserted (first seen), updated (a synced column"
                    + " changed), missing (newly marked missing); unchanged rows are not written and not counted")
            .labelNames("cluster", "kind")
            .withoutExemplars()
            .register(registry);
    private final Gauge lastSuccess = Gauge.builder()
            .name("pvesync_last_success_timestamp_seconds")
            .help("Unix time at which the last pass that wrote the table (ok or degraded) ended; 0 = none since start")
            .labelNames("cluster")
            .withoutExemplars()
            .register(registry);
    private final Counter lookups = Counter.builder()
            .name("pvesync_address_lookups_total")
            .help("Guest address lookups (guest agent, container interfaces): found = an address, none = the"
                    + " guest answered without a usable one, failed = no answer")
            .labelNames("cluster", "outcome")
            .withoutExemplars()
            .register(registry);
    private final Counter lookupsSkipped = Counter.builder()
            .name("pvesync_lookups_skipped_total")
            .help("Guests whose due per-guest lookups (config, address) a pass did not make, by why: node = their"
                    + " node was left alone for the pass (it did not answer a guest call in time, or was unreachable),"
                    + " deadline = the pass's lookup budget was spent, api = no endpoint answered; /status names the"
                    + " nodes")
            .labelNames("cluster", "reason")
            .withoutExemplars()
            .register(registry);
    private final Gauge lookupsWaiting = Gauge.builder()
            .name("pvesync_lookups_waiting")
            .help("Guests whose due lookups (config, address) the last pass that wrote the table left for a later"
                    + " pass: the length of the slow path's queue; /status lookupQueue says since when the oldest waits")
            .labelNames("cluster")
            .withoutExemplars()
            .register(registry);
    private final Gauge nodesLeftAlone = Gauge.builder()
            .name("pvesync_nodes_left_alone")
            .help("Nodes the last pass that wrote the table stopped asking per-guest calls (slow or unreachable);"
                    + " /status says which and why")
            .labelNames("cluster")
            .withoutExemplars()
            .register(registry);
    private final Gauge withoutAddress = Gauge.builder()
            .name("pvesync_vms_without_address")
            .help("VMs the last pass that wrote the table left without an address; /status says why for each")
            .labelNames("cluster")
            .withoutExemplars()
            .register(registry);
    private final Gauge consecutiveFailures = Gauge.builder()
            .name("pvesync_consecutive_failures")
            .help("Failed passes of a cluster since its last pass that wrote the table")
            .labelNames("cluster")
            .withoutExemplars()
            .register(registry);

    /**
     * @param clusters the configured clusters' names; their series exist from the start
     */
    public Metrics(List<String> clusters) {
        for (String cluster : clusters) {
            duration.initLabelValues(cluster);
            lastSuccess.initLabelValues(cluster);
            withoutAddress.initLabelValues(cluster);
            nodesLeftAlone.initLabelValues(cluster);
            lookupsWaiting.initLabelValues(cluster);
            SKIP_REASONS.forEach(r -> lookupsSkipped.initLabelValues(cluster, r));
            consecutiveFailures.initLabelValues(cluster);
            RESULTS.forEach(r -> passes.initLabelValues(cluster, r));
            ROW_KINDS.forEach(k -> rowsWritten.initLabelValues(cluster, k));
            LOOKUP_OUTCOMES.forEach(o -> lookups.initLabelValues(cluster, o));
            for (String call : KNOWN_CALLS) {
                apiRequests.initLabelValues(cluster, call);
                apiErrors.initLabelValues(cluster, call);
            }
        }
        // read at each scrape, not set per pass: staleness turns health without any pass happening
        GaugeWithCallback.builder()
                .name("pvesync_healthy")
                .help("1 when GET /health answers 200, 0 when it answers 503 (a cluster is stale or degraded,"
                        + " or the daemon is stopping); absent until the status endpoint watches the sync health")
                .callback(cb -> {
                    SyncHealth health = watched.get();
                    if (health != null) {
                        cb.call(health.health().healthy() ? 1 : 0);
                    }
                })
                .register(registry);
        // the result of the latest finished pass as a state set, so an alert can ask "degraded for 10
        // minutes" without guessing from counters; a running pass does not hide it
        GaugeWithCallback.builder()
                .name("pvesync_cluster_state")
                .help("1 for the state of the cluster's latest finished pass (by any instance), 0 for the others:"
                        + " starting = none yet, ok, degraded (written, but the guard tripped, the token cannot see"
                        + " the nodes, or too much was held too long: see /status), failed = nothing written")
                .labelNames("cluster", "state")
                .callback(cb -> {
                    SyncHealth health = watched.get();
                    if (health != null) {
                        for (ClusterState c : health.clusters()) {
                            String state = state(c);
                            STATES.forEach(s -> cb.call(s.equals(state) ? 1 : 0, c.name(), s));
                        }
                    }
                })
                .register(registry);
        // an alert cannot read the config: this is status.stale-after, so the alert on a stale cluster
        // uses the same threshold as /health
        GaugeWithCallback.builder()
                .name("pvesync_stale_after_seconds")
                .help("status.stale-after: /health turns 503 when a cluster's last success is older than this")
                .labelNames("cluster")
                .callback(cb -> {
                    SyncHealth health = watched.get();
                    if (health != null) {
                        double seconds = health.staleAfter().toMillis() / 1000.0;
                        health.clusterNames().forEach(c -> cb.call(seconds, c));
                    }
                })
                .register(registry);
    }

    /** {@code pvesync_cluster_state}'s state of {@code c}: its latest finished pass's result, else starting. */
    static String state(ClusterState c) {
        return c.lastPass().map(p -> p.result().name().toLowerCase(Locale.ROOT)).orElse("starting");
    }

    /** The registry holding these metrics, for the /metrics handler (and any more the daemon adds). */
    public PrometheusRegistry registry() {
        return registry;
    }

    /**
     * Reports {@code health} as the gauges read at each scrape ({@code pvesync_healthy},
     * {@code pvesync_cluster_state}, {@code pvesync_stale_after_seconds}); a later call replaces the earlier.
     */
    public void watch(SyncHealth health) {
        watched.set(health);
    }

    /** A listener for the API client of {@code cluster} that counts its requests and failures. */
    public ApiListener apiListener(String cluster) {
        return new ApiListener() {
            @Override
            public void requested(String call) {
                apiRequests.labelValues(cluster, call).inc();
            }

            @Override
            public void failed(String call, ProxmoxException error) {
                apiErrors.labelValues(cluster, call).inc();
            }
        };
    }

    /**
     * Sets the per-cluster gauges from the state every instance shares, so an instance that did
     * not run a cluster's latest pass reports the same last success, failures and addresses as the
     * one that did (the counters stay this instance's own: Prometheus sums them).
     */
    public void show(List<ClusterState> clusters) {
        for (ClusterState c : clusters) {
            c.lastSuccess().ifPresent(t -> lastSuccess.labelValues(c.name()).set(t.toEpochMilli() / 1000.0));
            consecutiveFailures.labelValues(c.name()).set(c.consecutiveFailures());
            c.lastApplied().ifPresent(a -> {
                withoutAddress.labelValues(c.name()).set(a.addressNotes().size());
                nodesLeftAlone.labelValues(c.name()).set(a.lookups().nodesLeftAlone().size());
                lookupsWaiting.labelValues(c.name()).set(a.lookups().skipped().total());
            });
        }
    }

    /** Counts one finished pass. */
    public void record(SyncOutcome outcome) {
        String cluster = outcome.cluster();
        duration.labelValues(cluster).observe(outcome.duration().toNanos() / 1e9);
        passes.labelValues(cluster, outcome.result().name().toLowerCase(Locale.ROOT)).inc();
        lookups.labelValues(cluster, "found").inc(outcome.lookups().found());
        lookups.labelValues(cluster, "none").inc(outcome.lookups().none());
        lookups.labelValues(cluster, "failed").inc(outcome.lookups().failed());
        lookupsSkipped.labelValues(cluster, "node").inc(outcome.lookups().skipped().node());
        lookupsSkipped.labelValues(cluster, "deadline").inc(outcome.lookups().skipped().deadline());
        lookupsSkipped.labelValues(cluster, "api").inc(outcome.lookups().skipped().api());
        if (outcome.result() == SyncOutcome.Result.FAILED || outcome.apply().isEmpty()) {
            consecutiveFailures.labelValues(cluster).inc();
            return;
        }
        // same rules as SyncHealth.finished, so /metrics and /status never disagree
        ApplyResult applied = outcome.apply().get();
        rowsWritten.labelValues(cluster, "inserted").inc(applied.inserted());
        rowsWritten.labelValues(cluster, "updated").inc(applied.updated());
        rowsWritten.labelValues(cluster, "missing").inc(applied.missing());
        consecutiveFailures.labelValues(cluster).set(0);
        withoutAddress.labelValues(cluster).set(outcome.addressNotes().size());
        nodesLeftAlone.labelValues(cluster).set(outcome.lookups().nodesLeftAlone().size());
        lookupsWaiting.labelValues(cluster).set(outcome.lookups().skipped().total());
        lastSuccess.labelValues(cluster).set(outcome.startedAt().plus(outcome.duration()).toEpochMilli() / 1000.0);
    }
}
