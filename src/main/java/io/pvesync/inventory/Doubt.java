package io.pvesync.inventory;

/**
 * Whether a listed guest may be another VM than the one its row describes (DESIGN.md 3.1, "in
 * doubt"). A guest in doubt has its incarnation marker read before any value touches its row, and
 * is held when the marker cannot be read.
 */
public enum Doubt {
    /** Nothing suggests another VM: the row follows the listing. */
    NONE,
    /**
     * Its name or status changed while the task list could not vouch for the interval since the
     * row was last confirmed. The markers decide; when neither the row nor the config has one,
     * nothing can tell, and the guest is taken for the same VM.
     */
    CHANGED,
    /**
     * A destroy, create or restore task of its VMID ran since the row was last confirmed, or the
     * row says {@code missing} (its VM vanished before). It is the row's VM only when both
     * markers exist and are equal.
     */
    LIFECYCLE
}
