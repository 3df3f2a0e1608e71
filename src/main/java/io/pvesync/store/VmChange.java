package io.pvesync.store;

/**
 * One change a pass makes (or, in a dry run, would make) to the table.
 *
 * @param vmid   the VMID
 * @param kind   what happens to the row
 * @param detail human-readable: the fields that change, old and new ("status running -> stopped")
 */
public record VmChange(int vmid, Kind kind, String detail) {
    public enum Kind {
        INSERT("inserted"), UPDATE("updated"), ADOPT("adopted"), RESTORE("restored"), MISSING("missing"),
        RETIRE("retired");

        private final String recorded;

        Kind(String recorded) {
            this.recorded = recorded;
        }

        /** The word {@code public.vm_changes.kind} and the NOTIFY payload use (DESIGN.md 4.5). */
        public String recorded() {
            return recorded;
        }

        /** The kind whose {@link #recorded} word is {@code word}. */
        static Kind ofRecorded(String word) {
            for (Kind kind : values()) {
                if (kind.recorded.equals(word)) {
                    return kind;
                }
            }
            throw new IllegalArgumentException("no change kind records as \"" + word + "\"");
        }
    }

    @Override
    public String toString() {
        return kind.name().toLowerCase(java.util.Locale.ROOT) + " vmid " + vmid + ": " + detail;
    }
}
