package io.pvesync.history;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Which changes to read: every filter that is present must hold, newest first, at most
 * {@code limit} of them.
 *
 * @param cluster only this {@code proxmox_cluster}
 * @param vmid    only this VMID
 * @param since   only changes made at most this long before the read (by the database's clock)
 * @param limit   at most this many changes, {@value #MIN_LIMIT} to {@value #MAX_LIMIT}
 */
public record HistoryFilter(Optional<String> cluster, OptionalInt vmid, Optional<Duration> since, int limit) {
    public static final int DEFAULT_LIMIT = 50;
    public static final int MIN_LIMIT = 1;
    public static final int MAX_LIMIT = 10_000;
    /**
     * The longest {@code since}: the timestamp it reaches back to must stay inside PostgreSQL's
     * range (4713 BC), and no history is kept anywhere near that long.
     */
    public static final Duration MAX_SINCE = Duration.ofDays(36_500);

    /**
     * @throws IllegalArgumentException for a VMID that is not positive, a {@code since} that is not
     *                                  positive or longer than {@link #MAX_SINCE}, or a limit out of range
     */
    public HistoryFilter {
        if (vmid.isPresent() && vmid.getAsInt() <= 0) {
            throw new IllegalArgumentException("vmid " + vmid.getAsInt() + " is not positive");
        }
        if (since.isPresent() && (since.get().isNegative() || since.get().isZero()
                || since.get().compareTo(MAX_SINCE) > 0)) {
            throw new IllegalArgumentException("since " + since.get() + " is not between 1ms and " + MAX_SINCE);
        }
        if (limit < MIN_LIMIT || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit " + limit + " is not between " + MIN_LIMIT + " and " + MAX_LIMIT);
        }
    }

    /** Every change, newest first, the default number of them. */
    public static HistoryFilter newest() {
        return new HistoryFilter(Optional.empty(), OptionalInt.empty(), Optional.empty(), DEFAULT_LIMIT);
    }
}
