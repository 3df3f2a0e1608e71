package io.pvesync.status;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.pvesync.inventory.AddressLookups;
import io.pvesync.sync.SyncMode;
import io.pvesync.testing.HeadlessChromium;
import io.pvesync.testing.MutableClock;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The status page in a real browser (Debian's chromium, headless) against a real status server:
 * chromium's own DOM, not our idea of it, must show every state and carry hostile text as text,
 * and chromium's network log must show no request to anywhere but the page's own address.
 */
class StatusPageBrowserTest {
    private static final Instant START = Instant.parse("2026-03-01T10:00:00Z");
    /** What a guest, or a Proxmox error quoting one, could put in front of the operator. */
    private static final String MARKUP = "<img src=x onerror=alert(1)><script>document.title='pwned'</script>\"&'";

    @TempDir
    Path work;

    private final HeadlessChromium chromium = HeadlessChromium.find();
    private StatusServer server;
    private HttpServer foreign;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        if (foreign != null) {
            foreign.stop(0);
        }
    }

    private URI serve(SyncHealth health) throws Exception {
        server = new StatusServer(new InetSocketAddress("127.0.0.1", 0), Optional.empty(), health,
                new Metrics(health.clusterNames()), new FakeTrigger());
        server.start();
        return URI.create("http://127.0.0.1:" + server.address().getPort() + "/");
    }

    private static Element cluster(Document dom, String name) {
        return dom.select("section.cluster").stream().filter(s -> s.attr("data-cluster").equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no section of cluster " + name + " in " + dom.body().html()));
    }

    @Test
    void everyClustersStateShowsAndMarkupStaysText() throws Exception {
        MutableClock clock = new MutableClock(START);
        SyncHealth health = new SyncHealth(List.of("lab", "prod", "edge", "new", "busy"), Duration.ofMinutes(5), clock);
        health.finished(Outcomes.ok("lab", START, Duration.ofMillis(212), Outcomes.applied(0, 1, 40, 0, 0),
                Map.of(104, "guest agent error: " + MARKUP), new AddressLookups(0, 1, 0), 4));
        health.finished(Outcomes.degraded("prod", START));
        health.finished(Outcomes.failed("edge", START, "HTTP 500 " + MARKUP));
        health.started("busy", SyncMode.RECONCILE);
        URI page = serve(health);

        HeadlessChromium.Page loaded = chromium.load(page, work);

        Document dom = Jsoup.parse(loaded.dom());
        Map.of("lab", "ok", "prod", "degraded", "edge", "failed", "new", "starting", "busy", "running")
                .forEach((name, state) -> {
                    Element section = cluster(dom, name);
                    assertThat(section.attr("data-state")).as(name).isEqualTo(state);
                    assertThat(section.selectFirst("h2 .badge").text()).as(name).endsWith(" " + state);
                });
        assertThat(cluster(dom, "edge").selectFirst("span.problem").text()).isEqualTo("HTTP 500 " + MARKUP);
        assertThat(cluster(dom, "lab").select("table.vms td").eachText())
                .containsExactly("104", "guest agent error: " + MARKUP);
        assertThat(dom.select("img, script, [onerror]")).as("nothing the data says became an element").isEmpty();
        assertThat(dom.title()).as("no script ran").isEqualTo("pvesync: unhealthy");
        assertThat(loaded.requests()).as("chromium asked only the page's own server")
                .allSatisfy(u -> assertThat(u.getAuthority()).isEqualTo(page.getAuthority()))
                .contains(page);
    }

    @Test
    void theStyleSheetAppliesUnderThePagesOwnPolicy() throws Exception {
        SyncHealth health = new SyncHealth(List.of("lab"), Duration.ofMinutes(5), new MutableClock(START));
        health.finished(Outcomes.ok("lab", START));
        Path png = work.resolve("page.png");

        chromium.screenshot(serve(health), png, 1200, 900, work);

        // a blocked style sheet would leave the page white: the green of "ok" shows it was applied
        java.awt.image.BufferedImage image = javax.imageio.ImageIO.read(png.toFile());
        assertThat(image.getWidth()).isEqualTo(1200);
        boolean green = false;
        for (int y = 0; y < image.getHeight() && !green; y += 2) {
            for (int x = 0; x < image.getWidth() && !green; x += 2) {
                green = (image.getRGB(x, y) & 0xFFFFFF) == 0x1a7f37;
            }
        }
        assertThat(green).as("the ok colour #1a7f37 is somewhere on the screenshot").isTrue();
    }

    /** The request check can fail: a page that reaches for another host is caught by it. */
    @Test
    void aPageThatLoadsFromAnotherHostIsCaught() throws Exception {
        foreign = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        foreign.createContext("/", exchange -> {
            byte[] body = "<p>x</p><img src=\"http://elsewhere.invalid/x.png\">".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        foreign.start();
        URI page = URI.create("http://127.0.0.1:" + foreign.getAddress().getPort() + "/");

        HeadlessChromium.Page loaded = chromium.load(page, work);

        assertThat(loaded.requests()).contains(URI.create("http://elsewhere.invalid/x.png"));
        assertThat(Files.exists(work.resolve("net-log.json"))).isTrue();
    }
}
