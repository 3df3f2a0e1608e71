package io.pvesync.status;

import static io.pvesync.status.Outcomes.applied;
import static org.assertj.core.api.Assertions.assertThat;

import io.pvesync.inventory.AddressLookups;
import io.pvesync.sync.SyncMode;
import io.pvesync.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.Test;

/** The status page as rendered, read back by an HTML5 parser as a browser would read it. */
class StatusPageTest {
    private static final Instant START = Instant.parse("2026-03-01T10:00:00Z");
    private static final String HOSTILE = "<script>alert(\"pwned\")</script> & 'x' <img src=x onerror=alert(1)>";
    private static final String API_DOWN = "Proxmox API: cluster edge: all 2 endpoints failed; rows left as they were";

    private final MutableClock clock = new MutableClock(START);

    private Document render(SyncHealth health) {
        return Jsoup.parse(StatusPage.render(new StatusPage.View(health.health(), health.clusters(), "pvesync1/4711",
                "1.2.3", health.now(), health.staleAfter(), health.startedAt())));
    }

    private static Element cluster(Document page, String name) {
        // by attribute value as parsed, not by a selector: the name may hold any character
        return page.select("section.cluster").stream().filter(s -> s.attr("data-cluster").equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no section of cluster " + name + " in " + page.body().html()));
    }

    private static String fact(Element section, String label) {
        return section.select("table.facts tr").stream().filter(tr -> tr.selectFirst("th").text().equals(label))
                .findFirst().map(tr -> tr.selectFirst("td").text()).orElseThrow(() -> new AssertionError(
                        "no row " + label + " in " + section.outerHtml()));
    }

    @Test
    void everyStateShowsInAWordASignAndAColour() {
        SyncHealth health = new SyncHealth(List.of("lab", "prod", "edge", "new", "busy"), Duration.ofMinutes(5), clock);
        health.finished(Outcomes.ok("lab", START));
        health.finished(Outcomes.degraded("prod", START));
        health.finished(Outcomes.failed("edge", START, API_DOWN));
        health.started("busy", SyncMode.RECONCILE);

        Document page = render(health);

        Map<String, String> expected = Map.of("lab", "ok", "prod", "degraded", "edge", "failed", "new", "starting",
                "busy", "running");
        Map<String, String> signs = Map.of("ok", "✓", "degraded", "!", "failed", "✗", "starting", "…", "running", "↻");
        expected.forEach((name, state) -> {
            Element section = cluster(page, name);
            assertThat(section.attr("data-state")).as(name).isEqualTo(state);
            assertThat(section.hasClass("s-" + state)).as(name).isTrue();
            assertThat(section.selectFirst("h2 .name").text()).isEqualTo(name);
            Element badge = section.selectFirst("h2 .badge");
            assertThat(badge.text()).as(name).isEqualTo(signs.get(state) + " " + state);
            assertThat(badge.hasClass("s-" + state)).as(name).isTrue();
        });
        assertThat(page.select("section.cluster").eachAttr("data-cluster"))
                .as("config order, as /status").containsExactly("lab", "prod", "edge", "new", "busy");
        // the colours behind those classes are in the page's one style sheet
        String css = page.selectFirst("style").data();
        assertThat(css).contains(".s-ok{background:#1a7f37}", ".s-degraded{background:#9a6700}",
                ".s-failed{background:#cf222e}", ".s-starting{background:#59636e}", ".s-running{background:#0969da}");
    }

    @Test
    void healthVerdictAndReasonsAreWordForWordWhatHealthSays() {
        SyncHealth health = new SyncHealth(List.of("lab", "prod"), Duration.ofMinutes(5), clock);
        health.finished(Outcomes.ok("lab", START));
        health.finished(Outcomes.degraded("prod", START));

        Element verdict = render(health).getElementById("health");

        assertThat(verdict.attr("data-health")).isEqualTo("unhealthy");
        assertThat(verdict.hasClass("s-unhealthy")).isTrue();
        assertThat(verdict.select("li").eachText()).containsExactlyElementsOf(health.health().reasons());
        assertThat(verdict.ownText()).startsWith("✗ Unhealthy");
    }

    @Test
    void healthyPageSaysSoWithoutReasons() {
        SyncHealth health = new SyncHealth(List.of("lab"), Duration.ofMinutes(5), clock);
        health.finished(Outcomes.ok("lab", START));

        Document page = render(health);

        assertThat(page.getElementById("health").attr("data-health")).isEqualTo("ok");
        assertThat(page.getElementById("health").text()).isEqualTo("✓ Healthy: every cluster synced recently");
        assertThat(page.title()).isEqualTo("pvesync: ok - pvesync1/4711");
    }

    @Test
    void aClusterThatNeverRanSaysSoInEveryRow() {
        SyncHealth health = new SyncHealth(List.of("new"), Duration.ofMinutes(5), clock);

        Document page = render(health);

        Element section = cluster(page, "new");
        assertThat(section.selectFirst(".summary").text()).isEqualTo("No pass has finished yet.");
        assertThat(fact(section, "Last pass")).isEqualTo("none yet");
        assertThat(fact(section, "Rows")).isEqualTo("no pass has written the table yet");
        assertThat(fact(section, "Last success")).isEqualTo("none yet");
        assertThat(fact(section, "Next run")).isEqualTo("not planned by this instance");
        assertThat(fact(section, "Backoff")).isEqualTo("none");
        assertThat(fact(section, "Last error")).isEqualTo("none");
        assertThat(section.select("h3")).as("no lookups to show before a pass wrote the table").isEmpty();
        assertThat(page.getElementById("health").attr("data-health")).isEqualTo("starting");
        assertThat(page.getElementById("health").selectFirst("li").text())
                .isEqualTo("cluster new is starting: no pass has finished since pvesync started 0s ago");
    }

    @Test
    void anEmptyClusterListRendersAPageThatSaysSo() {
        Document page = Jsoup.parse(StatusPage.render(new StatusPage.View(new Health(true, List.of()), List.of(), "",
                "1.2.3", START, Duration.ofMinutes(5), START)));

        assertThat(page.select("section.cluster")).isEmpty();
        assertThat(page.selectFirst("main").text()).isEqualTo("No cluster is configured.");
        assertThat(page.selectFirst("header .meta").text())
                .isEqualTo("instance (unnamed) · pvesync 1.2.3 · shown at 2026-03-01 10:00:00 UTC · reloads every 10 s");
    }

    @Test
    void aFailedClusterShowsItsPassErrorBackoffAndNextRun() {
        SyncHealth health = new SyncHealth(List.of("edge"), Duration.ofMinutes(5), clock);
        health.finished(Outcomes.ok("edge", START, Duration.ofMillis(212), applied(3, 1, 40, 2, 1),
                Map.of(), AddressLookups.NONE, 4));
        clock.advance(Duration.ofSeconds(30));
        health.finished(Outcomes.failed("edge", clock.instant(), API_DOWN));
        health.backingOff("edge", clock.instant().plusSeconds(60));
        health.scheduled("edge", clock.instant().plusSeconds(60));
        clock.advance(Duration.ofSeconds(10));

        Element section = cluster(render(health), "edge");

        assertThat(fact(section, "Last pass")).isEqualTo("failed · poll pass began 2026-03-01 10:00:30 UTC (10s ago),"
                + " took 5000 ms, 0 API requests");
        assertThat(fact(section, "Rows")).isEqualTo("3 inserted, 1 updated, 40 unchanged, 2 missing, 1 held, 2 skipped");
        assertThat(fact(section, "Last success")).isEqualTo("2026-03-01 10:00:00 UTC (39s ago)");
        assertThat(fact(section, "Backoff"))
                .isEqualTo("scheduled passes rest until 2026-03-01 10:01:30 UTC (in 50s)");
        assertThat(fact(section, "Next run")).isEqualTo("2026-03-01 10:01:30 UTC (in 50s)");
        assertThat(fact(section, "Failures in a row")).isEqualTo("1");
        assertThat(fact(section, "Last error")).isEqualTo(API_DOWN + " (pass of 2026-03-01 10:00:30 UTC (10s ago))");
        assertThat(section.selectFirst("span.problem").text()).isEqualTo(API_DOWN);
        assertThat(section.selectFirst(".summary").text())
                .isEqualTo("The latest pass failed and wrote nothing; the rows are as the last success left them.");
    }

    @Test
    void aClusterThatOnlyFailedSaysNoPassWroteTheTable() {
        SyncHealth health = new SyncHealth(List.of("edge"), Duration.ofMinutes(5), clock);
        health.finished(Outcomes.failed("edge", START, API_DOWN));
        health.started("edge", SyncMode.POLL);

        Element section = cluster(render(health), "edge");

        assertThat(section.attr("data-state")).isEqualTo("running");
        assertThat(section.selectFirst(".summary").text()).isEqualTo("A pass is running; the one before was failed.");
        assertThat(fact(section, "Running now")).as("an unnamed instance is not named")
                .isEqualTo("poll pass since 2026-03-01 10:00:00 UTC (now)");
        health.finished(Outcomes.failed("edge", START, API_DOWN));
        assertThat(cluster(render(health), "edge").selectFirst(".summary").text())
                .isEqualTo("The latest pass failed and wrote nothing; no pass has written the table yet.");
    }

    @Test
    void anErrorFromBeforeTheLastSuccessIsShownAsPast() {
        SyncHealth health = new SyncHealth(List.of("lab"), Duration.ofMinutes(5), clock);
        health.finished(Outcomes.failed("lab", START, API_DOWN));
        health.finished(Outcomes.ok("lab", START.plusSeconds(30)));

        Element section = cluster(render(health), "lab");

        assertThat(section.select("span.problem")).isEmpty();
        assertThat(section.selectFirst("span.old").text()).isEqualTo(API_DOWN);
        assertThat(fact(section, "Last error")).endsWith("; synced since)");
    }

    /**
     * /health says 503 for a cluster whose last success is older than stale-after, whatever its
     * latest pass said: the cluster's own panel must not show a green "ok" beside that red verdict
     * (nor a calm "running" when the pass hangs).
     */
    @Test
    void aClusterNotSyncedForStaleAfterIsShownStaleNotOk() {
        SyncHealth health = new SyncHealth(List.of("lab", "busy", "fresh"), Duration.ofMinutes(5), clock);
        health.finished(Outcomes.ok("lab", START));
        health.finished(Outcomes.ok("busy", START));
        clock.advance(Duration.ofMinutes(1));
        health.started("busy", SyncMode.POLL); // and hangs
        clock.advance(Duration.ofMinutes(9));
        health.finished(Outcomes.ok("fresh", clock.instant().minusSeconds(1)));

        Document page = render(health);

        assertThat(health.health().reasons()).anyMatch(r -> r.startsWith("cluster lab has not synced for"))
                .anyMatch(r -> r.startsWith("cluster busy has not synced for"));
        for (String name : List.of("lab", "busy")) {
            Element section = cluster(page, name);
            assertThat(section.attr("data-stale")).as(name).isEqualTo("true");
            assertThat(section.hasClass("s-ok")).as(name).isFalse();
            assertThat(section.select("h2 .badge.s-stale").text()).as(name).isEqualTo("✗ stale");
            assertThat(section.selectFirst(".summary").text()).as(name)
                    .startsWith("Not synced for 9m 59s")
                    .contains("longer than status.stale-after (5m): /health answers 503");
        }
        assertThat(cluster(page, "lab").attr("data-state")).as("/status's state, unchanged").isEqualTo("ok");
        assertThat(cluster(page, "busy").selectFirst(".summary").text()).endsWith("503. A pass is running; the one"
                + " before was ok.");
        Element fresh = cluster(page, "fresh");
        assertThat(fresh.hasAttr("data-stale")).isFalse();
        assertThat(fresh.select(".badge.s-stale")).isEmpty();
        assertThat(fresh.hasClass("s-ok")).isTrue();
    }

    @Test
    void aClusterWithoutASuccessForStaleAfterSinceTheStartIsShownAsHealthCountsIt() {
        SyncHealth health = new SyncHealth(List.of("lab"), Duration.ofMinutes(5), clock);
        health.started("lab", SyncMode.RECONCILE); // the first pass hangs
        clock.advance(Duration.ofMinutes(4));
        assertThat(cluster(render(health), "lab").hasAttr("data-stale")).as("still starting").isFalse();

        clock.advance(Duration.ofMinutes(2));
        Element section = cluster(render(health), "lab");

        assertThat(health.health().reasons()).anyMatch(r -> r.startsWith("cluster lab has not synced yet"));
        assertThat(section.attr("data-stale")).isEqualTo("true");
        assertThat(section.select("h2 .badge.s-stale").text()).isEqualTo("✗ stale");
        assertThat(section.selectFirst(".summary").text()).startsWith("No pass has succeeded in the 6m since pvesync"
                + " started, longer than status.stale-after (5m): /health answers 503.");
    }

    @Test
    void aRunningPassSaysSinceWhenAndWhere() {
        SyncHealth health = new SyncHealth(Map.of("lab", io.pvesync.config.MissingPolicy.DEFAULT),
                Duration.ofMinutes(5), clock, "pvesync2/99", null);
        health.started("lab", SyncMode.POLL);
        clock.advance(Duration.ofSeconds(3));

        Element section = cluster(render(health), "lab");

        assertThat(fact(section, "Running now")).isEqualTo("poll pass since 2026-03-01 10:00:00 UTC (3s ago) on pvesync2/99");
        assertThat(section.selectFirst(".summary").text()).isEqualTo("A pass is running.");
    }

    @Test
    void theLookupQueueNodesLeftAloneAndVmsWithoutAddressAreListed() {
        SyncHealth health = new SyncHealth(List.of("lab"), Duration.ofMinutes(5), clock);
        AddressLookups lookups = new AddressLookups(5, 1, 2, new AddressLookups.Skipped(14, 3, 0),
                Map.of("pve2", "not answering in time: read timed out after 10s; 14 lookups skipped"),
                Optional.of(START.minusSeconds(120)));
        health.finished(Outcomes.ok("lab", START, Duration.ofSeconds(12), applied(0, 0, 40, 0, 0),
                Map.of(231, "no address configured", 104, "guest agent not running"), lookups, 30));

        Element section = cluster(render(health), "lab");

        assertThat(fact(section, "Address lookups")).isEqualTo("5 found, 1 without an address, 2 failed");
        assertThat(fact(section, "Lookup queue")).isEqualTo("8 done this pass, 17 waiting for a later one"
                + " (node left alone: 14, budget spent: 3, API down: 0); the oldest has waited since"
                + " 2026-03-01 09:58:00 UTC (2m ago)");
        assertThat(section.select("table.nodes tr").eachText())
                .containsExactly("pve2 not answering in time: read timed out after 10s; 14 lookups skipped");
        assertThat(section.select("h3").eachText()).containsExactly("Nodes left alone (1)", "VMs without an address (2)");
        assertThat(section.select("table.vms tr").eachText())
                .containsExactly("VMID why", "104 guest agent not running", "231 no address configured");
    }

    @Test
    void vmsWithoutAddressAreCutWhereStatusCutsThem() {
        SyncHealth health = new SyncHealth(List.of("lab"), Duration.ofMinutes(5), clock);
        Map<Integer, String> notes = new HashMap<>();
        for (int vmid = 100; vmid < 100 + StatusJson.MAX_LISTED_VMS + 7; vmid++) {
            notes.put(vmid, "guest agent not running");
        }
        health.finished(Outcomes.ok("lab", START, Duration.ofSeconds(1), applied(0, 0, notes.size(), 0, 0), notes,
                AddressLookups.NONE, 1));

        Element section = cluster(render(health), "lab");

        assertThat(section.select("table.vms td.vmid")).hasSize(StatusJson.MAX_LISTED_VMS);
        assertThat(section.select("p.quiet").last().text()).isEqualTo("and 7 more, not listed here or in /status");
    }

    @Test
    void markupInNamesErrorsAndNotesIsShownAsTextAndNeverBecomesAnElement() {
        String name = "lab\"><script>alert('name')</script>&amp;";
        SyncHealth health = new SyncHealth(List.of(name), Duration.ofMinutes(5), clock);
        AddressLookups lookups = new AddressLookups(0, 1, 0, new AddressLookups.Skipped(1, 0, 0),
                Map.of("pve<b>2</b>", HOSTILE), Optional.empty());
        health.finished(Outcomes.ok(name, START, Duration.ofSeconds(1), applied(0, 0, 2, 0, 0),
                Map.of(104, "guest agent error: " + HOSTILE), lookups, 3));
        health.finished(Outcomes.failed(name, START.plusSeconds(5), "HTTP 500 " + HOSTILE));

        Document page = render(health);

        Element section = cluster(page, name);
        assertThat(section.selectFirst("h2 .name").text()).isEqualTo(name);
        assertThat(section.selectFirst("span.problem").text()).isEqualTo("HTTP 500 " + HOSTILE);
        assertThat(section.select("table.nodes th").text()).isEqualTo("pve<b>2</b>");
        assertThat(section.select("table.nodes td").text()).isEqualTo(HOSTILE);
        assertThat(section.select("table.vms td").eachText()).containsExactly("104", "guest agent error: " + HOSTILE);
        assertThat(page.getElementById("health").select("li").eachText()).containsExactlyElementsOf(health.health().reasons());
        assertThat(page.select("script, img, main b")).as("no element made from the data").isEmpty();
        assertThat(page.select("[onerror]")).isEmpty();
        assertThat(page.select("section.cluster")).hasSize(1);
    }

    @Test
    void thePageLoadsNothingFromAnywhereAndReloadsItself() {
        SyncHealth health = new SyncHealth(List.of("lab"), Duration.ofMinutes(5), clock);
        health.finished(Outcomes.ok("lab", START));

        Document page = render(health);

        assertThat(page.select("script, img, link, iframe, object, embed, form")).isEmpty();
        assertThat(page.select("[src]")).isEmpty();
        assertThat(page.select("[href]").eachAttr("href")).containsExactly("/status", "/health", "/metrics");
        assertThat(page.select("style")).hasSize(1);
        assertThat(page.selectFirst("style").data()).doesNotContain("url(", "@import");
        assertThat(page.select("[style]")).as("inline style attributes are blocked by the CSP").isEmpty();
        assertThat(page.selectFirst("meta[http-equiv=refresh]").attr("content"))
                .isEqualTo(String.valueOf(StatusPage.REFRESH_SECONDS));
        assertThat(page.charset().name()).isEqualTo("UTF-8");
    }

    @Test
    void theCspAllowsExactlyThePagesStyleSheetByItsHash() {
        SyncHealth health = new SyncHealth(List.of("lab"), Duration.ofMinutes(5), clock);

        String css = render(health).selectFirst("style").data();

        assertThat(StatusPage.CONTENT_SECURITY_POLICY).isEqualTo("default-src 'none'; style-src '"
                + StatusPage.sha256(css) + "'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
        // a known vector: sha256 of "" is 47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=
        assertThat(StatusPage.sha256("")).isEqualTo("sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
    }
}
