package io.pvesync.status;

import java.util.List;

/**
 * What {@code GET /health} answers.
 *
 * @param healthy  whether a monitor should be content (HTTP 200) or page someone (HTTP 503)
 * @param starting whether every reason is a cluster that has not finished a pass since the daemon
 *                 started (503 {@code starting}: not yet known, rather than known bad)
 * @param reasons  why not, one sentence per problem an operator can act on; empty when healthy
 */
public record Health(boolean healthy, boolean starting, List<String> reasons) {
    public Health {
        reasons = List.copyOf(reasons);
    }

    public Health(boolean healthy, List<String> reasons) {
        this(healthy, false, reasons);
    }

    /** The first line of {@code /health}'s body: ok, starting, or unhealthy. */
    public String word() {
        return healthy ? "ok" : starting ? "starting" : "unhealthy";
    }
}
