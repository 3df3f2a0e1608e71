package io.pvesync.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class FleetReportTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode run(String json) throws Exception {
        return JSON.readTree(json);
    }

    @Test
    void oneColumnPerFleetSizeWithEveryFigure() throws Exception {
        JsonNode big = run("""
                {"clusters":20,"vms":1000,"nodes":4,"pollSeconds":30,"minutes":3.0,"toleranceSeconds":5,
                 "firstSyncsSeconds":41.25,"firstSyncP50Ms":20500,"firstSyncMaxMs":38000,
                 "passesPerMinuteMean":1.95,"passesPerMinuteMin":1.6667,"passesPerMinuteMax":2.0,
                 "passes":117,"passesByMetrics":117.0,"results":{"ok":116,"degraded":1},
                 "latePasses":2,"missedPolls":3,"longestGapSeconds":71.5,"lateClusters":["fleet3","fleet9"],
                 "durationP50Ms":850,"durationP95Ms":12400,"durationMaxMs":15100,
                 "cpuSecondsPerMinute":21.5,"cpuPercentOfCores":17.9,"cores":2,"gcSecondsPerMinute":0.25,
                 "heapUsedMb.mean":80.2,"heapUsedMb.max":140.6,"heapMaxMb":256.0,"threads.max":77.0,
                 "simConnectionsOpen.mean":12.34,"simConnectionsOpen.max":60.0,"simConnectionsNewPerMinute":4.5,
                 "apiRequestsPerMinute":12345.0,"pg.total.mean":25.0,"pg.total.max":25.0,
                 "pg.pvesync.mean":4.0,"pg.pvesync.max":4.0,"pg.pvesync-passlock.mean":21.0,"pg.pvesync-passlock.max":21.0,
                 "pool.pvesync.borrows":1200,"pool.pvesync.waited":30,"pool.pvesync.waitSeconds":1.5,
                 "pool.pvesync.maxWaitMs":420.4,"pool.pvesync.timeouts":0,
                 "pool.pvesync.waiting.mean":0.25,"pool.pvesync.waiting.max":3.0,
                 "loadAverageStart":2.5,"loadAverageEnd":3.25}""");
        JsonNode small = run("""
                {"clusters":100,"vms":100,"nodes":4,"pollSeconds":30,"minutes":3.0,"toleranceSeconds":5,
                 "passesPerMinuteMean":2.0,"passesPerMinuteMin":2.0,"passesPerMinuteMax":2.0,"passes":600,
                 "lateClusters":[]}""");

        String md = new FleetReport(List.of(big, small)).markdown();

        assertThat(md).startsWith("| | 20 clusters x 1,000 VMs | 100 clusters x 100 VMs |\n|---|---|---|\n");
        assertThat(md).contains("| passes per minute per cluster (mean, min-max) | 1.95 (1.67-2.00) | 2.00 (2.00-2.00) |");
        assertThat(md).contains("| late passes / missed polls (gap > poll + 5 s) | 2 / 3 | 0 / 0 |");
        assertThat(md).contains("| longest gap between a cluster's pass starts | 71.5 s |");
        assertThat(md).contains("| first syncs of every cluster ended after | 41.3 s (first sync p50 20.5 s, max 38.0 s) |");
        assertThat(md).contains("| pass duration p50 / p95 / max | 850 ms / 12.4 s / 15.1 s | 0 ms / 0 ms / 0 ms |");
        assertThat(md).contains("| process CPU (pvesync's JVM) | 21.5 s/min = 17.9 % of 2 cores |");
        assertThat(md).contains("| heap used (mean / max; limit) | 80 MB / 141 MB; 256 MB |");
        assertThat(md).contains("| open connections to the simulators (mean / max) | 12.3 / 60 |");
        assertThat(md).contains("| API requests per minute | 12,345 |");
        assertThat(md).contains("| ... application_name pvesync-passlock@host | 21.0 / 21 | 0 / 0 |");
        assertThat(md).contains("| pool pvesync: borrows; borrows > 1 ms; their total; slowest; timeouts"
                + " | 1,200; 30; 1.50 s; 420 ms; 0 | - |");
        assertThat(md).contains("| pool pvesync: threads waiting for a connection (sampled, mean / max) | 0.3 / 3 | 0 / 0 |");
        assertThat(md).contains("| machine load average (start, end) | 2.50, 3.25 |");
        assertThat(md).contains("Late clusters (20 x 1,000, first 10): [\"fleet3\",\"fleet9\"]");
        assertThat(md).doesNotContain("Late clusters (100 x 100");
    }
}
