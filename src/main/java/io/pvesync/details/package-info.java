/**
 * The slow path (DESIGN.md 3.6, "Two speeds"): per-guest lookups (each guest's config and with it
 * its incarnation marker, the guest agent, a container's interfaces), the choice of an address, and
 * a pass's lookups as steps that never hold back what the listing shows ({@link
 * io.pvesync.details.GuestPass}): per node, in order of need, bounded, within the pass's budget.
 * The fast path and the value types it shares with this one live in {@code io.pvesync.inventory}.
 */
package io.pvesync.details;
