package io.pvesync.cli;

import static io.pvesync.testing.CommandRun.pvesync;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pvesync.testing.CommandRun;
import io.pvesync.testing.TestDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole sync path through {@link Main}: a 3-node cluster with one node offline, served by
 * MockWebServer, into a fresh database, as the daemon's non-owner role. The tests run in order,
 * each building on the table the previous one left.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SyncCommandEndToEndTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    @TempDir
    static Path dir;

    static final MockWebServer proxmox = new MockWebServer();
    static final Map<String, MockResponse> routes = new ConcurrentHashMap<>();
    static final List<String> requested = new CopyOnWriteArrayList<>();
    static Path config;

    @BeforeAll
    static void start() throws Exception {
        proxmox.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                String path = request.getUrl().encodedPath();
                requested.add(path);
                MockResponse response = routes.get(path);
                return response != null ? response
                        : new MockResponse.Builder().status("HTTP/1.1 501 Method 'GET " + path + "' not implemented").build();
            }
        });
        proxmox.start();
        route("/cluster/resources", fixture("cluster-resources.json"));
        // pve3 is offline in the listing, so pvesync asks whether pve1 is quorate: it is, 2 of 3
        route("/cluster/status", fixture("cluster-status.json"));
        route("/nodes/pve1/qemu/100/config", fixture("qemu-100-config.json"));
        route("/nodes/pve1/qemu/100/agent/network-get-interfaces", fixture("qemu-100-agent.json"));
        route("/nodes/pve2/qemu/101/config", fixture("qemu-101-config.json"));

        config = dir.resolve("pvesync.yaml");
        Files.writeString(config, """
                database:
                  url: %s
                  username: %s
                  password: %s
                  migrate-username: %s
                clusters:
                  - name: lab
                    endpoints: ["%s"]
                    token-id: "pvesync@pve!inventory"
                    token-secret: "TOKEN-SECRET-e2e"
                    connect-timeout: 2s
                    read-timeout: 5s
                """.formatted(db.url(), db.daemonUser(), db.daemonPassword(), db.ownerUser(),
                proxmox.url("/").toString()));
    }

    @AfterAll
    static void stop() {
        proxmox.close();
    }

    private static void route(String apiPath, String body) {
        routes.put("/api2/json" + apiPath, new MockResponse.Builder()
                .addHeader("Content-Type", "application/json;charset=UTF-8").body(body).build());
    }

    private static String fixture(String name) throws IOException {
        return Files.readString(Path.of("src/test/resources/proxmox/e2e/" + name));
    }

    /** Every row as "column=value" text, ordered by vmid, for exact comparisons. */
    private static Map<Integer, String> rows() throws SQLException {
        Map<Integer, String> rows = new LinkedHashMap<>();
        try (Connection c = db.ownerConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT vmid, name, status, cpu_cores, memory_mb, disk_gb, proxmox_node,"
                     + " ip_address, owner_id, notes, proxmox_cluster, incarnation, xmin::text AS xmin"
                     + " FROM public.vms ORDER BY vmid")) {
            while (rs.next()) {
                rows.put(rs.getInt("vmid"), String.join(" ", rs.getString("name"), rs.getString("status"),
                        "cores=" + rs.getString("cpu_cores"), "mem=" + rs.getString("memory_mb"),
                        "disk=" + rs.getString("disk_gb"), "node=" + rs.getString("proxmox_node"),
                        "ip=" + rs.getString("ip_address"), "owner=" + rs.getString("owner_id"),
                        "notes=" + rs.getString("notes"), "cluster=" + rs.getString("proxmox_cluster"),
                        "inc=" + rs.getString("incarnation"), "xmin=" + rs.getString("xmin")));
            }
        }
        return rows;
    }

    @Test
    @Order(1)
    void migrateCreatesTheSchemaAsTheOwner() throws Exception {
        CommandRun run = pvesync("migrate", "--config", config.toString());

        assertThat(run.exit()).as(run.err()).isEqualTo(0);
        assertThat(run.out()).startsWith("database: ");
        db.grantDaemon();
        try (Connection c = db.ownerConnection(); Statement st = c.createStatement()) {
            // the application's own data, from before pvesync ever ran
            st.execute("INSERT INTO public.users (id) VALUES (1)");
            st.execute("INSERT INTO public.vms (vmid, name, owner_id, notes) VALUES (101, 'db-1 (ordered)', 1, 'customer A')");
            // a row synced earlier for a VM on the node that is offline now
            st.execute("INSERT INTO public.vms (vmid, name, status, cpu_cores, memory_mb, disk_gb, proxmox_node,"
                    + " ip_address, proxmox_cluster, owner_id) VALUES (103, 'cache-1', 'running', 1, 1024, 10, 'pve3',"
                    + " '192.0.2.30', 'lab', 1)");
        }
    }

    @Test
    @Order(2)
    void firstSyncInsertsAdoptsAndHoldsTheOfflineNode() throws Exception {
        String offlineRowBefore = rows().get(103);

        CommandRun run = pvesync("sync", "--config", config.toString());

        assertThat(run.exit()).as(run.err()).isEqualTo(0);
        assertThat(run.out()).matches("(?s)lab: pass ok in \\d+ ms: 1 inserted, 1 updated, 0 unchanged, 0 missing,"
                + " 1 skipped, 1 held\\R");
        Map<Integer, String> rows = rows();
        assertThat(rows.keySet()).containsExactly(100, 101, 103);
        assertThat(rows.get(100)).startsWith("web-1 running cores=2 mem=4096 disk=32 node=pve1 ip=192.0.2.10"
                + " owner=null notes=null cluster=lab inc=uuid:6f9b1c1e-7d0a-4c55-9a1d-2b7d6c7e9f00");
        assertThat(rows.get(101)).startsWith("db-1 stopped cores=4 mem=8192 disk=100 node=pve2 ip=198.51.100.20"
                + " owner=1 notes=customer A cluster=lab inc=ctime:1712345999");
        assertThat(rows.get(103)).isEqualTo(offlineRowBefore);
        assertThat(run.out() + run.err()).doesNotContain("TOKEN-SECRET");
    }

    @Test
    @Order(3)
    void dryRunPrintsTheChangeAndWritesNothing() throws Exception {
        route("/cluster/resources", fixture("cluster-resources.json")
                .replace("\"vmid\": 100, \"status\": \"running\"", "\"vmid\": 100, \"status\": \"stopped\""));
        Map<Integer, String> before = rows();
        String recordedBefore = recorded();

        CommandRun run = pvesync("sync", "--config", config.toString(), "--dry-run");

        assertThat(run.exit()).as(run.err()).isEqualTo(0);
        assertThat(run.out()).contains("lab: dry run, nothing written: pass ok")
                .contains("  would update vmid 100: status running -> stopped");
        assertThat(rows()).isEqualTo(before);
        assertThat(recorded()).as("a dry run is no pass").isEqualTo(recordedBefore);
    }

    @Test
    @Order(4)
    void theSameChangeIsWrittenWithoutDryRun() throws Exception {
        CommandRun run = pvesync("sync", "--config", config.toString(), "--cluster", "lab");

        assertThat(run.exit()).as(run.err()).isEqualTo(0);
        assertThat(run.out()).contains(": 0 inserted, 1 updated, 1 unchanged, 0 missing");
        assertThat(rows().get(100)).startsWith("web-1 stopped cores=2 mem=4096 disk=32 node=pve1 ip=192.0.2.10");
        // recorded where every daemon's /health and backoff read it
        JsonNode pass = new ObjectMapper().readTree(recorded()).path("lastPass");
        assertThat(pass.path("result").asText()).isEqualTo("ok");
        assertThat(pass.path("mode").asText()).isEqualTo("reconcile");
        assertThat(pass.path("instance").asText()).startsWith("pvesync sync on ");
    }

    /** The shared record of cluster lab, as the daemon's instances read it. */
    private static String recorded() throws SQLException {
        try (Connection c = db.ownerConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT state::text FROM pvesync.cluster_state WHERE cluster = 'lab'")) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    @Test
    @Order(5)
    void aFailingApiFailsTheSyncAndLeavesEveryRow() throws Exception {
        routes.put("/api2/json/cluster/resources", new MockResponse.Builder()
                .status("HTTP/1.1 500 cluster not ready - no quorum?").build());
        Map<Integer, String> before = rows();

        CommandRun run = pvesync("sync", "--config", config.toString());

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.out()).startsWith("lab: pass failed in ").contains("cluster not ready - no quorum?")
                .contains("rows left as they were");
        assertThat(rows()).isEqualTo(before);
        assertThat(new ObjectMapper().readTree(recorded()).path("consecutiveFailures").asInt()).isEqualTo(1);
    }

    @Test
    @Order(6)
    void usageAndConfigErrorsExitTwo() throws Exception {
        assertThat(pvesync("sync").exit()).isEqualTo(2);
        assertThat(pvesync("frobnicate").exit()).isEqualTo(2);
        CommandRun unknownCluster = pvesync("sync", "--config", config.toString(), "--cluster", "nope");
        assertThat(unknownCluster.exit()).isEqualTo(2);
        assertThat(unknownCluster.err()).contains("--cluster nope: no such cluster in " + config + " (configured: lab)");
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "database: {}\n");
        CommandRun badConfig = pvesync("sync", "--config", bad.toString());
        assertThat(badConfig.exit()).isEqualTo(2);
        assertThat(badConfig.err()).contains(bad + ": database.url: required");
    }
}
