package io.pvesync.config;

import java.util.Locale;
import java.util.Optional;

/** How log lines are written to stderr: {@code logging.format}. */
public enum LogFormat {
    /** One line of text per event, subject first ({@code cluster=lab node=pve2 - ...}): for the journal. */
    TEXT,
    /** One JSON object per line, the subject's cluster, node and vmid as fields: for log pipelines. */
    JSON;

    /** The format named {@code text} in the config file, if it names one. */
    static Optional<LogFormat> named(String text) {
        for (LogFormat f : values()) {
            if (f.name().toLowerCase(Locale.ROOT).equals(text)) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }
}
