package io.pvesync.status;

import io.pvesync.testing.MutableClock;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.pvesync.inventory.AddressLookups;
import io.pvesync.proxmox.ApiListener;
import io.pvesync.proxmox.ProxmoxException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

import static io.pvesync.status.Outcomes.applied;
import static org.assertj.core.api.Assertions.assertThat;

/** The series {@link Metrics} exposes, read back through the text format a scraper gets. */
class MetricsTest {
    private static final Instant START = Instant.parse("2026-03-01T10:00:00Z");

    private final Metrics metrics = new Metrics(List.of("lab", "prod"));

    @Test
    void everyKnownSeriesExistsAtZeroBeforeAnyPass() throws IOException {
        PromText text = scrape();

        for (String cluster : List.of("lab", "prod")) {
            for (String result : List.of("ok", "failed", "degraded")) {
                assertThat(text.value("pvesync_sync_total", "cluster", cluster, "result", result)).isZero();
            }
            for (String kind : List.of("inserted", "updated", "missing")) {
                assertThat(text.value("pvesync_rows_written_total", "cluster", cluster, "kind", kind)).isZero();
            }
            for (String outcome : List.of("found", "none", "failed")) {
                assertThat(text.value("pvesync_address_lookups_total", "cluster", cluster, "outcome", outcome)).isZero();
            }
            for (String call : List.of("cluster/resources", "qemu/config", "qemu/agent/network-get-interfaces",
                    "lxc/config", "lxc/interfaces")) {
                assertThat(text.value("pvesync_api_requests_total", "cluster", cluster, "call", call)).isZero();
                assertThat(text.value("pvesync_api_errors_total", "cluster", cluster, "call", call)).isZero();
            }
            assertThat(text.value("pvesync_sync_duration_seconds_count", "cluster", cluster)).isZero();
            assertThat(text.value("pvesync_sync_duration_seconds_sum", "cluster", cluster)).isZero();
            assertThat(text.value("pvesync_last_success_timestamp_seconds", "cluster", cluster)).isZero();
            assertThat(text.value("pvesync_vms_without_address", "cluster", cluster)).isZero();
            assertThat(text.value("pvesync_consecutive_failures", "cluster", cluster)).isZero();
        }
        // no health watched yet: no sample rather than a made-up one
        assertThat(text.value("pvesync_healthy")).isNull();
    }

    @Test
    void recordedPassesAreCountedByResultKindAndOutcome() throws IOException {
        metrics.record(Outcomes.ok("lab", START, Duration.ofMillis(1500), applied(3, 2, 40, 1, 0),
                Map.of(104, "guest agent not running", 231, "no address configured"), new AddressLookups(4, 2, 1), 9));
        metrics.record(Outcomes.ok("lab", START.plusSeconds(30), Duration.ofMillis(500), applied(0, 1, 45, 0, 0),
                Map.of(104, "guest agent not running"), new AddressLookups(1, 0, 0), 2));
        metrics.record(Outcomes.failed("lab", START.plusSeconds(60), "Proxmox API: down"));
        metrics.record(Outcomes.failed("lab", START.plusSeconds(90), "Proxmox API: down"));
        metrics.record(Outcomes.degraded("prod", START));

        PromText text = scrape();

        assertThat(text.value("pvesync_sync_total", "cluster", "lab", "result", "ok")).isEqualTo(2);
        assertThat(text.value("pvesync_sync_total", "cluster", "lab", "result", "failed")).isEqualTo(2);
        assertThat(text.value("pvesync_sync_total", "cluster", "lab", "result", "degraded")).isZero();
        assertThat(text.value("pvesync_sync_total", "cluster", "prod", "result", "degraded")).isEqualTo(1);
        // 1.5 s + 0.5 s + 5 s + 5 s
        assertThat(text.value("pvesync_sync_duration_seconds_count", "cluster", "lab")).isEqualTo(4);
        assertThat(text.value("pvesync_sync_duration_seconds_sum", "cluster", "lab")).isEqualTo(12.0);
        assertThat(text.value("pvesync_sync_duration_seconds_bucket", "cluster", "lab", "le", "1.0")).isEqualTo(1);
        assertThat(text.value("pvesync_sync_duration_seconds_bucket", "cluster", "lab", "le", "+Inf")).isEqualTo(4);
        assertThat(text.value("pvesync_rows_written_total", "cluster", "lab", "kind", "inserted")).isEqualTo(3);
        assertThat(text.value("pvesync_rows_written_total", "cluster", "lab", "kind", "updated")).isEqualTo(3);
        assertThat(text.value("pvesync_rows_written_total", "cluster", "lab", "kind", "missing")).isEqualTo(1);
        assertThat(text.value("pvesync_address_lookups_total", "cluster", "lab", "outcome", "found")).isEqualTo(5);
        assertThat(text.value("pvesync_address_lookups_total", "cluster", "lab", "outcome", "none")).isEqualTo(2);
        assertThat(text.value("pvesync_address_lookups_total", "cluster", "lab", "outcome", "failed")).isEqualTo(1);
        // the last pass that wrote the table: the second ok one, which ended 30.5 s after START
        assertThat(text.value("pvesync_last_success_timestamp_seconds", "cluster", "lab"))
                .isEqualTo(START.getEpochSecond() + 30.5);
        assertThat(text.value("pvesync_last_success_timestamp_seconds", "cluster", "prod"))
                .isEqualTo(START.getEpochSecond() + 1.5);
        assertThat(text.value("pvesync_vms_without_address", "cluster", "lab")).isEqualTo(1);
        assertThat(text.value("pvesync_consecutive_failures", "cluster", "lab")).isEqualTo(2);
        assertThat(text.value("pvesync_consecutive_failures", "cluster", "prod")).isZero();
    }

    @Test
    void okPassResetsConsecutiveFailures() throws IOException {
        metrics.record(Outcomes.failed("lab", START, "Proxmox API: down"));
        metrics.record(Outcomes.failed("lab", START.plusSeconds(30), "Proxmox API: down"));
        assertThat(scrape().value("pvesync_consecutive_failures", "cluster", "lab")).isEqualTo(2);

        metrics.record(Outcomes.ok("lab", START.plusSeconds(60)));

        assertThat(scrape().value("pvesync_consecutive_failures", "cluster", "lab")).isZero();
    }

    @Test
    void apiListenerCountsRequestsAndFailuresPerClusterAndCall() throws IOException {
        ApiListener lab = metrics.apiListener("lab");
        lab.requested("cluster/resources");
        lab.requested("cluster/resources");
        lab.failed("cluster/resources", new TestProxmoxException("lab", "cluster/resources"));
        lab.requested("qemu/config");
        metrics.apiListener("prod").requested("version");

        PromText text = scrape();

        assertThat(text.value("pvesync_api_requests_total", "cluster", "lab", "call", "cluster/resources")).isEqualTo(2);
        assertThat(text.value("pvesync_api_errors_total", "cluster", "lab", "call", "cluster/resources")).isEqualTo(1);
        assertThat(text.value("pvesync_api_requests_total", "cluster", "lab", "call", "qemu/config")).isEqualTo(1);
        assertThat(text.value("pvesync_api_errors_total", "cluster", "lab", "call", "qemu/config")).isZero();
        assertThat(text.value("pvesync_api_requests_total", "cluster", "prod", "call", "version")).isEqualTo(1);
        assertThat(text.value("pvesync_api_requests_total", "cluster", "prod", "call", "cluster/resources")).isZero();
    }

    @Test
    void healthyGaugeFollowsTheWatchedHealthAtEachScrape() throws IOException {
        MutableClock clock = new MutableClock(START);
        SyncHealth health = new SyncHealth(List.of("lab", "prod"), Duration.ofMinutes(5), clock);
        metrics.watch(health);
        assertThat(scrape().value("pvesync_healthy")).isZero(); // starting
        health.finished(Outcomes.ok("lab", START));
        health.finished(Outcomes.ok("prod", START));
        assertThat(scrape().value("pvesync_healthy")).isEqualTo(1);

        clock.advance(Duration.ofMinutes(6)); // nothing synced since: stale without any event
        assertThat(scrape().value("pvesync_healthy")).isZero();
    }

    @Test
    void clusterStateIsTheLatestFinishedPassesResultAndARunningPassDoesNotHideIt() throws IOException {
        MutableClock clock = new MutableClock(START);
        SyncHealth health = new SyncHealth(List.of("lab", "prod"), Duration.ofMinutes(7), clock);
        metrics.watch(health);
        assertThat(states(scrape(), "lab")).isEqualTo(Map.of("starting", 1.0, "ok", 0.0, "degraded", 0.0, "failed", 0.0));

        health.finished(Outcomes.degraded("lab", START));
        health.finished(Outcomes.failed("prod", START, "Proxmox API: down"));
        health.started("lab", io.pvesync.sync.SyncMode.POLL);
        PromText text = scrape();

        assertThat(states(text, "lab")).isEqualTo(Map.of("starting", 0.0, "ok", 0.0, "degraded", 1.0, "failed", 0.0));
        assertThat(states(text, "prod")).isEqualTo(Map.of("starting", 0.0, "ok", 0.0, "degraded", 0.0, "failed", 1.0));
        health.finished(Outcomes.ok("lab", START.plusSeconds(30)));
        assertThat(states(scrape(), "lab")).isEqualTo(Map.of("starting", 0.0, "ok", 1.0, "degraded", 0.0, "failed", 0.0));
        // status.stale-after, for the alert on a stale cluster
        assertThat(text.value("pvesync_stale_after_seconds", "cluster", "lab")).isEqualTo(420);
        assertThat(text.value("pvesync_stale_after_seconds", "cluster", "prod")).isEqualTo(420);
    }

    private static Map<String, Double> states(PromText text, String cluster) {
        Map<String, Double> out = new java.util.HashMap<>();
        for (String state : List.of("starting", "ok", "degraded", "failed")) {
            out.put(state, text.value("pvesync_cluster_state", "cluster", cluster, "state", state));
        }
        return out;
    }

    @Test
    void everyFamilyHasHelpAndTypeAndAUnitInItsName() throws IOException {
        metrics.watch(new SyncHealth(List.of("lab"), Duration.ofMinutes(5), new MutableClock(START)));
        PromText text = scrape();

        assertThat(text.families()).containsExactlyInAnyOrder(
                "pvesync_api_requests_total", "pvesync_api_errors_total", "pvesync_sync_duration_seconds",
                "pvesync_sync_total", "pvesync_rows_written_total", "pvesync_last_success_timestamp_seconds",
                "pvesync_address_lookups_total", "pvesync_vms_without_address", "pvesync_consecutive_failures",
                "pvesync_healthy", "pvesync_lookups_skipped_total", "pvesync_nodes_left_alone",
                "pvesync_lookups_waiting", "pvesync_cluster_state", "pvesync_stale_after_seconds");
        for (String family : text.families()) {
            assertThat(text.help(family)).as("HELP of %s", family).isNotBlank();
            assertThat(text.type(family)).as("TYPE of %s", family).isNotNull();
        }
        assertThat(text.type("pvesync_sync_duration_seconds")).isEqualTo("histogram");
        assertThat(text.type("pvesync_sync_total")).isEqualTo("counter");
        assertThat(text.type("pvesync_last_success_timestamp_seconds")).isEqualTo("gauge");
    }

    @Test
    void twoInstancesDoNotShareSeries() throws IOException {
        Metrics other = new Metrics(List.of("lab"));
        other.record(Outcomes.ok("lab", START));

        assertThat(scrape().value("pvesync_sync_total", "cluster", "lab", "result", "ok")).isZero();
    }

    private PromText scrape() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, metrics.registry().scrape());
        return PromText.parse(out.toString(StandardCharsets.UTF_8));
    }

    /** A concrete failure for the listener; the kind does not matter to the count. */
    private static final class TestProxmoxException extends ProxmoxException {
        TestProxmoxException(String cluster, String call) {
            super(cluster, call, "HTTP 500 from https://pve1:8006", null);
        }
    }
}
