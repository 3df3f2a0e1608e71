package io.pvesync.status;

import io.pvesync.inventory.AddressLookups;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One cluster's section of the status page: its state in a word, a sign and a colour, then what
 * {@code /status} says about it, in the order a person on call asks: is it syncing, when did it
 * last, what went wrong, what is it waiting for, which VMs and nodes need a look.
 */
final class ClusterPanel {
    private ClusterPanel() {
    }

    static void render(StringBuilder out, ClusterState c, Instant now, Duration staleAfter, Instant upSince) {
        String state = c.phase().name().toLowerCase(Locale.ROOT);
        Optional<Duration> stale = staleFor(c, now, staleAfter, upSince);
        // a stale cluster keeps /status's state word, but not its calm colour: /health is 503 for it
        out.append("<section class=\"cluster ").append(stale.isPresent() ? "stale" : "s-" + state)
                .append("\" data-cluster=\"").append(Html.attribute(c.name())).append("\" data-state=\"")
                .append(state).append('"').append(stale.isPresent() ? " data-stale=\"true\"" : "").append(">\n")
                .append("<h2><span class=\"name\">").append(Html.text(c.name())).append("</span>")
                .append("<span class=\"badge s-").append(state).append("\">").append(StatusPage.sign(state))
                .append(' ').append(state).append("</span>")
                .append(stale.isPresent() ? "<span class=\"badge s-stale\">" + StatusPage.sign("failed") + " stale</span>"
                        : "").append("</h2>\n")
                .append("<p class=\"summary\">").append(Html.text(summary(c, now, stale, staleAfter))).append("</p>\n")
                .append("<table class=\"facts\">\n");
        c.running().ifPresent(mode -> row(out, "Running now", mode.name().toLowerCase(Locale.ROOT) + " pass"
                + c.lastAttempt().map(t -> " since " + PageTimes.moment(t, now)).orElse("")
                + c.runningOn().filter(i -> !i.isEmpty()).map(i -> " on " + i).orElse("")));
        row(out, "Last pass", lastPass(c, now));
        row(out, "Rows", c.lastApplied().map(a -> counts(a.counts())).orElse("no pass has written the table yet"));
        row(out, "Last success", c.lastSuccess().map(t -> PageTimes.moment(t, now)).orElse("none yet"));
        row(out, "Next run", c.nextRun().map(t -> PageTimes.moment(t, now)).orElse("not planned by this instance"));
        row(out, "Backoff", c.backoffUntil().filter(t -> t.isAfter(now))
                .map(t -> "scheduled passes rest until " + PageTimes.moment(t, now)).orElse("none"));
        row(out, "Failures in a row", String.valueOf(c.consecutiveFailures()));
        lastError(out, c, now);
        c.lastApplied().ifPresent(a -> lookups(out, a.lookups(), now));
        out.append("</table>\n");
        c.lastApplied().ifPresent(a -> {
            nodesLeftAlone(out, a.lookups().nodesLeftAlone());
            withoutAddress(out, a.addressNotes());
        });
        out.append("</section>\n");
    }

    /**
     * How long since the last success (or, without one, since this instance started), when that is
     * longer than {@code staleAfter}: the rules by which /health turns 503 (SyncHealth), whatever the
     * latest pass said or whether one hangs.
     */
    private static Optional<Duration> staleFor(ClusterState c, Instant now, Duration staleAfter, Instant upSince) {
        if (c.lastSuccess().isPresent()) {
            Duration age = Duration.between(c.lastSuccess().get(), now);
            return age.compareTo(staleAfter) > 0 ? Optional.of(age) : Optional.empty();
        }
        Duration up = Duration.between(upSince, now);
        return up.compareTo(staleAfter) >= 0 ? Optional.of(up) : Optional.empty();
    }

    /** One line on top: the answer to "is it all right?"; first that it is stale, when it is. */
    private static String summary(ClusterState c, Instant now, Optional<Duration> stale, Duration staleAfter) {
        if (stale.isEmpty()) {
            return summary(c, now);
        }
        String verdict = (c.lastSuccess().isPresent() ? "Not synced for " : "No pass has succeeded in the ")
                + Ages.format(stale.get()) + (c.lastSuccess().isPresent() ? "" : " since pvesync started")
                + ", longer than status.stale-after (" + Ages.format(staleAfter) + "): /health answers 503.";
        // "Synced 10m ago." would only repeat it
        return c.phase() == ClusterState.Phase.OK ? verdict : verdict + " " + summary(c, now);
    }

    private static String summary(ClusterState c, Instant now) {
        return switch (c.phase()) {
            case STARTING -> "No pass has finished yet.";
            case RUNNING -> "A pass is running" + c.lastPass().map(p -> "; the one before was "
                    + p.result().name().toLowerCase(Locale.ROOT)).orElse("") + ".";
            case OK -> "Synced " + c.lastSuccess().map(t -> PageTimes.relative(t, now)).orElse("") + ".";
            case DEGRADED -> "The latest pass wrote the table, but something needs a look.";
            case FAILED -> "The latest pass failed and wrote nothing; " + (c.lastSuccess().isPresent()
                    ? "the rows are as the last success left them." : "no pass has written the table yet.");
        };
    }

    private static String lastPass(ClusterState c, Instant now) {
        if (c.lastPass().isEmpty()) {
            return "none yet";
        }
        ClusterState.Pass p = c.lastPass().get();
        return p.result().name().toLowerCase(Locale.ROOT) + " · " + p.mode().name().toLowerCase(Locale.ROOT)
                + " pass began " + PageTimes.moment(p.startedAt(), now) + ", took " + PageTimes.span(p.duration())
                + ", " + p.apiRequests() + " API request" + (p.apiRequests() == 1 ? "" : "s")
                + c.lastPassBy().map(i -> ", by " + i).orElse("");
    }

    private static String counts(ClusterState.Counts n) {
        return n.inserted() + " inserted, " + n.updated() + " updated, " + n.unchanged() + " unchanged, "
                + n.missing() + " missing, " + n.held() + " held, " + n.skipped() + " skipped";
    }

    /** The latest problem; one from before the latest success is shown as past, not as news. */
    private static void lastError(StringBuilder out, ClusterState c, Instant now) {
        Optional<ClusterState.Problem> error = c.lastError();
        if (error.isEmpty()) {
            row(out, "Last error", "none");
            return;
        }
        boolean past = c.lastSuccess().isPresent() && error.get().at().isBefore(c.lastSuccess().get())
                && c.phase() != ClusterState.Phase.DEGRADED;
        out.append("<tr><th>Last error</th><td><span class=\"").append(past ? "old" : "problem").append("\">")
                .append(Html.text(error.get().text())).append("</span> <span class=\"quiet\">(pass of ")
                .append(PageTimes.moment(error.get().at(), now)).append(past ? "; synced since" : "")
                .append(")</span></td></tr>\n");
    }

    /** The slow path (DESIGN.md 3.6): lookups made, and the queue of those left for a later pass. */
    private static void lookups(StringBuilder out, AddressLookups l, Instant now) {
        row(out, "Address lookups", l.found() + " found, " + l.none() + " without an address, " + l.failed()
                + " failed");
        AddressLookups.Skipped s = l.skipped();
        String queue = l.done() + " done this pass, " + s.total() + " waiting for a later one";
        if (s.total() > 0) {
            queue += " (node left alone: " + s.node() + ", budget spent: " + s.deadline() + ", API down: " + s.api()
                    + ")";
        }
        queue += l.oldestWaiting().map(t -> "; the oldest has waited since " + PageTimes.moment(t, now)).orElse("");
        row(out, "Lookup queue", queue);
    }

    private static void nodesLeftAlone(StringBuilder out, Map<String, String> nodes) {
        if (nodes.isEmpty()) {
            return;
        }
        out.append("<h3>Nodes left alone (").append(nodes.size()).append(")</h3>\n<table class=\"nodes\">\n");
        new TreeMap<>(nodes).forEach((node, why) -> out.append("<tr><th>").append(Html.text(node))
                .append("</th><td class=\"problem\">").append(Html.text(why)).append("</td></tr>\n"));
        out.append("</table>\n");
    }

    /** As /status lists them: by VMID, at most {@link StatusJson#MAX_LISTED_VMS}. */
    private static void withoutAddress(StringBuilder out, Map<Integer, String> notes) {
        out.append("<h3>VMs without an address (").append(notes.size()).append(")</h3>\n");
        if (notes.isEmpty()) {
            out.append("<p class=\"quiet\">Every VM the latest pass looked at has an address.</p>\n");
            return;
        }
        out.append("<table class=\"vms\">\n<tr><th>VMID</th><th>why</th></tr>\n");
        new TreeMap<>(notes).entrySet().stream().limit(StatusJson.MAX_LISTED_VMS).forEach(e -> out
                .append("<tr><td class=\"vmid\">").append(e.getKey()).append("</td><td>")
                .append(Html.text(e.getValue())).append("</td></tr>\n"));
        out.append("</table>\n");
        int more = notes.size() - StatusJson.MAX_LISTED_VMS;
        if (more > 0) {
            out.append("<p class=\"quiet\">and ").append(more).append(" more, not listed here or in /status</p>\n");
        }
    }

    private static void row(StringBuilder out, String label, String value) {
        out.append("<tr><th>").append(label).append("</th><td>").append(Html.text(value)).append("</td></tr>\n");
    }
}
