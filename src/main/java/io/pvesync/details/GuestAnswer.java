package io.pvesync.details;

import io.pvesync.inventory.Printable;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What a guest said about its interfaces: either a list, or why there is none. Parsers for the
 * two wire shapes (PROXMOX-API.md §4.1, §4.2) never throw; a shape they do not know is a
 * {@link Failure} saying so.
 */
sealed interface GuestAnswer {

    /** The guest listed its interfaces (possibly none). */
    record Interfaces(List<GuestInterface> interfaces) implements GuestAnswer {
        public Interfaces {
            interfaces = List.copyOf(interfaces);
        }
    }

    /** The guest gave no list; {@code note} says why, for the address notes. */
    record Failure(String note) implements GuestAnswer {
    }

    /**
     * The {@code data} of {@code agent/network-get-interfaces}: {@code {"result": [...]}}, or the
     * QGA error passed through with HTTP 200, {@code {"result": {"error": {"class", "desc"}}}}.
     */
    static GuestAnswer fromAgent(JsonNode data) {
        JsonNode result = data == null ? null : data.get("result");
        if (result != null && result.isArray()) {
            return new Interfaces(interfaces(result));
        }
        if (result != null && result.path("error").isObject()) {
            JsonNode error = result.get("error");
            String desc = error.path("desc").asText("").strip();
            String kind = error.path("class").asText("").strip();
            // the agent runs inside the guest: its text is the guest owner's, and it is logged
            return new Failure("guest agent error: " + Printable.of(desc.isEmpty() ? kind : desc, 200));
        }
        return new Failure("guest agent answered in an unknown shape");
    }

    /**
     * The {@code data} of {@code lxc/{vmid}/interfaces}: a list in the old shape ({@code hwaddr},
     * {@code inet} "a.b.c.d/22", {@code inet6}) or the new one (pve-container 5.2.6+:
     * {@code hardware-address}, {@code ip-addresses} typed {@code inet}/{@code inet6}); JSON null
     * when the container is not running.
     */
    static GuestAnswer fromContainer(JsonNode data) {
        if (data == null || data.isNull() || data.isMissingNode()) {
            return new Failure("container reported no interfaces (not running)");
        }
        if (data.isArray()) {
            return new Interfaces(interfaces(data));
        }
        return new Failure("container interfaces answered in an unknown shape");
    }

    private static List<GuestInterface> interfaces(JsonNode list) {
        List<GuestInterface> result = new ArrayList<>();
        for (JsonNode nic : list) {
            if (nic.isObject()) {
                result.add(new GuestInterface(text(nic, "name"), mac(nic), addresses(nic)));
            }
        }
        return result;
    }

    private static String mac(JsonNode nic) {
        String mac = text(nic, "hardware-address");
        if (mac == null) {
            mac = text(nic, "hwaddr");
        }
        return mac == null ? null : mac.toLowerCase(Locale.ROOT);
    }

    private static List<IpAddr> addresses(JsonNode nic) {
        List<IpAddr> result = new ArrayList<>();
        JsonNode list = nic.get("ip-addresses");
        if (list != null && list.isArray()) {
            for (JsonNode entry : list) {
                String literal = text(entry, "ip-address");
                if (literal != null) {
                    literal = IpLiteral.withoutPrefix(literal);
                    result.add(new IpAddr(literal, IpAddr.familyOf(text(entry, "ip-address-type"), literal)));
                }
            }
            return result;
        }
        // old LXC shape: only the last address of each family, with its prefix length
        String inet = text(nic, "inet");
        if (inet != null) {
            result.add(new IpAddr(IpLiteral.withoutPrefix(inet), IpAddr.Family.IPV4));
        }
        String inet6 = text(nic, "inet6");
        if (inet6 != null) {
            result.add(new IpAddr(IpLiteral.withoutPrefix(inet6), IpAddr.Family.IPV6));
        }
        return result;
    }

    private static String text(JsonNode object, String field) {
        JsonNode value = object.get(field);
        return value != null && value.isTextual() ? value.textValue() : null;
    }
}
