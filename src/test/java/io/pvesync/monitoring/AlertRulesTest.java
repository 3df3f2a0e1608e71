package io.pvesync.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.abort;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The alert rules pass {@code promtool check rules} and their unit tests ({@code promtool test
 * rules}), every alert has a test where it fires and one where it stays quiet, and each tells the
 * operator how bad it is and what to do. promtool comes with Debian's {@code prometheus} package:
 * {@code .ci/run} installs it; without it the promtool tests fail on CI and are skipped elsewhere.
 */
class AlertRulesTest {
    private static final Path DIR = Path.of("config/prometheus");
    private static final Path RULES = DIR.resolve("pvesync-alerts.yml");
    private static final Path TESTS = DIR.resolve("pvesync-alerts.test.yml");

    @TempDir
    Path tmp;

    private record Run(int exit, String output) {
    }

    private static Run promtool(Path dir, String... args) throws Exception {
        requirePromtool();
        String[] command = new String[args.length + 1];
        command[0] = "promtool";
        System.arraycopy(args, 0, command, 1, args.length);
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("promtool %s ended", String.join(" ", args)).isTrue();
        return new Run(p.exitValue(), output);
    }

    private static void requirePromtool() {
        try {
            Process p = new ProcessBuilder("promtool", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            if (p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0) {
                return;
            }
        } catch (IOException | InterruptedException e) {
            // absent: below
        }
        String why = "promtool is not installed (Debian package prometheus: apt-get install prometheus)";
        if ("true".equals(System.getenv("CI"))) {
            fail(why + "; .ci/run installs it on CI");
        }
        abort(why);
    }

    @Test
    void rulesPassPromtoolCheck() throws Exception {
        Run run = promtool(DIR, "check", "rules", RULES.getFileName().toString());

        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(run.output()).contains("SUCCESS: 8 rules found");
    }

    @Test
    void rulesPassTheirUnitTests() throws Exception {
        Run run = promtool(DIR, "test", "rules", TESTS.getFileName().toString());

        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(run.output()).contains("SUCCESS");
    }

    @Test
    void theUnitTestsCatchAThresholdThatIsOff() throws Exception {
        Files.writeString(tmp.resolve(RULES.getFileName()), Files.readString(RULES)
                .replace("pvesync_consecutive_failures) >= 3", "pvesync_consecutive_failures) >= 30"));
        Files.copy(TESTS, tmp.resolve(TESTS.getFileName()));

        Run run = promtool(tmp, "test", "rules", TESTS.getFileName().toString());

        assertThat(run.exit()).isNotZero();
        assertThat(run.output()).contains("FAILED").contains("alertname: PvesyncPassesFailing");
    }

    @Test
    void everyAlertIsTestedFiringAndQuiet() throws Exception {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        Set<String> alerts = new LinkedHashSet<>();
        for (JsonNode group : yaml.readTree(Files.readString(RULES)).get("groups")) {
            group.get("rules").forEach(r -> alerts.add(r.get("alert").asText()));
        }
        Set<String> firing = new HashSet<>();
        Set<String> quiet = new HashSet<>();
        for (JsonNode test : yaml.readTree(Files.readString(TESTS)).get("tests")) {
            for (JsonNode check : test.path("alert_rule_test")) {
                String name = check.get("alertname").asText();
                (check.path("exp_alerts").isEmpty() ? quiet : firing).add(name);
            }
        }

        assertThat(alerts).hasSize(8);
        assertThat(firing).as("alerts with a test where they fire").containsAll(alerts);
        assertThat(quiet).as("alerts with a test where they stay quiet").containsAll(alerts);
    }

    @Test
    void everyAlertWaitsHasASeverityAndTellsWhatToDo() throws Exception {
        JsonNode groups = new ObjectMapper(new YAMLFactory()).readTree(Files.readString(RULES)).get("groups");
        for (JsonNode group : groups) {
            for (JsonNode rule : group.get("rules")) {
                String name = rule.get("alert").asText();
                assertThat(rule.path("for").asText()).as("for: of %s", name).matches("\\d+[mh]");
                assertThat(rule.at("/labels/severity").asText()).as("severity of %s", name).isIn("critical", "warning");
                assertThat(rule.at("/annotations/summary").asText()).as("summary of %s", name).isNotBlank();
                // the operator's next step: a command, a page or a key to look at
                assertThat(rule.at("/annotations/description").asText()).as("description of %s", name)
                        .containsAnyOf("pvesync check", "/status", "systemctl", "job_name");
            }
        }
    }
}
