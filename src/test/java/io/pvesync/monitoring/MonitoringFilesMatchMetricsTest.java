package io.pvesync.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.zaxxer.hikari.HikariDataSource;
import io.pvesync.daemon.Daemon;
import io.pvesync.sim.ProxmoxSimulator;
import io.pvesync.store.Migrations;
import io.pvesync.testing.DaemonConfigFile;
import io.pvesync.testing.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Grafana dashboard and the Prometheus alert rules use only series, labels and label values
 * that a running daemon's {@code /metrics} exposes: the whole daemon against the simulator and a
 * fresh database, scraped after real passes; every {@code expr} of both files read by
 * {@link PromQl} and checked by {@link ExposedSeries}. A renamed series or label breaks this test
 * rather than a panel or an alert, silently.
 */
class MonitoringFilesMatchMetricsTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    static final Path DASHBOARD = Path.of("config/grafana/pvesync-dashboard.json");
    static final Path RULES = Path.of("config/prometheus/pvesync-alerts.yml");
    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\((.+),\\s*([a-zA-Z_][a-zA-Z0-9_]*)\\)");

    @TempDir
    static Path dir;

    private static ProxmoxSimulator sim;
    private static ExposedSeries exposed;

    @BeforeAll
    static void scrapeARunningDaemon() throws Exception {
        try (HikariDataSource owner = db.ownerPool()) {
            Migrations.migrate(owner);
        }
        db.grantDaemon();
        sim = ProxmoxSimulator.builder().nodes(2).vms(6).containers(1).endpoints(2).tls(true).seed(5)
                .authFailureDelay(Duration.ofMillis(10)).start();
        DaemonConfigFile file = new DaemonConfigFile(sim, db);
        file.includeContainers = true;
        HttpClient http = HttpClient.newHttpClient();
        try (Daemon daemon = Daemon.start(file.load(dir), Clock.systemUTC())) {
            URI base = URI.create("http://127.0.0.1:" + daemon.statusAddress().getPort());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            String metrics;
            // real passes: a pass ended ok and the rows it wrote are counted
            do {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("no ok pass of cluster lab within 30 s");
                }
                Thread.sleep(100);
                metrics = http.send(HttpRequest.newBuilder(base.resolve("/metrics")).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
            } while (!metrics.contains("pvesync_cluster_state{cluster=\"lab\",state=\"ok\"} 1")
                    || metrics.contains("pvesync_rows_written_total{cluster=\"lab\",kind=\"inserted\"} 0"));
            exposed = new ExposedSeries(metrics);
        }
    }

    @AfterAll
    static void stopSimulator() {
        if (sim != null) {
            sim.close();
        }
    }

    /** Every expression of the dashboard by where it is: panel title and refId, or the variable. */
    static Map<String, String> dashboardExpressions(JsonNode dashboard) {
        Map<String, String> out = new LinkedHashMap<>();
        for (JsonNode panel : dashboard.get("panels")) {
            for (JsonNode target : panel.path("targets")) {
                out.put("panel \"" + panel.get("title").asText() + "\" " + target.get("refId").asText(),
                        target.get("expr").asText());
            }
        }
        for (JsonNode variable : dashboard.at("/templating/list")) {
            String query = variable.at("/query/query").asText(variable.path("query").asText());
            Matcher m = LABEL_VALUES.matcher(query);
            assertThat(m.matches()).as("variable %s is label_values(SERIES, LABEL): %s", variable.get("name"), query)
                    .isTrue();
            // label_values is Grafana's, not PromQL: check it as the series it reads, grouped by its label
            out.put("variable " + variable.get("name").asText(), "group by (" + m.group(2) + ") (" + m.group(1) + ")");
        }
        return out;
    }

    /** Every rule's expression by its name. */
    static Map<String, String> ruleExpressions(JsonNode rules) {
        Map<String, String> out = new LinkedHashMap<>();
        for (JsonNode group : rules.get("groups")) {
            for (JsonNode rule : group.get("rules")) {
                String name = rule.has("alert") ? "alert " + rule.get("alert").asText() : "record " + rule.get("record").asText();
                out.put(name, rule.get("expr").asText());
            }
        }
        return out;
    }

    private static List<String> problems(Map<String, String> expressions) {
        List<String> problems = new ArrayList<>();
        expressions.forEach((where, expr) -> problems.addAll(exposed.problems(where, expr)));
        return problems;
    }

    private static Set<String> metricsRead(Map<String, String> expressions) {
        Set<String> out = new HashSet<>();
        expressions.values().forEach(e -> PromQl.read(e).selectors().forEach(s -> out.add(s.metric())));
        return out;
    }

    static JsonNode dashboard() throws Exception {
        return new ObjectMapper().readTree(Files.readString(DASHBOARD));
    }

    static JsonNode rules() throws Exception {
        return new ObjectMapper(new YAMLFactory()).readTree(Files.readString(RULES));
    }

    @Test
    void theDashboardUsesOnlyWhatMetricsExposes() throws Exception {
        Map<String, String> expressions = dashboardExpressions(dashboard());

        assertThat(expressions).hasSizeGreaterThan(12);
        assertThat(problems(expressions)).isEmpty();
        // every topic of the dashboard is there, read from the series that carry it
        assertThat(metricsRead(expressions)).contains("pvesync_cluster_state", "pvesync_healthy", "pvesync_sync_total",
                "pvesync_sync_duration_seconds_sum", "pvesync_sync_duration_seconds_count",
                "pvesync_sync_duration_seconds_bucket", "pvesync_rows_written_total", "pvesync_api_requests_total",
                "pvesync_api_errors_total", "pvesync_last_success_timestamp_seconds", "pvesync_stale_after_seconds",
                "pvesync_vms_without_address", "pvesync_lookups_waiting");
    }

    @Test
    void theAlertRulesUseOnlyWhatMetricsExposes() throws Exception {
        Map<String, String> expressions = ruleExpressions(rules());

        assertThat(expressions).hasSize(8);
        assertThat(problems(expressions)).isEmpty();
        assertThat(metricsRead(expressions)).contains("up", "pvesync_last_success_timestamp_seconds",
                "pvesync_stale_after_seconds", "pvesync_cluster_state", "pvesync_consecutive_failures",
                "pvesync_api_errors_total", "pvesync_api_requests_total", "pvesync_vms_without_address");
    }

    @Test
    void aMisspeltSeriesLabelOrValueInEitherFileFailsTheCheck() throws Exception {
        ObjectMapper json = new ObjectMapper();
        String dashboard = Files.readString(DASHBOARD);
        assertThat(problems(dashboardExpressions(json.readTree(dashboard.replace(
                "pvesync_lookups_waiting{", "pvesync_lookup_waiting{")))))
                .containsExactly("panel \"Per-VM lookup queue\" A: pvesync_lookup_waiting is not in /metrics");
        assertThat(problems(dashboardExpressions(json.readTree(dashboard.replace(
                "sum by (cluster, kind)", "sum by (cluster, kinds)"))))).hasSize(1);
        assertThat(problems(dashboardExpressions(json.readTree(dashboard.replace(
                "label_values(pvesync_sync_total, cluster)", "label_values(pvesync_sync_total, clusters)")))))
                .containsExactly("variable cluster: groups or matches by clusters, which none of its series has");

        String rules = Files.readString(RULES);
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        assertThat(problems(ruleExpressions(yaml.readTree(rules.replace("state=\"degraded\"", "state=\"degrade\"")))))
                .singleElement().asString().startsWith("alert PvesyncClusterDegraded: pvesync_cluster_state{state=\"degrade\"}");
        assertThat(problems(ruleExpressions(yaml.readTree(rules.replace(
                "call!=\"qemu/agent/network-get-interfaces\"", "call!=\"qemu/agent/interfaces\""))))).hasSize(3);
    }

    @Test
    void theDashboardImportsWithItsDatasourceAsAnInputAndEveryPanelFollowsTheClusterVariable() throws Exception {
        JsonNode d = dashboard();

        JsonNode input = d.get("__inputs").get(0);
        assertThat(input.get("name").asText()).isEqualTo("DS_PROMETHEUS");
        assertThat(input.get("type").asText()).isEqualTo("datasource");
        assertThat(input.get("pluginId").asText()).isEqualTo("prometheus");
        Set<Integer> ids = new HashSet<>();
        for (JsonNode panel : d.get("panels")) {
            assertThat(ids.add(panel.get("id").asInt())).as("panel id %s unique", panel.get("id")).isTrue();
            if (panel.get("type").asText().equals("row")) {
                continue;
            }
            String title = panel.get("title").asText();
            assertThat(panel.at("/datasource/uid").asText()).as("datasource of %s", title).isEqualTo("${DS_PROMETHEUS}");
            assertThat(panel.get("targets")).as("targets of %s", title).isNotEmpty();
            for (JsonNode target : panel.get("targets")) {
                assertThat(target.at("/datasource/uid").asText()).isEqualTo("${DS_PROMETHEUS}");
                for (PromQl.Selector s : PromQl.read(target.get("expr").asText()).selectors()) {
                    if (!s.metric().equals("pvesync_healthy")) { // the one series without a cluster label
                        assertThat(s.matchers()).as("%s in %s follows $cluster", s.metric(), title)
                                .contains(new PromQl.LabelMatcher("cluster", "=~", "$cluster"));
                    }
                }
            }
        }
        assertThat(d.at("/templating/list/0/name").asText()).isEqualTo("cluster");
        assertThat(d.at("/templating/list/0/datasource/uid").asText()).isEqualTo("${DS_PROMETHEUS}");
        // what Grafana shows is what it runs
        assertThat(d.at("/templating/list/0/definition").asText()).isEqualTo(d.at("/templating/list/0/query/query").asText());
    }
}
