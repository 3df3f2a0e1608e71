package io.pvesync.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchReportTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void resultsSavedBeforeTheWatcherStillPrintWithoutItsTables() throws IOException {
        List<JsonNode> old = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("src/test/resources/benchmarks/current.jsonl"),
                StandardCharsets.UTF_8)) {
            old.add(JSON.readTree(line));
        }

        String md = new BenchReport(old).markdown();

        assertThat(md).contains("### 10,000 VMs on 20 nodes")
                .contains("| unchanged poll | 5 | 145 |")
                .doesNotContain("Time to the table").doesNotContain("Growth").doesNotContain("bare download")
                .doesNotContain("NaN");
    }

    @Test
    void theWatchersFiguresGiveTimeToTableFloorMultipleLandingAndGrowth() {
        List<JsonNode> results = new ArrayList<>();
        for (int vms : new int[] {1_000, 10_000}) {
            int k = vms / 1_000;
            results.add(line(vms, "first-sync", "pvesync", 3_000 * k).put("listingMs", 100.0 * k)
                    .put("rowsAllMs", 2_100.0 * k).put("addressesAllMs", 2_900.0 * k).put("addresses", 640 * k));
            results.add(line(vms, "first-sync", "baseline", 4_200 * k).put("rowsAllMs", 4_200.0 * k));
            for (double floor : new double[] {90, 100, 110, 500, 95}) {
                results.add(line(vms, "listing-floor", "floor", floor * k));
            }
            for (double poll : new double[] {120, 140, 130, 900, 135}) {
                results.add(line(vms, "unchanged-poll", "pvesync", poll * k));
            }
            results.add(line(vms, "unchanged-poll", "baseline", 4_000 * k));
            results.add(line(vms, "changed-10pct", "pvesync", 700 * k).put("landedMs", 300.0 * k)
                    .put("changedRows", 100 * k));
            results.add(line(vms, "changed-10pct", "baseline", 4_000 * k).put("landedMs", 3_900.0 * k)
                    .put("changedRows", 100 * k));
            results.add(line(vms, "changed-1vm", "pvesync", 180 * k).put("landedMs", 150.0 * k)
                    .put("changedRows", 1));
        }

        String md = new BenchReport(results).markdown();

        assertThat(md).contains("Time to the table, 10,000 VMs")
                .contains("| first sync: the listing's answer read | 1,000 ms | - | - |")
                .contains("| first sync: every row in the table | 21,000 ms (listing + 20,000) | 42,000 ms | 2.0x |")
                .contains("| first sync: every address in the table | 29,000 ms (6,400 addresses) | none read | - |")
                .contains("| the floor: bare download of the listing (median of 5) | 1,000 ms | - | - |")
                // medians: the 900 and 500 outliers do not move them
                .contains("| unchanged poll (median of 5) | 1,350 ms = 1.35x the floor | 40,000 ms | 29.6x |")
                .contains("| change landing, 10% of the VMs (1,000 rows): landed, pass wall | 3,000 ms, 7,000 ms"
                        + " | 39,000 ms, 40,000 ms | 13.0x |")
                .contains("| change landing, 1 VM's status (1 row): landed, pass wall | 1,500 ms, 1,800 ms | -, - | - |")
                .contains("| figure | 1,000 VMs | 10,000 VMs |")
                .contains("| first sync: every row in the table | 2,100.0 | 2,100.0 |")
                .contains("| unchanged poll | 135.0 | 135.0 |")
                .contains("| unchanged 10,000-VM poll: at most 1.5x the bare download of the listing"
                        + " | 1.35x (1350 ms against 1000 ms, medians) | yes |")
                .doesNotContain("NaN");
    }

    @Test
    void aPollAboveOneAndAHalfFloorsMissesTheTarget() {
        List<JsonNode> results = new ArrayList<>();
        results.add(line(10_000, "first-sync", "pvesync", 9_000));
        for (int i = 0; i < 5; i++) {
            results.add(line(10_000, "listing-floor", "floor", 100));
            results.add(line(10_000, "unchanged-poll", "pvesync", 160));
        }

        assertThat(new BenchReport(results).markdown())
                .contains("| unchanged 10,000-VM poll: at most 1.5x the bare download of the listing"
                        + " | 1.60x (160 ms against 100 ms, medians) | **no** |");
    }

    @Test
    void aPollAskingMoreThanTwoRequestsPerChangedVmIsNamedInTheBoundTarget() {
        List<JsonNode> results = new ArrayList<>();
        results.add(line(1_000, "first-sync", "pvesync", 9_000));
        results.add(line(1_000, "changed-10pct", "pvesync", 700).put("guestApi", 53).put("updated", 100));
        results.add(line(1_000, "changed-1vm", "pvesync", 16_000).put("guestApi", 70).put("updated", 1));

        assertThat(new BenchReport(results).markdown())
                .contains("1,000 VMs: 53 per-guest requests for 100 changed rows; 0 in unchanged polls; over the bound:"
                        + " poll, 1 VM started/stopped at 1,000 VMs, run 0: 70 for 1 | **no** |");
    }

    @Test
    void underProxmoxsTimingTheReportJudgesIssueTensTargets() {
        List<JsonNode> results = new ArrayList<>();
        results.add(line(10_000, "first-sync", "pvesync", 70_000).put("timing", "realistic").put("listingMs", 1_400.0)
                .put("rowsAllMs", 2_000.0));
        results.add(line(10_000, "listing-floor", "floor", 1_100));
        results.add(line(10_000, "unchanged-poll", "pvesync", 1_300));
        results.add(line(10_000, "unchanged-poll", "baseline", 23_400));
        results.add(line(10_000, "changed-10pct", "pvesync", 60_000).put("landedMs", 2_600.0));
        results.add(line(10_000, "changed-10pct", "pvesync", 61_000).put("landedMs", 31_000.0));

        assertThat(new BenchReport(results).markdown()).contains("### Targets (issue 10, Proxmox's timing)")
                .contains("| first sync of 10,000 VMs: every row in the table within 1 s of the listing's answer"
                        + " | 600 ms after it (median of 1) | yes |")
                .contains("| a change to 1,000 of 10,000 VMs lands within one poll (30 s) | every changed row in the"
                        + " table 31000 ms after the pass began (slowest run) | **no** |")
                .contains("| unchanged 10,000-VM poll: at most 1.5x the bare download of the listing"
                        + " | 1.18x (1300 ms against 1100 ms, medians) | yes |")
                .contains("| unchanged 10,000-VM poll: at least 20x the baseline's wall time | 18.0x (23400 ms"
                        + " against 1300 ms; the floor itself is 21.3x) | **no** |")
                .doesNotContain("one API request");
    }

    private static ObjectNode line(int vms, String kase, String system, double wallMs) {
        ObjectNode line = JSON.createObjectNode();
        line.put("vms", vms).put("nodes", vms / 500).put("case", kase).put("system", system).put("wallMs", wallMs)
                .put("cpuMs", wallMs / 2).put("api", 1).put("guestApi", 0).put("sql", 5).put("rows", 0)
                .put("maxHeapMb", 256.0).put("simHeapMb", 10.0).put("rep", 0);
        return line;
    }
}
