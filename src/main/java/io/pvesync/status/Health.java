package io.pvesync.status;

import java.util.List;

/**
 * What {@code GET /health} answers.
 *
 * @param healthy whether a monitor should be content (HTTP 200) or page someone (HTTP 503)
 * @param reasons why not, one sentence per problem an operator can act on; empty when healthy
 */
public record Health(boolean healthy, List<String> reasons) {
    public Health {
        reasons = List.copyOf(reasons);
    }
}
