package io.pvesync.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.pvesync.sim.ProxmoxSimulator;
import io.pvesync.sim.SimVm;
import io.pvesync.store.Migrations;
import io.pvesync.testing.DaemonConfigFile;
import io.pvesync.testing.HeadlessChromium;
import io.pvesync.testing.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole daemon's status page in headless chromium, with text a guest controls in it.
 *
 * <p>Which text: a QEMU VM's name cannot carry markup on a real Proxmox (qemu-server declares
 * {@code name} as format {@code dns-name}, and an LXC {@code hostname} is a {@code dns-name} too),
 * but the error its guest agent answers with is passed through as it is (HTTP 200
 * {@code result.error.desc}, PROXMOX-API.md §4.1): qemu-ga runs inside the guest, so whoever owns
 * the guest writes that text, and pvesync shows it as the reason the VM has no address.
 */
class DaemonStatusPageBrowserTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    private static final String MARKUP = "<img src=x onerror=alert(1)>";

    @TempDir
    Path dir;

    @Test
    void aGuestAgentsMarkupShowsAsTextOnTheDaemonsPage() throws Exception {
        HeadlessChromium chromium = HeadlessChromium.find();
        try (HikariDataSource owner = db.ownerPool()) {
            Migrations.migrate(owner);
        }
        db.grantDaemon();
        try (Connection c = db.ownerConnection(); Statement st = c.createStatement()) {
            st.execute("TRUNCATE public.vms, pvesync.cluster_state");
        }
        try (ProxmoxSimulator sim = ProxmoxSimulator.builder().nodes(2).vms(8).containers(1).endpoints(1).tls(true)
                .seed(11).start()) {
            List<Integer> hostile = sim.vms().stream()
                    .filter(vm -> vm.kind() == SimVm.Kind.QEMU && !vm.template() && "running".equals(vm.status()))
                    .map(SimVm::vmid).toList();
            assertThat(hostile).as("running QEMU VMs in the simulated cluster").isNotEmpty();
            hostile.forEach(vmid -> sim.agentError(vmid, MARKUP));
            DaemonConfigFile file = new DaemonConfigFile(sim, db);
            try (Daemon daemon = Daemon.start(file.load(dir), Clock.systemUTC(), "pvesync-test/1")) {
                URI page = URI.create("http://127.0.0.1:" + daemon.statusAddress().getPort() + "/");
                awaitStatusContaining(page.resolve("/status"), "guest agent error: " + MARKUP);

                HeadlessChromium.Page loaded = chromium.load(page, dir);

                Document dom = Jsoup.parse(loaded.dom());
                Element section = dom.selectFirst("section.cluster[data-cluster=" + DaemonConfigFile.CLUSTER + "]");
                assertThat(section).isNotNull();
                assertThat(section.attr("data-state")).isIn("ok", "running");
                assertThat(section.select("table.vms td").eachText())
                        .anySatisfy(t -> assertThat(t).startsWith("guest agent error: " + MARKUP));
                assertThat(dom.select("img, script, [onerror]")).isEmpty();
                assertThat(dom.selectFirst("header .meta").text()).startsWith("instance pvesync-test/1 · pvesync ");
                assertThat(loaded.requests())
                        .allSatisfy(u -> assertThat(u.getAuthority()).isEqualTo(page.getAuthority()));
            }
        }
    }

    private static void awaitStatusContaining(URI status, String text) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        String body = "";
        while (System.nanoTime() < deadline) {
            body = http.send(HttpRequest.newBuilder(status).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            // /status is JSON: Jackson writes < and > as they are, so the text is found as it is
            if (body.contains(text)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("/status did not show \"" + text + "\" within 30 s: " + body);
    }
}
