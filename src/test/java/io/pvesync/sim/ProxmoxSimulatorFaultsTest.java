package io.pvesync.sim;

import static io.pvesync.sim.SimHarness.entry;
import static io.pvesync.sim.SimHarness.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pvesync.inventory.ResourceMapper;
import io.pvesync.inventory.Snapshot;
import io.pvesync.proxmox.ApiCall;
import io.pvesync.proxmox.ApiListener;
import io.pvesync.proxmox.ProxmoxClient;
import io.pvesync.proxmox.ProxmoxDataException;
import io.pvesync.proxmox.ProxmoxException;
import io.pvesync.proxmox.ProxmoxTransportException;
import io.pvesync.proxmox.ProxmoxUnavailableException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The fault switches, seen through pvesync's client where it matters. */
class ProxmoxSimulatorFaultsTest {

    private static final Clock FIXED = Clock.fixed(Instant.parse("2026-03-01T10:00:00Z"), ZoneOffset.UTC);

    private ProxmoxSimulator sim;

    @BeforeEach
    void start() {
        sim = SimHarness.plain().nodes(2).vms(6).containers(1).templates(0).seed(6).endpoints(2).clock(FIXED).start();
    }

    @AfterEach
    void stop() {
        sim.close();
    }

    /** Records the failed attempts a client reports. */
    private static final class Failures implements ApiListener {
        final List<ProxmoxException> seen = new CopyOnWriteArrayList<>();

        @Override
        public void requested(String call) {
        }

        @Override
        public void failed(String call, ProxmoxException error) {
            seen.add(error);
        }
    }

    @Test
    void aDownEndpointMakesTheClientFailOverAndComesBackOnItsPort() throws Exception {
        URI first = sim.endpoints().get(0);
        Failures failures = new Failures();
        sim.endpointDown(0, true);

        try (ProxmoxClient client = new ProxmoxClient(SimHarness.config(sim.endpoints(),
                io.pvesync.config.TlsConfig.systemDefault(), Duration.ofSeconds(5)), failures)) {
            assertThat(client.get(ApiCall.clusterResources()).size()).isEqualTo(7 + 2 + 6 + 2);
        }
        assertThat(failures.seen).singleElement().isInstanceOfSatisfying(ProxmoxTransportException.class,
                e -> assertThat(e).hasMessageContaining(first.toString()).hasMessageContaining("Connection refused"));

        sim.endpointDown(0, false);
        assertThat(sim.endpoints().get(0)).isEqualTo(first);
        assertThat(get(sim, "/version").status()).isEqualTo(200);
    }

    @Test
    void takingAnEndpointDownCutsItsOpenConnections() throws Exception {
        URI uri = sim.endpoints().get(0);
        try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET /api2/json/version HTTP/1.1\r\nHost: x\r\nAuthorization: " + SimHarness.AUTHORIZATION
                    + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] first = new byte[15];
            assertThat(in.readNBytes(first, 0, first.length)).isEqualTo(15);
            assertThat(new String(first, StandardCharsets.ISO_8859_1)).isEqualTo("HTTP/1.1 200 OK");

            sim.endpointDown(0, true);

            in.readAllBytes(); // the rest of the answer, then the end of the stream
            assertThat(in.read()).isEqualTo(-1);
        }
    }

    @Test
    void aMalformedListingIsCutWithAMatchingLengthAndTheClientCallsItBadData() throws Exception {
        String whole = get(sim, "/cluster/resources").body();
        sim.malformedJson(true);

        SimHarness.Answer cut = get(sim, "/cluster/resources");

        assertThat(cut.status()).isEqualTo(200);
        assertThat(cut.headers().get("Content-Length")).isEqualTo(String.valueOf(cut.body().length()));
        assertThat(cut.body()).hasSize(whole.length() / 2).isEqualTo(whole.substring(0, whole.length() / 2));
        try (ProxmoxClient client = SimHarness.client(sim)) {
            assertThatThrownBy(() -> client.get(ApiCall.clusterResources()))
                    .isInstanceOfSatisfying(ProxmoxUnavailableException.class, e -> assertThat(e.failures()).hasSize(2)
                            .allSatisfy(f -> assertThat(f).isInstanceOf(ProxmoxDataException.class)
                                    .hasMessageContaining("malformed JSON")));
            assertThat(client.get(ApiCall.version()).get("release").asText()).isEqualTo("9.1"); // only the listing
        }
        sim.malformedJson(false);
        assertThat(get(sim, "/cluster/resources").body()).isEqualTo(whole);
    }

    @Test
    void answersSlowerThanTheReadTimeoutAreTimeouts() throws Exception {
        sim.slow(Duration.ofMillis(1500));
        try (ProxmoxClient client = new ProxmoxClient(SimHarness.config(List.of(sim.endpoints().get(0)),
                io.pvesync.config.TlsConfig.systemDefault(), Duration.ofMillis(300)))) {
            assertThatThrownBy(() -> client.get(ApiCall.version()))
                    .isInstanceOfSatisfying(ProxmoxUnavailableException.class, e -> assertThat(e.failures())
                            .singleElement().satisfies(f -> assertThat(f).isInstanceOf(ProxmoxTransportException.class)
                                    .hasMessageContaining("read timed out after 300ms")));
            sim.slow(Duration.ZERO);
            assertThat(client.get(ApiCall.version()).get("release").asText()).isEqualTo("9.1");
        }
    }

    @Test
    void failNextFailsOnlyTheNextMatchingRequest() {
        sim.failNext("/cluster/resources", 500, "proxy loop detected");
        sim.failNext("/api2/json/nodes/pve1", 595, "Connection timed out");

        assertThat(get(sim, "/version").status()).isEqualTo(200);
        SimHarness.Answer failed = get(sim, "/cluster/resources?type=vm");
        assertThat(failed.status()).isEqualTo(500);
        assertThat(failed.reason()).isEqualTo("proxy loop detected");
        assertThat(failed.body()).isEqualTo("{\"data\":null,\"message\":\"proxy loop detected\\n\"}");
        assertThat(get(sim, "/cluster/resources").status()).isEqualTo(200);

        SimHarness.Answer unreachable = get(sim, "/nodes/pve1/qemu/100/config");
        assertThat(unreachable.status()).isEqualTo(595);
        assertThat(unreachable.reason()).isEqualTo("Connection timed out");
        assertThat(unreachable.body()).isEmpty();
        assertThat(get(sim, "/nodes/pve1/qemu/100/config").status()).isNotEqualTo(595);
    }

    @Test
    void aCorruptedFieldIsSentAsGivenAndPvesyncHoldsThatGuest() {
        int vmid = sim.vms().get(0).vmid();
        String id = sim.vms().get(0).kind().wire() + "/" + vmid;
        sim.corruptVm(vmid, "maxmem", "\"lots\"");
        sim.corruptVm(vmid, "future-field", "{\"x\":[1,2]}");

        SimHarness.Answer answer = get(sim, "/cluster/resources");

        assertThat(entry(answer.data(), id).get("maxmem").asText()).isEqualTo("lots");
        assertThat(entry(answer.data(), id).get("future-field").toString()).isEqualTo("{\"x\":[1,2]}");
        Snapshot snapshot = new ResourceMapper("lab", true).map(answer.data(), Instant.now());
        assertThat(snapshot.held()).containsKey(vmid);
        assertThat(snapshot.vms()).hasSize(6);

        sim.corruptVm(vmid, "maxmem", null);
        sim.corruptVm(vmid, "future-field", null);
        assertThat(entry(get(sim, "/cluster/resources").data(), id).get("maxmem").isIntegralNumber()).isTrue();
    }
}
