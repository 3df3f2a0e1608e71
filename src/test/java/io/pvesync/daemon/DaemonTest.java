package io.pvesync.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.zaxxer.hikari.HikariDataSource;
import io.pvesync.cli.Main;
import io.pvesync.config.PvesyncConfig;
import io.pvesync.inventory.StatusMapping;
import io.pvesync.sim.ProxmoxSimulator;
import io.pvesync.sim.SimVm;
import io.pvesync.store.Migrations;
import io.pvesync.testing.DaemonConfigFile;
import io.pvesync.testing.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole daemon on random ports against the simulator (HTTPS, two endpoints, CA file) and a
 * fresh database, writing as the non-owner daemon role: start, rows appear and equal the simulated
 * truth, a stopped VM follows within two polls, health, resync, an outage and its recovery, stop.
 */
class DaemonTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    @TempDir
    Path dir;

    private ProxmoxSimulator sim;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void migrate() throws Exception {
        try (HikariDataSource owner = db.ownerPool()) {
            Migrations.migrate(owner);
        }
        db.grantDaemon();
        try (Connection c = db.ownerConnection(); Statement st = c.createStatement()) {
            st.execute("TRUNCATE public.vms, pvesync.cluster_state");
            st.execute("TRUNCATE pvesync.qrtz_fired_triggers, pvesync.qrtz_triggers, pvesync.qrtz_job_details,"
                    + " pvesync.qrtz_scheduler_state, pvesync.qrtz_locks CASCADE");
        }
        sim = ProxmoxSimulator.builder().nodes(3).vms(12).containers(2).templates(1).endpoints(2).tls(true)
                .seed(7).authFailureDelay(Duration.ofMillis(10)).start();
    }

    @AfterEach
    void stopSimulator() {
        sim.close();
    }

    private PvesyncConfig config(String staleAfter) throws Exception {
        return config(staleAfter, false);
    }

    private PvesyncConfig config(String staleAfter, boolean clustered) throws Exception {
        DaemonConfigFile file = new DaemonConfigFile(sim, db);
        file.includeContainers = true;
        file.clustered = clustered;
        file.staleAfter = staleAfter;
        return file.load(dir);
    }

    /** The table as "name status cores mem disk node ip" per vmid, live rows only. */
    private static Map<Integer, String> table() throws Exception {
        Map<Integer, String> rows = new TreeMap<>();
        try (Connection c = db.ownerConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT vmid, name, status, cpu_cores, memory_mb, disk_gb, proxmox_node,"
                     + " ip_address FROM public.vms WHERE retired_at IS NULL AND status <> 'missing'")) {
            while (rs.next()) {
                rows.put(rs.getInt(1), String.join(" ", rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getString(5), rs.getString(6), rs.getString(7), String.valueOf(rs.getString(8))));
            }
        }
        return rows;
    }

    /** What the table should hold for the simulator's guests. */
    private Map<Integer, String> truth() {
        Map<Integer, String> rows = new TreeMap<>();
        for (SimVm vm : sim.vms()) {
            if (!vm.template()) {
                rows.put(vm.vmid(), String.join(" ", vm.name(), StatusMapping.of(vm.status(), vm.lock()).column(),
                        Integer.toString(vm.cores()), Integer.toString(vm.memoryMb()), Integer.toString(vm.diskGb()),
                        vm.node(), String.valueOf(vm.ipAddress())));
            }
        }
        return rows;
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 20 s: " + what);
            }
            Thread.sleep(50);
        }
    }

    private static boolean quietly(java.util.concurrent.Callable<Boolean> check) {
        try {
            return check.call();
        } catch (Exception e) {
            return false;
        }
    }

    private HttpResponse<String> get(Daemon daemon, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + daemon.statusAddress().getPort()
                + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void rowsFollowTheClusterAndHealthTellsTheTruth() throws Exception {
        try (Daemon daemon = Daemon.start(config("3s"), Clock.systemUTC())) {
            await(() -> quietly(() -> table().equals(truth())), "the table equals the simulated truth");
            assertThat(get(daemon, "/health").statusCode()).isEqualTo(200);

            int vmid = sim.vms().stream().filter(v -> !v.template() && v.status().equals("running")
                    && v.kind() == SimVm.Kind.QEMU).findFirst().orElseThrow().vmid();
            sim.stop(vmid);
            // within two polls (1 s each), with room for a slow machine
            await(() -> quietly(() -> table().get(vmid).split(" ")[1].equals("stopped")), "vmid " + vmid + " stopped");

            // pvesync resync asks the running daemon and prints the outcome of the pass it got
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int exit = Main.run(new String[] {"resync", "--url", "http://127.0.0.1:"
                    + daemon.statusAddress().getPort(), "--wait", "10s"}, new PrintStream(out, true),
                    new PrintStream(new ByteArrayOutputStream()));
            assertThat(exit).isZero();
            assertThat(out.toString()).matches("(?s)lab: pass ok in \\d+ ms: 0 inserted, 0 updated, \\d+ unchanged, 0 missing.*");

            // every endpoint down: passes fail, rows stay, health goes 503 once stale, then recovers
            Map<Integer, String> before = table();
            sim.endpointDown(0, true);
            sim.endpointDown(1, true);
            await(() -> quietly(() -> get(daemon, "/health").statusCode() == 503), "health 503 while the API is down");
            assertThat(get(daemon, "/health").body()).contains("cluster lab has not synced for");
            assertThat(table()).isEqualTo(before);

            sim.endpointDown(0, false);
            sim.endpointDown(1, false);
            // a manual pass ignores the backoff
            http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + daemon.statusAddress().getPort()
                    + "/resync?wait=10s")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());
            await(() -> quietly(() -> get(daemon, "/health").statusCode() == 200), "health 200 after recovery");
            assertThat(get(daemon, "/metrics").body()).contains("pvesync_sync_total{cluster=\"lab\",result=\"failed\"}");
        }
    }

    @Test
    void twoClusteredDaemonsShareTheWorkAndTheSurvivorCarriesOn() throws Exception {
        PvesyncConfig config = config("5m", true);
        Daemon first = Daemon.start(config, Clock.systemUTC());
        try (Daemon second = Daemon.start(config, Clock.systemUTC())) {
            await(() -> quietly(() -> table().equals(truth())), "the table equals the simulated truth");
            try (Connection c = db.ownerConnection(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT count(*) FROM pvesync.qrtz_scheduler_state")) {
                rs.next();
                assertThat(rs.getInt(1)).as("both instances checked in to the shared job store").isEqualTo(2);
            }

            first.close();
            int vmid = sim.vms().stream().filter(v -> !v.template() && v.status().equals("running")).findFirst()
                    .orElseThrow().vmid();
            sim.stop(vmid);
            await(() -> quietly(() -> table().get(vmid).split(" ")[1].equals("stopped")),
                    "the survivor syncs vmid " + vmid + " stopped");
            assertThat(get(second, "/health").statusCode()).isEqualTo(200);
        } finally {
            first.close();
        }
    }

    @Test
    void twoClusteredDaemonsTellTheSameStoryWhicheverRanThePass() throws Exception {
        DaemonConfigFile file = new DaemonConfigFile(sim, db);
        file.includeContainers = true;
        file.clustered = true;
        file.poll = "1h"; // only the passes each start triggers: one instance or the other runs them
        PvesyncConfig config = file.load(dir);
        try (Daemon alpha = Daemon.start(config, Clock.systemUTC(), "alpha");
             Daemon beta = Daemon.start(config, Clock.systemUTC(), "beta")) {
            await(() -> quietly(() -> table().equals(truth())), "the table equals the simulated truth");
            await(() -> quietly(() -> {
                JsonNode a = lab(alpha);
                JsonNode b = lab(beta);
                return a.equals(b) && a.get("state").asText().equals("ok");
            }), "both instances show the same state of cluster lab");
            JsonNode shown = lab(beta);
            assertThat(shown.get("lastPassBy").asText()).isIn("alpha", "beta");
            // each says "starting" until a pass has ended since its own start: beta's start triggered one
            await(() -> quietly(() -> get(alpha, "/health").statusCode() == 200
                    && get(beta, "/health").statusCode() == 200), "both instances healthy");
            // the other start's pass may still be running (CI caught one that had just begun):
            // once it ends, both tell its story
            await(() -> quietly(() -> !lab(alpha).get("running").asBoolean() && lab(alpha).equals(lab(beta))),
                    "both instances show the same state once no pass runs");
        }
    }

    /** Cluster lab in the instance's /status, without the instance's own schedule. */
    private JsonNode lab(Daemon daemon) throws Exception {
        ObjectNode lab = (ObjectNode) new ObjectMapper().readTree(get(daemon, "/status").body()).get("clusters").get(0);
        lab.remove("nextRun");
        return lab;
    }

    @Test
    void stoppingMidPassLeavesTheTableConsistent() throws Exception {
        sim.slow(Duration.ofMillis(400));
        Daemon daemon = Daemon.start(config("5m"), Clock.systemUTC());
        Thread.sleep(600); // the first pass is in flight: listing or guest lookups

        daemon.close();

        // whatever was written is whole: no duplicate live rows, each row equal to the truth
        Map<Integer, String> table = table();
        Map<Integer, String> truth = truth();
        table.forEach((vmid, row) -> assertThat(row).as("vmid %d", vmid).isEqualTo(truth.get(vmid)
                .replaceAll(" \\S+$", " " + row.substring(row.lastIndexOf(' ') + 1))));
        try (Connection c = db.ownerConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) - count(DISTINCT vmid) FROM public.vms")) {
            rs.next();
            assertThat(rs.getInt(1)).isZero();
        }
    }
}
