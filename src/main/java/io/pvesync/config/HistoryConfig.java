package io.pvesync.config;

import java.time.Duration;
import java.util.Optional;

/**
 * The {@code history:} section: how long {@code public.vm_changes} keeps a change (DESIGN.md 4.5).
 *
 * @param retention how long a change is kept; {@link Duration#ZERO} keeps every change
 */
public record HistoryConfig(Duration retention) {
    public static final Duration DEFAULT_RETENTION = Duration.ofDays(90);
    /** Shorter would let a typo ({@code 9m} for {@code 9d}) empty the history within minutes. */
    public static final Duration MIN_RETENTION = Duration.ofHours(1);
    public static final HistoryConfig DEFAULT = new HistoryConfig(DEFAULT_RETENTION);

    /** The age past which changes are pruned; empty when every change is kept. */
    public Optional<Duration> pruneAfter() {
        return retention.isZero() ? Optional.empty() : Optional.of(retention);
    }
}
