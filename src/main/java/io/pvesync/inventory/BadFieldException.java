package io.pvesync.inventory;

/**
 * A wire field that is present but cannot be read as what it must be ({@code maxmem: "lots"},
 * {@code vmid: {}}). Carries the field's name so the warning can say which one; the mapper skips
 * the one entry and keeps going. No stack trace: it is an expected outcome, never logged as a crash.
 */
final class BadFieldException extends Exception {
    private final String field;

    BadFieldException(String field, String problem) {
        super(field + ": " + problem, null, false, false);
        this.field = field;
    }

    /** The wire name of the field, e.g. {@code maxmem}. */
    String field() {
        return field;
    }
}
