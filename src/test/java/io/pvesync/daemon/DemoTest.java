package io.pvesync.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvesync.testing.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code pvesync demo}: on a database that does not exist yet, rows appear and then change. */
class DemoTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    @TempDir
    Path dir;

    private static int count(String sql) throws Exception {
        try (Connection c = db.ownerConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** The psql command the demo's instructions print after {@code label}. */
    private static String hint(Demo demo, String label) {
        return demo.instructions().lines().map(String::strip).filter(l -> l.startsWith(label + " "))
                .map(l -> l.substring(label.length()).strip()).findFirst()
                .orElseThrow(() -> new AssertionError("no " + label + " line in:\n" + demo.instructions()));
    }

    @Test
    void demoCreatesItsDatabaseAndRowsAppearAndChange() throws Exception {
        // the demo is given its own database URL on the test server: it must create that database
        String demoUrl = db.url().replace(db.name(), db.name() + "_demo");
        Demo.Options options = new Demo.Options(demoUrl, db.ownerUser(), db.ownerPassword(), 0, 12,
                Duration.ofSeconds(1), Duration.ofMillis(300), dir);
        try (Demo demo = Demo.start(options)) {
            assertThat(demo.instructions()).contains("curl -s http://127.0.0.1:" + demo.statusPort() + "/status");
            assertThat(demo.instructions().lines().findFirst()).as("the page's URL comes first")
                    .contains("status page: http://127.0.0.1:" + demo.statusPort()
                            + "/  (open it in a browser; it reloads itself)");
            String rowsHint = hint(demo, "rows:");
            String historyHint = hint(demo, "history:");
            assertThat(historyHint).as("the same psql as the rows line").startsWith(
                    rowsHint.substring(0, rowsHint.indexOf(" -c ")) + " -c ");
            assertThat(historyHint).endsWith(" -c \"SELECT changed_at, vmid, kind, changes FROM vm_changes"
                    + " ORDER BY id DESC LIMIT 20\"");
            try (Connection c = java.sql.DriverManager.getConnection(demoUrl, db.ownerUser(), db.ownerPassword());
                 Statement st = c.createStatement()) {
                for (String hint : java.util.List.of(rowsHint, historyHint)) {
                    String sql = hint.substring(hint.indexOf(" -c \"") + 5, hint.length() - 1);
                    st.executeQuery(sql).close(); // the hinted query runs on the demo's database
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                int rows = 0;
                int changed = 0;
                // until both hold: the demo takes a node offline now and then, and a first pass that meets it
                // offline inserts only the other nodes' guests
                while (System.nanoTime() < deadline && (rows <= 10 || changed == 0)) {
                    Thread.sleep(200);
                    try (ResultSet rs = st.executeQuery("SELECT count(*), count(*) FILTER (WHERE updated_at > created_at)"
                            + " FROM public.vms WHERE proxmox_cluster = 'demo'")) {
                        rs.next();
                        rows = rs.getInt(1);
                        changed = rs.getInt(2);
                    }
                }
                assertThat(rows).as("rows synced from the simulated cluster").isGreaterThan(10);
                assertThat(changed).as("rows changed as the simulated cluster changed").isPositive();
            }
            HttpResponse<String> health = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + demo.statusPort() + "/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
            HttpResponse<String> page = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(Demo.pageUrl(demo.statusPort()))).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.headers().firstValue("Content-Type")).contains("text/html; charset=utf-8");
            assertThat(org.jsoup.Jsoup.parse(page.body()).select("section.cluster").eachAttr("data-cluster"))
                    .containsExactly("demo");
        } finally {
            try (Connection c = db.ownerConnection(); Statement st = c.createStatement()) {
                st.execute("DROP DATABASE IF EXISTS " + db.name() + "_demo WITH (FORCE)");
            }
        }
        assertThat(count("SELECT count(*) FROM pg_roles WHERE rolname = '" + Demo.DAEMON_ROLE + "'")).isEqualTo(1);
    }
}
