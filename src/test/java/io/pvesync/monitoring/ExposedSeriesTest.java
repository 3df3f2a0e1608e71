package io.pvesync.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The check of an expression against a scrape reports each kind of mistake, so passing it means something. */
class ExposedSeriesTest {
    private final ExposedSeries exposed = new ExposedSeries("""
            # TYPE pvesync_sync_total counter
            pvesync_sync_total{cluster="lab",result="ok"} 3
            pvesync_sync_total{cluster="lab",result="failed"} 0
            # TYPE pvesync_sync_duration_seconds histogram
            pvesync_sync_duration_seconds_bucket{cluster="lab",le="1.0"} 1
            pvesync_sync_duration_seconds_bucket{cluster="lab",le="+Inf"} 1
            pvesync_sync_duration_seconds_count{cluster="lab"} 1
            pvesync_sync_duration_seconds_sum{cluster="lab"} 0.2
            # TYPE pvesync_healthy gauge
            pvesync_healthy 1
            """);

    @Test
    void aCorrectExpressionHasNoProblem() {
        assertThat(exposed.problems("panel", "sum by (cluster, result, instance) (rate(pvesync_sync_total"
                + "{job=\"pvesync\", cluster=~\"$cluster\", result=\"failed\"}[5m]))")).isEmpty();
        assertThat(exposed.problems("panel", "histogram_quantile(0.9, sum by (le) (rate("
                + "pvesync_sync_duration_seconds_bucket[5m])))")).isEmpty();
        assertThat(exposed.problems("panel", "up{job=\"pvesync\"} == 0 or pvesync_healthy")).isEmpty();
    }

    @Test
    void eachKindOfMistakeIsReportedWithWhereItIs() {
        assertThat(exposed.problems("panel Passes", "rate(pvesync_sync_totals[5m])"))
                .containsExactly("panel Passes: pvesync_sync_totals is not in /metrics");
        assertThat(exposed.problems("p", "pvesync_sync_total{clustre=\"lab\"}"))
                .containsExactly("p: pvesync_sync_total has no label clustre (it has [cluster, result])");
        assertThat(exposed.problems("p", "pvesync_sync_total{result=\"degrade\"}"))
                .containsExactly("p: pvesync_sync_total{result=\"degrade\"}: no such value (result is one of [failed, ok])");
        assertThat(exposed.problems("p", "pvesync_sync_total{result!=\"okay\"}")).hasSize(1);
        assertThat(exposed.problems("p", "sum by (kind) (pvesync_sync_total)"))
                .containsExactly("p: groups or matches by kind, which none of its series has");
        // le is a label of the buckets only, not of the histogram's _count
        assertThat(exposed.problems("p", "sum by (le) (pvesync_sync_duration_seconds_count)")).hasSize(1);
        assertThat(exposed.problems("p", "pvesync_healthy{cluster=\"lab\"}")).hasSize(1);
        assertThat(exposed.problems("p", "rat(pvesync_sync_total[5m])")).singleElement().asString()
                .contains("unknown function rat");
    }

    @Test
    void regexMatchersAndVariablesAreNotCheckedForValues() {
        assertThat(exposed.problems("p", "pvesync_sync_total{result=~\"fail.*\", cluster=\"$cluster\"}")).isEmpty();
    }
}
