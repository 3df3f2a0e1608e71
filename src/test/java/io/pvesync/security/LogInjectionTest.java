package io.pvesync.security;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import io.pvesync.config.ClusterConfig;
import io.pvesync.config.MissingPolicy;
import io.pvesync.config.Secret;
import io.pvesync.config.TlsConfig;
import io.pvesync.details.GuestDetails;
import io.pvesync.proxmox.ApiCall;
import io.pvesync.proxmox.ProxmoxApi;
import io.pvesync.proxmox.ProxmoxHttpException;
import io.pvesync.store.Migrations;
import io.pvesync.store.VmStore;
import io.pvesync.sync.ClusterSync;
import io.pvesync.sync.SyncMode;
import io.pvesync.sync.SyncOutcome;
import io.pvesync.testing.LogCapture;
import io.pvesync.testing.TestDatabase;
import java.net.URI;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A VM's name is its owner's text, and so is what its guest agent says. Neither may forge a log
 * line (a newline followed by a fake timestamp and level), drive the operator's terminal (ESC) or
 * reorder what the operator reads (a right-to-left override); the table still gets the name
 * exactly as Proxmox has it.
 */
class LogInjectionTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    private static final String FORGED = "\n2026-01-01T00:00:00.000Z ERROR Daemon - forged: all rows deleted";
    private static final String NAME = "web" + FORGED + "\u001b[2J\u202e";
    private static final String RENAMED = "db\r" + FORGED;
    private static final String AGENT_ERROR = "command disabled" + FORGED + "\u001b[31m";

    @BeforeAll
    static void migrate() throws Exception {
        try (HikariDataSource owner = db.ownerPool()) {
            Migrations.migrate(owner);
        }
        db.grantDaemon();
    }

    /** One QEMU VM on pve1 whose agent answers with an error of its own (HTTP 200, result.error). */
    private static final class OneGuest implements ProxmoxApi {
        private final Map<String, JsonNode> answers = new ConcurrentHashMap<>();
        private final ObjectMapper json = new ObjectMapper();

        void name(String name) throws Exception {
            answers.put(ApiCall.clusterResources().path(), json.readTree("[{\"type\":\"node\",\"node\":\"pve1\","
                    + "\"status\":\"online\"},{\"type\":\"qemu\",\"vmid\":100,\"node\":\"pve1\",\"status\":\"running\","
                    + "\"name\":" + json.writeValueAsString(name) + ",\"maxcpu\":2,\"maxmem\":2147483648,\"maxdisk\":0}]"));
            answers.put(ApiCall.qemuConfig("pve1", 100).path(), json.readTree("{\"agent\":\"1\","
                    + "\"net0\":\"virtio=BC:24:11:2E:C5:4A,bridge=vmbr0\",\"meta\":\"ctime=1712345678\"}"));
            answers.put(ApiCall.qemuAgentInterfaces("pve1", 100).path(), json.readTree("{\"result\":{\"error\":"
                    + "{\"class\":\"GenericError\",\"desc\":" + json.writeValueAsString(AGENT_ERROR) + "}}}"));
        }

        @Override
        public String cluster() {
            return "lab";
        }

        @Override
        public JsonNode get(ApiCall call) throws ProxmoxHttpException {
            JsonNode answer = answers.get(call.path());
            if (answer == null) {
                throw new ProxmoxHttpException("lab", "https://pve1:8006", call.name(), 501, "not implemented", "501");
            }
            return answer;
        }
    }

    @Test
    void namesAndGuestAgentTextsCannotForgeLogLines() throws Exception {
        OneGuest api = new OneGuest();
        ClusterConfig config = new ClusterConfig("lab", List.of(URI.create("https://pve1:8006")), "pvesync@pve!inventory",
                Secret.of("unused"), TlsConfig.systemDefault(), false, Duration.ofSeconds(1), Duration.ofSeconds(1),
                Duration.ofSeconds(1), 2, Duration.ofMinutes(15), MissingPolicy.DEFAULT);
        List<String> messages = new ArrayList<>();
        List<SyncOutcome> outcomes = new ArrayList<>();
        try (LogCapture logs = new LogCapture();
             GuestDetails details = new GuestDetails(api, 2, Duration.ofMinutes(15), Clock.systemUTC());
             ClusterSync sync = new ClusterSync(config, api, details, new VmStore(db.daemonPool()), java.util.Set.of(),
                     Clock.systemUTC())) {
            api.name(NAME);
            outcomes.add(sync.run(SyncMode.RECONCILE));
            api.name(RENAMED);
            outcomes.add(sync.run(SyncMode.POLL));
            for (Level level : List.of(Level.DEBUG, Level.INFO, Level.WARN, Level.ERROR)) {
                messages.addAll(logs.messages(level, "io.pvesync"));
            }
        }

        assertThat(outcomes).extracting(SyncOutcome::result).containsExactly(SyncOutcome.Result.OK, SyncOutcome.Result.OK);
        assertThat(messages).noneMatch(m -> m.contains("\n") || m.contains("\r") || m.contains("\u001b")
                || m.contains("\u202e"));
        // the lines are there, with the texts escaped
        String escapedForgery = "\\n2026-01-01T00:00:00.000Z ERROR Daemon - forged: all rows deleted";
        assertThat(messages)
                .anyMatch(m -> m.contains("insert: name \"web" + escapedForgery + "\\u001b[2J\\u202e\""))
                .anyMatch(m -> m.contains("-> \"db\\r" + escapedForgery + "\""))
                .anyMatch(m -> m.contains("no address: guest agent error: command disabled" + escapedForgery
                        + "\\u001b[31m"));
        try (Connection c = db.ownerConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT name FROM public.vms WHERE vmid = 100")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo(RENAMED);
        }
    }
}
