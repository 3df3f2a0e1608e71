package io.pvesync.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.InputStream;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A benchmark-sized cluster (50,000 guests on 50 nodes) is generated and listed whole. Timings are
 * printed, not asserted: this machine is shared; the goal is well under a second for the listing.
 */
class ClusterResourcesScaleTest {

    private static final Logger log = LoggerFactory.getLogger(ClusterResourcesScaleTest.class);

    @Test
    void fiftyThousandGuestsAreListedInOneAnswer() throws Exception {
        long started = System.nanoTime();
        try (ProxmoxSimulator sim = SimHarness.plain().nodes(50).vms(45_000).containers(4_900).templates(100).seed(50)
                .start()) {
            long generated = System.nanoTime();
            OkHttpClient http = SimHarness.http(sim);
            Request request = new Request.Builder().url(sim.endpoints().get(0) + "/api2/json/cluster/resources")
                    .header("Authorization", SimHarness.AUTHORIZATION).build();
            int entries = 0;
            long bytes = 0;
            for (int round = 1; round <= 3; round++) {
                long before = System.nanoTime();
                try (Response response = http.newCall(request).execute(); InputStream in = response.body().byteStream()) {
                    byte[] body = in.readAllBytes();
                    long fetched = System.nanoTime();
                    bytes = body.length;
                    entries = countEntries(body);
                    log.info("sim scale - round {}: {} entries, {} bytes served in {} ms", round, entries, bytes,
                            (fetched - before) / 1_000_000);
                }
            }
            log.info("sim scale - generating 50,000 guests took {} ms", (generated - started) / 1_000_000);
            // 50,000 guests, 50 nodes, 3 storages and one sdn entry per node
            assertThat(entries).isEqualTo(50_000 + 50 + 150 + 50);
            assertThat(bytes).isGreaterThan(10_000_000L);
        }
    }

    /** Top-level objects of the data array, counted without building a tree. */
    private static int countEntries(byte[] body) throws Exception {
        int count = 0;
        try (JsonParser parser = new JsonFactory().createParser(body)) {
            int depth = 0;
            for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
                if (token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY) {
                    depth++;
                    if (token == JsonToken.START_OBJECT && depth == 3) {
                        count++;
                    }
                } else if (token == JsonToken.END_OBJECT || token == JsonToken.END_ARRAY) {
                    depth--;
                }
            }
        }
        return count;
    }
}
