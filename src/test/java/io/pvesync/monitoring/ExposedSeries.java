package io.pvesync.monitoring;

import io.pvesync.status.PromText;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The series a scrape of {@code /metrics} showed, and the check of an expression against them:
 * every metric it selects is there, every label it matches or groups by is one of that metric's,
 * and a value it asks for with {@code =} or {@code !=} (without a Grafana variable in it) is one the
 * label takes. A misspelt value matters as much as a misspelt name: {@code result="degrade"} or
 * {@code call!="qemu/agent"} would make a panel empty or an alert silent without any error.
 *
 * <p>Prometheus adds the target's labels {@code job} and {@code instance} to every series it
 * scrapes, and a series {@code up} per target; those are known here without being in the scrape.
 */
final class ExposedSeries {
    static final Set<String> TARGET_LABELS = Set.of("job", "instance");

    private final Map<String, Map<String, Set<String>>> series = new HashMap<>();

    /** @param scraped the body of a {@code GET /metrics}, in the text format */
    ExposedSeries(String scraped) {
        series.putAll(PromText.parse(scraped).series());
        series.put("up", Map.of());
    }

    Set<String> names() {
        return series.keySet();
    }

    /** What is wrong with {@code expr}, one sentence per problem naming {@code where}; empty when nothing is. */
    List<String> problems(String where, String expr) {
        PromQl.Reading reading;
        try {
            reading = PromQl.read(expr);
        } catch (IllegalArgumentException e) {
            return List.of(where + ": " + e.getMessage());
        }
        List<String> problems = new ArrayList<>();
        Set<String> labelsRead = new HashSet<>(TARGET_LABELS);
        for (PromQl.Selector s : reading.selectors()) {
            Map<String, Set<String>> labels = series.get(s.metric());
            if (labels == null) {
                problems.add(where + ": " + s.metric() + " is not in /metrics");
                continue;
            }
            labelsRead.addAll(labels.keySet());
            for (PromQl.LabelMatcher m : s.matchers()) {
                if (TARGET_LABELS.contains(m.label())) {
                    continue;
                }
                Set<String> values = labels.get(m.label());
                if (values == null) {
                    problems.add(where + ": " + s.metric() + " has no label " + m.label() + " (it has "
                            + labels.keySet() + ")");
                } else if ((m.op().equals("=") || m.op().equals("!=")) && !m.value().contains("$")
                        && !m.value().isEmpty() && !values.contains(m.value())) {
                    problems.add(where + ": " + s.metric() + "{" + m.label() + m.op() + "\"" + m.value()
                            + "\"}: no such value (" + m.label() + " is one of " + values + ")");
                }
            }
        }
        boolean unknownSeries = problems.stream().anyMatch(p -> p.endsWith(" is not in /metrics"));
        for (String label : unknownSeries ? Set.<String>of() : reading.groupingLabels()) { // no knock-on complaints
            if (!labelsRead.contains(label)) {
                problems.add(where + ": groups or matches by " + label + ", which none of its series has");
            }
        }
        return problems;
    }
}
