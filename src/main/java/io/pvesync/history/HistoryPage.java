package io.pvesync.history;

import java.util.List;

/**
 * What one read found.
 *
 * @param entries the matching changes, newest first, at most the filter's limit
 * @param more    whether older matching changes exist beyond the limit
 */
public record HistoryPage(List<HistoryEntry> entries, boolean more) {
    public HistoryPage {
        entries = List.copyOf(entries);
    }
}
