package io.pvesync.inventory;

/**
 * Guest address lookups a pass made, by outcome.
 *
 * @param found  a guest answered with an address
 * @param none   a guest answered, without a usable address (agent not running, no interface up, ...)
 * @param failed the lookup failed (node unreachable, timeout, refused)
 */
public record AddressLookups(int found, int none, int failed) {
    public static final AddressLookups NONE = new AddressLookups(0, 0, 0);
}
