package io.pvesync.status;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Objects;

/**
 * The status page ({@code GET /}) for a person, built from exactly what {@code /health} and
 * {@code /status} answer from, so the three cannot tell different stories. Plain HTML with one
 * inline style sheet: no script, no image, nothing fetched from anywhere (the page's
 * Content-Security-Policy, {@link #CONTENT_SECURITY_POLICY}, allows that one style sheet and
 * nothing else). Every text that is not the page's own goes through {@link Html}. It reloads itself
 * every {@link #REFRESH_SECONDS} seconds.
 */
final class StatusPage {
    /** Often enough to follow a 30 s poll; the data behind it is re-read every 2 s. */
    static final int REFRESH_SECONDS = 10;

    /**
     * States have a word and a sign besides their colour, so the page reads the same without colour.
     * The colours are dark enough for white text (WCAG AA).
     */
    static final String CSS = """
            :root{color-scheme:light;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;\
            font-size:15px;color:#1f2328;background:#f6f8fa}
            body{margin:0 auto;max-width:72rem;padding:1rem 1.5rem}
            h1{font-size:1.4rem;margin:.2rem 0}
            h2{font-size:1.2rem;margin:0 0 .6rem;display:flex;gap:.6rem;align-items:center;flex-wrap:wrap}
            h3{font-size:1rem;margin:1rem 0 .3rem}
            .meta{color:#59636e;margin:.2rem 0 .8rem}
            .verdict{padding:.6rem .9rem;border-radius:6px;color:#fff;font-weight:600}
            .verdict ul{margin:.3rem 0 0;padding-left:1.2rem;font-weight:400}
            .cluster{background:#fff;border:1px solid #d1d9e0;border-left:.5rem solid #59636e;border-radius:6px;\
            padding:.8rem 1rem;margin:1rem 0}
            .badge{color:#fff;border-radius:1rem;padding:.1rem .7rem;font-size:.95rem;text-transform:uppercase;\
            letter-spacing:.03em}
            .summary{margin:0 0 .6rem;font-weight:600}
            table{border-collapse:collapse;width:100%}
            th,td{text-align:left;vertical-align:top;padding:.25rem .6rem .25rem 0;border-top:1px solid #eef1f4}
            th{width:12rem;font-weight:600;color:#3d444d}
            .vms th{width:auto}.vms td.vmid{width:5rem;font-variant-numeric:tabular-nums}.vms td+td{width:100%}
            .problem{color:#a40e26;white-space:pre-wrap;overflow-wrap:anywhere}
            .quiet{color:#59636e}
            .old{color:#59636e}
            footer{color:#59636e;margin:1.5rem 0 .5rem;font-size:.9rem}
            .s-ok{background:#1a7f37}.cluster.s-ok{border-left-color:#1a7f37;background:#fff}
            .s-degraded{background:#9a6700}.cluster.s-degraded{border-left-color:#9a6700;background:#fffbeb}
            .s-failed{background:#cf222e}.cluster.s-failed{border-left-color:#cf222e;background:#fff5f5}
            .s-starting{background:#59636e}.cluster.s-starting{border-left-color:#59636e;background:#fff}
            .s-running{background:#0969da}.cluster.s-running{border-left-color:#0969da;background:#fff}
            .s-unhealthy{background:#cf222e}
            .s-stale{background:#cf222e}.cluster.stale{border-left-color:#cf222e;background:#fff5f5}
            """;

    /**
     * Nothing but this page's own style sheet (by its hash, so not even an injected {@code style}
     * element would apply): no script, image, font, frame, form target or base URL, from anywhere.
     */
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; style-src '" + sha256(CSS) + "';"
            + " base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    /**
     * What the page shows, read at one moment.
     *
     * @param instance this instance's name (host/pid); empty when it has none
     * @param version    pvesync's version
     * @param staleAfter status.stale-after: a cluster whose last success is older is shown stale, as
     *                   /health counts it
     * @param upSince    when this instance started: a cluster without a success for stale-after since
     *                   then is shown as /health counts it too
     */
    record View(Health health, List<ClusterState> clusters, String instance, String version, Instant now,
                Duration staleAfter, Instant upSince) {
        View {
            Objects.requireNonNull(health, "health");
            clusters = List.copyOf(clusters);
            Objects.requireNonNull(now, "now");
            Objects.requireNonNull(staleAfter, "staleAfter");
            Objects.requireNonNull(upSince, "upSince");
        }
    }

    private StatusPage() {
    }

    static String render(View view) {
        StringBuilder out = new StringBuilder(8192);
        String verdict = view.health().word();
        out.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta http-equiv=\"refresh\" content=\"").append(REFRESH_SECONDS).append("\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>pvesync: ").append(verdict)
                .append(view.instance().isEmpty() ? "" : " - " + Html.text(view.instance())).append("</title>\n")
                .append("<style>").append(CSS).append("</style>\n</head>\n<body>\n<header>\n")
                .append("<h1>pvesync status</h1>\n<p class=\"meta\">instance <b>")
                .append(view.instance().isEmpty() ? "(unnamed)" : Html.text(view.instance()))
                .append("</b> · pvesync ").append(Html.text(view.version()))
                .append(" · shown at ").append(PageTimes.utc(view.now()))
                .append(" · reloads every ").append(REFRESH_SECONDS).append(" s</p>\n");
        verdict(out, view.health());
        out.append("</header>\n<main>\n");
        if (view.clusters().isEmpty()) {
            out.append("<p class=\"quiet\">No cluster is configured.</p>\n");
        }
        for (ClusterState cluster : view.clusters()) {
            ClusterPanel.render(out, cluster, view.now(), view.staleAfter(), view.upSince());
        }
        out.append("</main>\n<footer>The same data as JSON: <a href=\"/status\">/status</a> · health:")
                .append(" <a href=\"/health\">/health</a> · metrics: <a href=\"/metrics\">/metrics</a></footer>\n")
                .append("</body>\n</html>\n");
        return out.toString();
    }

    /** /health's verdict and reasons, word for word. */
    private static void verdict(StringBuilder out, Health health) {
        String word = health.word();
        String css = health.healthy() ? "s-ok" : health.starting() ? "s-starting" : "s-unhealthy";
        out.append("<div class=\"verdict ").append(css).append("\" id=\"health\" data-health=\"").append(word)
                .append("\">").append(sign(word)).append(' ')
                .append(health.healthy() ? "Healthy: every cluster synced recently"
                        : health.starting() ? "Starting: not every cluster has finished a pass yet"
                        : "Unhealthy: /health answers 503");
        if (!health.reasons().isEmpty()) {
            out.append("\n<ul>");
            health.reasons().forEach(r -> out.append("<li>").append(Html.text(r)).append("</li>"));
            out.append("</ul>");
        }
        out.append("</div>\n");
    }

    /** A sign that says the state without colour: check, exclamation, cross, ellipsis, arrow. */
    static String sign(String state) {
        return switch (state) {
            case "ok" -> "✓";
            case "degraded" -> "!";
            case "failed", "unhealthy" -> "✗";
            case "running" -> "↻";
            default -> "…";
        };
    }

    /** The CSP source for an inline style sheet: {@code sha256-BASE64} of its exact text. */
    static String sha256(String css) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(css.getBytes(StandardCharsets.UTF_8));
            return "sha256-" + Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
