package io.pvesync.proxmox;

import static io.pvesync.proxmox.TestClusters.cluster;
import static io.pvesync.proxmox.TestClusters.endpoint;
import static io.pvesync.proxmox.TestClusters.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.core.JsonToken;
import java.util.function.Supplier;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.SocketEffect;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link ProxmoxClient#read}, which streams an answer's {@code data} into a reader, judges every
 * answer as {@link ProxmoxClient#get} does: the same exception type with the same message.
 */
class ProxmoxClientStreamTest {

    private static final ApiCall CONFIG = ApiCall.qemuConfig("pve3", 100);
    /** Counts the tokens of the data value, consuming exactly the value. */
    private static final ProxmoxApi.DataReader<Integer> COUNT = parser -> {
        int tokens = 1;
        if (parser.currentToken().isStructStart()) {
            int depth = 1;
            while (depth > 0) {
                JsonToken t = parser.nextToken();
                tokens++;
                depth += t.isStructStart() ? 1 : t.isStructEnd() ? -1 : 0;
            }
        }
        return tokens;
    };

    private final MockWebServer server = new MockWebServer();
    private ProxmoxClient client;

    @BeforeEach
    void start() throws Exception {
        server.start();
        client = new ProxmoxClient(cluster(endpoint(server)));
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"malformed.json", "truncated.json", "no-data.json", "html-page.html"})
    void aBadAnswerFailsAlikeStreamedOrNot(String fixture) {
        assertAlike(() -> ok(fixture), CONFIG);
        assertAlike(() -> ok(fixture), ApiCall.clusterResources());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "[1]", "{\"data\":[1]} trailing", "{\"data\":[1]}{}"})
    void oddBodiesFailAlikeStreamedOrNot(String body) {
        assertAlike(() -> new MockResponse.Builder().body(body).build(), CONFIG);
    }

    @Test
    void aConnectionCutInTheBodyIsATransportFailureAlike() {
        assertAlike(() -> new MockResponse.Builder(ok("cluster-resources.json")).setHeader("Content-Length", 4096)
                .onResponseEnd(new SocketEffect.CloseSocket()).build(), CONFIG);
    }

    @Test
    void theDataMemberIsStreamedWhereverItStands() throws Exception {
        server.enqueue(new MockResponse.Builder().body("{\"message\":\"x\",\"data\":[1,{\"a\":[2]}],\"extra\":{}}").build());

        assertThat(client.read(CONFIG, COUNT)).isEqualTo(9);
    }

    private void assertAlike(Supplier<MockResponse> answer, ApiCall call) {
        server.enqueue(answer.get());
        Throwable whole = catchThrowable(() -> client.get(call));
        server.enqueue(answer.get());
        Throwable streamed = catchThrowable(() -> client.read(call, COUNT));

        assertThat(whole).isInstanceOf(ProxmoxException.class);
        assertThat(streamed).isInstanceOf(whole.getClass());
        // the tree reader words a trailing token after "found after value" with its binding
        assertThat(streamed.getMessage().replaceAll(" found after .*", ""))
                .isEqualTo(whole.getMessage().replaceAll(" found after .*", ""));
    }
}
