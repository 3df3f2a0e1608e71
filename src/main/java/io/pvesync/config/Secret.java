package io.pvesync.config;

import java.util.Objects;

/**
 * A secret value (token secret, password). Its {@code toString()} never shows the value, so a
 * secret that slips into a log line, an exception message or a record's {@code toString()} stays
 * hidden. Only {@link #reveal()} gives the value, at the single place that must send it.
 */
public final class Secret {
    private static final String MASK = "<masked>";
    private final String value;

    private Secret(String value) {
        this.value = Objects.requireNonNull(value, "value");
    }

    public static Secret of(String value) {
        return new Secret(value);
    }

    /** The secret itself; call it only where the value is sent, never to log or format it. */
    public String reveal() {
        return value;
    }

    @Override
    public String toString() {
        return MASK;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Secret s && s.value.equals(value);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }
}
