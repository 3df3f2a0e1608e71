package io.pvesync.details;


import java.util.List;

/**
 * A network interface as the guest (agent or container namespace) reports it.
 *
 * @param name      the guest's interface name, or null when not reported
 * @param mac       the hardware address in lower case, or null when not reported
 * @param addresses in the order reported
 */
record GuestInterface(String name, String mac, List<IpAddr> addresses) {

    GuestInterface {
        addresses = List.copyOf(addresses);
    }
}
