package io.pvesync.details;

import io.pvesync.inventory.AddressLookups;
import io.pvesync.inventory.Snapshot;

import java.util.Map;
import java.util.Objects;

/**
 * A snapshot with the guest details of one pass filled in, see {@link GuestDetails#enrich}.
 *
 * @param snapshot      the input snapshot; each VM carries the address found this pass (or from
 *                      an earlier lookup still fresh), else null so the store keeps the stored
 *                      one, and its incarnation marker when its config was read this pass
 * @param addressNotes  VMID to why it has no address this pass (e.g. {@code guest agent not
 *                      running}, {@code node pve3 unreachable}); only VMs without an address
 * @param requests      how many API requests the pass made
 * @param lookups       the address lookups that sent a request, by outcome
 * @param deferred      whether guests' lookups were left for {@link GuestDetails#enrich} (the
 *                      listing's values first, DESIGN.md 3.6): those guests keep their stored
 *                      address and marker, and are held where their identity needs the marker
 */
public record Enrichment(Snapshot snapshot, Map<Integer, String> addressNotes, int requests, AddressLookups lookups,
                         boolean deferred) {

    public Enrichment {
        Objects.requireNonNull(snapshot, "snapshot");
        Objects.requireNonNull(lookups, "lookups");
        addressNotes = Map.copyOf(addressNotes);
    }

    /** A pass's complete enrichment: nothing deferred. */
    public Enrichment(Snapshot snapshot, Map<Integer, String> addressNotes, int requests, AddressLookups lookups) {
        this(snapshot, addressNotes, requests, lookups, false);
    }
}
