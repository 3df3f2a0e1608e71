/**
 * Reading the change history ({@code public.vm_changes}, DESIGN 4.5) for {@code pvesync history}:
 * the filter, the read through the daemon's role under the admin context, and the two ways of
 * showing it (an aligned table for people, JSON for programs). The daemon writes the history in
 * {@code store}; nothing here writes.
 */
package io.pvesync.history;
