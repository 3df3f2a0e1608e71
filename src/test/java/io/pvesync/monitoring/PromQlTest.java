package io.pvesync.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pvesync.monitoring.PromQl.LabelMatcher;
import io.pvesync.monitoring.PromQl.Reading;
import io.pvesync.monitoring.PromQl.Selector;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The tokenizer behind the monitoring files' check must find what an expression reads, and fail on what it cannot read. */
class PromQlTest {

    @Test
    void readsSelectorsMatchersAndGroupingOfAGrafanaQuery() {
        Reading r = PromQl.read("sum by (cluster, result) (rate(pvesync_sync_total{cluster=~\"$cluster\","
                + " result!=\"ok\"}[$__rate_interval])) * 60");

        assertThat(r.selectors()).containsExactly(new Selector("pvesync_sync_total", List.of(
                new LabelMatcher("cluster", "=~", "$cluster"), new LabelMatcher("result", "!=", "ok"))));
        assertThat(r.groupingLabels()).containsExactlyInAnyOrder("cluster", "result");
        assertThat(r.functions()).containsExactlyInAnyOrder("sum", "rate");
    }

    @Test
    void functionsAndKeywordsAreNotSeriesAndTrailingGroupingCounts() {
        Reading r = PromQl.read("""
                histogram_quantile(0.95, SUM(rate(a_bucket[5m:1m] offset 1h)) BY (le, cluster))
                  > bool on (cluster) group_left (node) b
                  and time() - max without (instance) (c) > 1e3 unless {__name__="d", x='y'}
                  or vector(0) # a comment naming not_a_series
                """);

        assertThat(r.selectors()).extracting(Selector::metric).containsExactly("a_bucket", "b", "c", "d");
        assertThat(r.selectors().get(3).matchers()).containsExactly(new LabelMatcher("x", "=", "y"));
        assertThat(r.groupingLabels()).containsExactlyInAnyOrder("le", "cluster", "node", "instance");
        assertThat(r.functions()).containsExactlyInAnyOrder("histogram_quantile", "sum", "rate", "time", "max",
                "vector");
    }

    @Test
    void stringsKeepEscapedQuotesAndBracesInside() {
        Reading r = PromQl.read("m{note=\"say \\\"}\\\" {now}\", b=`raw\\`}");

        assertThat(r.selectors()).containsExactly(new Selector("m", List.of(
                new LabelMatcher("note", "=", "say \"}\" {now}"), new LabelMatcher("b", "=", "raw\\"))));
    }

    @Test
    void groupLeftWithoutALabelListIsAllowed() {
        assertThat(PromQl.read("a * on (cluster) group_left b").groupingLabels()).containsExactly("cluster");
    }

    @Test
    void aMisspeltFunctionIsAnErrorNotASeries() {
        assertThatThrownBy(() -> PromQl.read("rat(pvesync_sync_total[5m])"))
                .hasMessageContaining("unknown function rat");
    }

    @Test
    void whatItCannotFollowOrReadIsAnError() {
        assertThatThrownBy(() -> PromQl.read("label_replace(up, \"x\", \"$1\", \"job\", \"(.*)\")"))
                .hasMessageContaining("label_replace makes labels out of strings");
        assertThatThrownBy(() -> PromQl.read("m{cluster=\"lab\""))
                .hasMessageContaining("unterminated label matchers");
        assertThatThrownBy(() -> PromQl.read("m{cluster=lab}"))
                .hasMessageContaining("the value of label cluster must be a string");
        assertThatThrownBy(() -> PromQl.read("m{cluster=\"lab}"))
                .hasMessageContaining("unterminated string");
        assertThatThrownBy(() -> PromQl.read("rate(m[5m)"))
                .hasMessageContaining("a range holds durations");
        assertThatThrownBy(() -> PromQl.read("sum by cluster (m)"))
                .hasMessageContaining("by without a label list");
        assertThatThrownBy(() -> PromQl.read("{job=\"x\"}"))
                .hasMessageContaining("a selector without a metric name");
        assertThatThrownBy(() -> PromQl.read("m ; n")).hasMessageContaining("unexpected character ';'");
    }
}
