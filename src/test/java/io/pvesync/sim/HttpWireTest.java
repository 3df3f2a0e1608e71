package io.pvesync.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The HTTP layer byte by byte: what pveproxy puts on the wire, on a raw socket. */
class HttpWireTest {

    private static ProxmoxSimulator sim;

    @BeforeAll
    static void start() {
        sim = SimHarness.plain().nodes(2).vms(3).containers(1).templates(0).seed(3).start();
    }

    @AfterAll
    static void stop() {
        sim.close();
    }

    /** One response read off the socket: status line, headers (lower-case names), body. */
    private record Raw(String statusLine, Map<String, String> headers, String body) {
    }

    @Test
    void keepAliveServesSeveralRequestsOnOneConnectionWithContentLength() throws IOException {
        try (Socket socket = connect()) {
            for (int i = 0; i < 3; i++) {
                send(socket, "GET /api2/json/version HTTP/1.1\r\nHost: x\r\nAuthorization: " + SimHarness.AUTHORIZATION
                        + "\r\n\r\n");
                Raw raw = read(socket.getInputStream());
                assertThat(raw.statusLine()).isEqualTo("HTTP/1.1 200 OK");
                assertThat(raw.headers()).containsEntry("connection", "Keep-Alive")
                        .containsEntry("content-type", "application/json;charset=UTF-8")
                        .containsEntry("server", "pve-api-daemon/3.0")
                        .containsEntry("content-length", String.valueOf(raw.body().length()));
                assertThat(raw.body()).isEqualTo("{\"data\":{\"release\":\"9.1\",\"repoid\":\""
                        + SimHarness.JSON.readTree(raw.body()).get("data").get("repoid").asText()
                        + "\",\"version\":\"9.1.1\"}}");
            }
        }
    }

    @Test
    void errorTextIsTheReasonPhraseAndTheConnectionCloses() throws IOException {
        try (Socket socket = connect()) {
            send(socket, "GET /api2/json/nodes/pve1/qemu/9999/config HTTP/1.1\r\nHost: x\r\nAuthorization: "
                    + SimHarness.AUTHORIZATION + "\r\n\r\n");
            InputStream in = socket.getInputStream();
            Raw raw = read(in);
            assertThat(raw.statusLine())
                    .isEqualTo("HTTP/1.1 500 Configuration file 'nodes/pve1/qemu-server/9999.conf' does not exist");
            assertThat(raw.headers()).containsEntry("connection", "close");
            assertThat(raw.body()).isEqualTo(
                    "{\"data\":null,\"message\":\"Configuration file 'nodes/pve1/qemu-server/9999.conf' does not exist\\n\"}");
            assertThat(in.read()).isEqualTo(-1);
        }
    }

    @Test
    void missingCredentialsGive401NoTicketWithoutBody() throws IOException {
        try (Socket socket = connect()) {
            send(socket, "GET /api2/json/cluster/resources HTTP/1.1\r\nHost: x\r\n\r\n");
            Raw raw = read(socket.getInputStream());
            assertThat(raw.statusLine()).isEqualTo("HTTP/1.1 401 No ticket");
            assertThat(raw.headers()).doesNotContainKey("content-length").containsEntry("connection", "close");
            assertThat(raw.body()).isEmpty();
        }
    }

    @Test
    void otherMethodsAreNotImplemented() throws IOException {
        try (Socket socket = connect()) {
            send(socket, "POST /api2/json/nodes/pve1/qemu/100/status/start HTTP/1.1\r\nHost: x\r\nAuthorization: "
                    + SimHarness.AUTHORIZATION + "\r\nContent-Length: 0\r\n\r\n");
            Raw raw = read(socket.getInputStream());
            assertThat(raw.statusLine())
                    .isEqualTo("HTTP/1.1 501 Method 'POST /nodes/pve1/qemu/100/status/start' not implemented");
        }
    }

    @Test
    void unknownPathsAreNotImplementedAfterAuthentication() {
        SimHarness.Answer answer = SimHarness.get(sim, "/cluster/nothing");
        assertThat(answer.status()).isEqualTo(501);
        assertThat(answer.reason()).isEqualTo("Method 'GET /cluster/nothing' not implemented");
        assertThat(answer.body()).isEqualTo("{\"data\":null,\"message\":\"Method 'GET /cluster/nothing' not implemented\\n\"}");
    }

    @Test
    void badVmidFailsParameterVerification() {
        SimHarness.Answer answer = SimHarness.get(sim, "/nodes/pve1/qemu/abc/config");
        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.reason()).isEqualTo("Parameter verification failed.");
        assertThat(answer.data().isNull()).isTrue();
        assertThat(answer.json().get("errors").get("vmid").asText()).isEqualTo("type check ('integer') failed - got 'abc'");
    }

    @Test
    void garbageRequestLineIsABadRequest() throws IOException {
        try (Socket socket = connect()) {
            send(socket, "HELLO\r\n\r\n");
            assertThat(read(socket.getInputStream()).statusLine()).isEqualTo("HTTP/1.1 400 Bad Request");
        }
    }

    @Test
    void requestsAreCountedByPath() {
        int before = sim.requests("/nodes/pve2/lxc");
        int total = sim.requestCount();
        SimHarness.get(sim, "/nodes/pve2/lxc/100/config");
        SimHarness.get(sim, "/nodes/pve2/lxc/101/interfaces");
        assertThat(sim.requests("/nodes/pve2/lxc")).isEqualTo(before + 2);
        assertThat(sim.requests("/api2/json/nodes/pve2/lxc/101")).isGreaterThanOrEqualTo(1);
        assertThat(sim.requestCount()).isGreaterThanOrEqualTo(total + 2);
    }

    private static Socket connect() throws IOException {
        URI uri = sim.endpoints().get(0);
        Socket socket = new Socket(uri.getHost(), uri.getPort());
        socket.setSoTimeout(5000);
        return socket;
    }

    private static void send(Socket socket, String text) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(text.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    /** Reads one response: by Content-Length, else (no length, connection closing) to the end. */
    private static Raw read(InputStream in) throws IOException {
        String status = line(in);
        Map<String, String> headers = new LinkedHashMap<>();
        for (String header = line(in); !header.isEmpty(); header = line(in)) {
            int colon = header.indexOf(':');
            headers.put(header.substring(0, colon).toLowerCase(Locale.ROOT), header.substring(colon + 1).strip());
        }
        byte[] body = headers.containsKey("content-length")
                ? in.readNBytes(Integer.parseInt(headers.get("content-length"))) : in.readAllBytes();
        return new Raw(status, headers, new String(body, StandardCharsets.UTF_8));
    }

    private static String line(InputStream in) throws IOException {
        List<Byte> bytes = new ArrayList<>();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new IOException("connection closed");
            }
            bytes.add((byte) b);
        }
        byte[] array = new byte[bytes.size()];
        for (int i = 0; i < array.length; i++) {
            array[i] = bytes.get(i);
        }
        String text = new String(array, StandardCharsets.ISO_8859_1);
        return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
    }
}
