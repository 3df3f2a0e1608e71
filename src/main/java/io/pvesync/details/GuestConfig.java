package io.pvesync.details;

import io.pvesync.inventory.VmKind;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What pvesync needs from a guest's config ({@code /nodes/{n}/qemu/{id}/config} or
 * {@code /nodes/{n}/lxc/{id}/config}, PROXMOX-API.md §3.5). The parsers never throw: a value
 * they cannot read counts as absent.
 *
 * @param kind          which endpoint it came from
 * @param agentEnabled  QEMU: the {@code agent} property's {@code enabled} key; LXC: always false
 * @param net0Mac       the MAC of {@code net0}, lower case, or null
 * @param staticAddress the configured address (QEMU cloud-init {@code ipconfig0}, LXC {@code net0}
 *                      {@code ip=}/{@code ip6=}; IPv4 preferred, prefix length removed), or null
 *                      when none or DHCP/SLAAC; a configured address, not proof the guest uses it
 * @param incarnation   the incarnation marker (DESIGN.md 3.1), or null when the config offers none:
 *                      QEMU {@code uuid:<uuid>} of {@code smbios1}, which qemu-server generates anew
 *                      on create and on clone and keeps on restore; only a config without one falls
 *                      back to {@code ctime:<epoch>} of {@code meta} (clone copies {@code meta}, so
 *                      every clone of a template carries the template's ctime: never the first
 *                      choice). LXC has neither, so {@code hwaddr:<mac>} of {@code net0}, which
 *                      Proxmox generates at creation and clone. That is weaker: editing a
 *                      container's MAC makes it look like a new incarnation
 * @param legacyMarker  the marker pvesync before December 2026 stored for this config
 *                      ({@code ctime:<epoch>} where the config also has a uuid), or null when it
 *                      is the same as {@code incarnation}: a row holding it is converted, not
 *                      retired, when the VM is not in doubt
 */
record GuestConfig(VmKind kind, boolean agentEnabled, String net0Mac, String staticAddress, String incarnation,
                   String legacyMarker, String name) {

    /** A config whose marker has no older form. */
    GuestConfig(VmKind kind, boolean agentEnabled, String net0Mac, String staticAddress, String incarnation) {
        this(kind, agentEnabled, net0Mac, staticAddress, incarnation, null, null);
    }

    /** A config without a name of its own. */
    GuestConfig(VmKind kind, boolean agentEnabled, String net0Mac, String staticAddress, String incarnation,
                String legacyMarker) {
        this(kind, agentEnabled, net0Mac, staticAddress, incarnation, legacyMarker, null);
    }

    /**
     * The name Proxmox lists for this guest ({@code name} / {@code hostname}, else
     * {@code VM <vmid>} / {@code CT<vmid>}), or empty when the configured one is not comparable
     * with a listed name (longer than the column, or with characters the listing drops).
     */
    Optional<String> listedName(int vmid) {
        if (name == null) {
            return Optional.of(kind == VmKind.QEMU ? "VM " + vmid : "CT" + vmid);
        }
        boolean comparable = name.equals(name.strip()) && !name.isEmpty() && name.indexOf('\0') < 0
                && name.codePointCount(0, name.length()) <= 100;
        return comparable ? Optional.of(name) : Optional.empty();
    }

    /** The prefix of the older QEMU marker form, from {@code meta}'s creation time. */
    static final String CTIME = "ctime:";
    /** The prefix of the QEMU marker, from {@code smbios1}'s uuid. */
    static final String UUID_PREFIX = "uuid:";

    private static final Pattern MAC = Pattern.compile("[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}");
    private static final Pattern DIGITS = Pattern.compile("\\d{1,19}");
    private static final Pattern UUID = Pattern.compile("[0-9A-Fa-f-]{32,36}");

    /** Parses the {@code data} of a QEMU config. */
    static GuestConfig qemu(JsonNode data) {
        String mac = qemuMac(property(data, "net0"));
        Map<String, String> ipconfig = properties(property(data, "ipconfig0"), null);
        String uuid = smbiosUuid(data);
        String ctime = metaCtime(data);
        return new GuestConfig(VmKind.QEMU, agentEnabled(data.get("agent")), mac,
                staticAddress(ipconfig, "dhcp"), uuid != null ? uuid : ctime, uuid != null ? ctime : null,
                property(data, "name"));
    }

    /** Parses the {@code data} of an LXC config. */
    static GuestConfig lxc(JsonNode data) {
        Map<String, String> net0 = properties(property(data, "net0"), null);
        String mac = validMac(net0.get("hwaddr"));
        return new GuestConfig(VmKind.LXC, false, mac,
                staticAddress(net0, "dhcp", "manual", "auto"), mac == null ? null : "hwaddr:" + mac, null,
                property(data, "hostname"));
    }

    /**
     * {@code agent} is a property string whose default key is {@code enabled}: {@code "1"} and
     * {@code "enabled=1,fstrim_cloned_disks=1"} are on, {@code "0,fstrim_cloned_disks=1"} is off.
     * Older servers may send the number 1.
     */
    private static boolean agentEnabled(JsonNode agent) {
        if (agent == null || agent.isNull()) {
            return false;
        }
        if (agent.isNumber()) {
            return agent.asLong() == 1;
        }
        if (!agent.isTextual()) {
            return false;
        }
        String enabled = properties(agent.textValue(), "enabled").get("enabled");
        // Proxmox's boolean format accepts these spellings (JSONSchema.pm parse_boolean)
        return enabled != null && switch (enabled.toLowerCase(Locale.ROOT)) {
            case "1", "on", "yes", "true" -> true;
            default -> false;
        };
    }

    /** {@code virtio=BC:24:11:2E:C5:4A,bridge=vmbr0}: model=MAC first; or {@code model=..,macaddr=..}. */
    private static String qemuMac(String net0) {
        if (net0 == null) {
            return null;
        }
        String first = net0.split(",", 2)[0];
        int eq = first.indexOf('=');
        String mac = eq >= 0 ? validMac(first.substring(eq + 1)) : null;
        return mac != null ? mac : validMac(properties(net0, null).get("macaddr"));
    }

    /** {@code uuid:<uuid>} from {@code smbios1}, or null. */
    private static String smbiosUuid(JsonNode data) {
        String uuid = properties(property(data, "smbios1"), null).get("uuid");
        return uuid != null && UUID.matcher(uuid).matches() ? UUID_PREFIX + uuid.toLowerCase(Locale.ROOT) : null;
    }

    /** {@code ctime:<epoch>} from {@code meta} (qemu-server MetaInfo.pm), or null. */
    private static String metaCtime(JsonNode data) {
        String ctime = properties(property(data, "meta"), null).get("ctime");
        return ctime != null && DIGITS.matcher(ctime).matches() ? CTIME + ctime : null;
    }

    /** {@code ip=} if it is a usable IPv4, else {@code ip6=} if usable; the listed words mean dynamic. */
    private static String staticAddress(Map<String, String> props, String... dynamicWords) {
        for (String key : new String[] {"ip", "ip6"}) {
            String value = props.get(key);
            if (value == null || List.of(dynamicWords).contains(value.toLowerCase(Locale.ROOT))) {
                continue;
            }
            IpAddr.Family family = key.equals("ip") ? IpAddr.Family.IPV4 : IpAddr.Family.IPV6;
            Optional<String> address = IpLiteral.usable(IpLiteral.withoutPrefix(value), family);
            if (address.isPresent()) {
                return address.get();
            }
        }
        return null;
    }

    private static String validMac(String text) {
        return text != null && MAC.matcher(text).matches() ? text.toLowerCase(Locale.ROOT) : null;
    }

    private static String property(JsonNode data, String key) {
        JsonNode value = data == null ? null : data.get(key);
        return value != null && value.isTextual() ? value.textValue() : null;
    }

    /**
     * Splits a Proxmox property string {@code k=v,k=v}. A first part without {@code =} is the
     * value of {@code defaultKey} (when given); later parts without {@code =} are ignored.
     */
    static Map<String, String> properties(String text, String defaultKey) {
        Map<String, String> result = new LinkedHashMap<>();
        if (text == null) {
            return result;
        }
        String[] parts = text.split(",");
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i].strip();
            int eq = part.indexOf('=');
            if (eq > 0) {
                result.putIfAbsent(part.substring(0, eq).strip(), part.substring(eq + 1).strip());
            } else if (i == 0 && defaultKey != null && !part.isEmpty()) {
                result.putIfAbsent(defaultKey, part);
            }
        }
        return result;
    }
}
