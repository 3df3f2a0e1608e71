package io.pvesync.config;

/** The {@code logging:} section. */
public record LoggingConfig(LogFormat format) {
    public static final LoggingConfig DEFAULT = new LoggingConfig(LogFormat.TEXT);
}
