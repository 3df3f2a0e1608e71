package io.pvesync.properties;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pvesync.inventory.ObservedVm;
import io.pvesync.inventory.ResourceMapper;
import io.pvesync.inventory.Snapshot;
import io.pvesync.properties.GuestEntries.Entry;
import io.pvesync.properties.GuestEntries.Fate;
import io.pvesync.properties.GuestEntries.Spec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * {@code /cluster/resources} listings generated with every oddity the wire allows (PROXMOX-API.md
 * §0, §2): numbers as strings and in exponent form, absent fields and JSON nulls, huge, negative
 * and non-finite numbers, wrong JSON types anywhere, duplicate VMIDs, unknown status words,
 * unknown fields, names of every kind. The mapper must never throw for a JSON array and must only
 * hand the store values that fit the columns.
 */
class ResourceListingPropertiesTest {
    private static final Instant AT = Instant.parse("2026-03-01T10:00:00Z");
    private static final String REMOVE = "<remove>";

    private static Snapshot map(JsonNode listing) {
        return new ResourceMapper("lab", true).map(listing, AT);
    }

    private static JsonNode listing(List<Entry> entries) {
        String guests = entries.stream().map(Entry::json).map(json -> "," + json).collect(Collectors.joining());
        return WireJson.parse("[" + GuestEntries.NODE_ENTRIES + guests + "]");
    }

    @Provide
    Arbitrary<List<Entry>> readableListings() {
        return GuestEntries.specs().flatMap(GuestEntries::render).list().ofMaxSize(12);
    }

    /**
     * The whole outcome, worked out independently: the first entry of a VMID wins, templates are
     * skipped, guests on a node that is not online, without status data or with {@code unknown}
     * are held, every other guest is mapped to the rounded values of README's "What is written".
     */
    @Property(tries = 100)
    void readableEntriesMapToExactlyTheirColumnValues(@ForAll("readableListings") List<Entry> entries) {
        List<ObservedVm> vms = new ArrayList<>();
        Map<Integer, String> held = new LinkedHashMap<>();
        int skipped = 0;
        Set<Integer> seen = new HashSet<>();
        for (Entry entry : entries) {
            Spec spec = entry.spec();
            if (!seen.add(spec.vmid())) {
                skipped++;
                continue;
            }
            switch (spec.fate()) {
                case TEMPLATE -> skipped++;
                case HELD -> held.put(spec.vmid(), spec.node());
                case MAPPED -> vms.add(spec.expected());
            }
        }

        Snapshot snapshot = map(listing(entries));

        assertThat(snapshot.vms()).containsExactlyElementsOf(vms);
        assertThat(snapshot.held()).isEqualTo(held);
        assertThat(snapshot.skipped()).isEqualTo(skipped);
        assertThat(snapshot.nodes()).isEqualTo(GuestEntries.NODES);
        snapshot.vms().forEach(ColumnRules::assertFits);
    }

    /** A readable entry with one field replaced by anything at all, or removed. */
    @Provide
    Arbitrary<JsonNode> damagedEntries() {
        Arbitrary<String> field = Arbitraries.of("type", "vmid", "node", "status", "lock", "name", "maxcpu", "maxmem",
                "maxdisk", "template");
        Arbitrary<String> value = Arbitraries.frequencyOf(
                Tuple.of(3, WireJson.unreadableCount()), Tuple.of(2, WireJson.nonText()),
                Tuple.of(3, WireJson.anyValue(2)), Tuple.of(1, Arbitraries.of("null", REMOVE)));
        return Combinators.combine(GuestEntries.specs().flatMap(GuestEntries::render), field, value.list().ofMaxSize(3))
                .as((entry, key, values) -> {
                    ObjectNode node = (ObjectNode) WireJson.parse(entry.json());
                    for (String v : values) {
                        if (v.equals(REMOVE)) {
                            node.remove(key);
                        } else {
                            node.set(key, WireJson.parse(v));
                        }
                    }
                    return node;
                });
    }

    /**
     * Node names no Proxmox node has (pve-common's {@code pve-node} format is a host name), listed
     * online by a node entry and named by a guest: each would end up in a request path or the
     * {@code proxmox_node} column.
     */
    private static Arbitrary<String> oddNodeNames() {
        return Arbitraries.of("pve\u0000", "\u0000", "", " ", "pve 1", "..", "pve/../../access", "pve?x=1", "pve#1",
                "pve%2F1", "x".repeat(300), "pve\n1", "😀");
    }

    /** A listing with pve1 and one oddly named node online, and any entries, some on that node. */
    @Provide
    Arbitrary<JsonNode> anyListings() {
        return oddNodeNames().flatMap(odd -> {
            Arbitrary<JsonNode> nodeEntry = Combinators.combine(Arbitraries.of("pve1", "pve2", odd), WireJson.anyValue(1))
                    .as((name, status) -> WireJson.parse("{\"type\":\"node\",\"node\":" + WireJson.quote(name)
                            + ",\"status\":" + status + "}"));
            Arbitrary<JsonNode> onOddNode = GuestEntries.specs().flatMap(GuestEntries::render).map(entry -> {
                ObjectNode guest = (ObjectNode) WireJson.parse(entry.json());
                guest.put("node", odd);
                return guest;
            });
            Arbitrary<JsonNode> element = Arbitraries.frequencyOf(
                    Tuple.of(4, GuestEntries.specs().flatMap(GuestEntries::render).map(e -> WireJson.parse(e.json()))),
                    Tuple.of(4, damagedEntries()),
                    Tuple.of(2, onOddNode),
                    Tuple.of(1, WireJson.anyValue(2).map(WireJson::parse)),
                    Tuple.of(1, nodeEntry));
            return element.list().ofMaxSize(15).map(elements -> {
                ArrayNode listing = JsonNodeFactory.instance.arrayNode();
                listing.add(WireJson.parse("{\"type\":\"node\",\"node\":\"pve1\",\"status\":\"online\"}"));
                listing.add(WireJson.parse("{\"type\":\"node\",\"node\":" + WireJson.quote(odd)
                        + ",\"status\":\"online\"}"));
                elements.forEach(listing::add);
                return listing;
            });
        });
    }

    /**
     * Whatever the entries hold: no exception, every mapped guest fits the columns and sits on an
     * online node, one guest per VMID, and a guest is either mapped or held, never both.
     */
    @Property(tries = 150)
    void anyListingMapsWithoutThrowingAndOnlyToValuesTheColumnsHold(@ForAll("anyListings") JsonNode listing) {
        Snapshot snapshot = map(listing);

        snapshot.vms().forEach(ColumnRules::assertFits);
        assertThat(snapshot.vms())
                .allSatisfy(vm -> assertThat(snapshot.isOnline(vm.node())).as("node of %d", vm.vmid()).isTrue());
        List<Integer> vmids = snapshot.vms().stream().map(ObservedVm::vmid).toList();
        assertThat(vmids).doesNotHaveDuplicates();
        assertThat(snapshot.held().keySet()).allSatisfy(vmid -> assertThat(vmids).doesNotContain(vmid));
        assertThat(snapshot.held().keySet()).allSatisfy(vmid -> assertThat(vmid).isBetween(1, 999_999_999));
        assertThat(snapshot.skipped()).isBetween(0, listing.size());
    }

    @Provide
    Arbitrary<Tuple.Tuple3<Entry, String, String>> oneUnreadableField() {
        Arbitrary<Entry> mapped = GuestEntries.specs().filter(spec -> spec.fate() == Fate.MAPPED)
                .flatMap(GuestEntries::render);
        Arbitrary<Tuple.Tuple2<String, String>> damage = Arbitraries.oneOf(
                Combinators.combine(Arbitraries.of("maxcpu", "maxmem", "maxdisk"), WireJson.unreadableCount()).as(Tuple::of),
                Combinators.combine(Arbitraries.of("name", "status", "lock"), WireJson.nonText()).as(Tuple::of),
                Combinators.combine(Arbitraries.just("template"),
                        Arbitraries.of("\"yes\"", "1.5", "true", "[]", "{}", "\"1e400\"")).as(Tuple::of));
        return Combinators.combine(mapped, damage).as((entry, d) -> Tuple.of(entry, d.get1(), d.get2()));
    }

    /**
     * A guest whose entry has one field of the wrong type or out of range is neither mapped (its
     * values cannot be trusted) nor taken for vanished: it is held, so its row stays as it is.
     */
    @Property(tries = 150)
    void aGuestWithOneUnreadableFieldIsHeldNotMapped(@ForAll("oneUnreadableField") Tuple.Tuple3<Entry, String, String> c) {
        Spec spec = c.get1().spec();
        ObjectNode entry = (ObjectNode) WireJson.parse(c.get1().json());
        entry.set(c.get2(), WireJson.parse(c.get3()));
        ArrayNode listing = (ArrayNode) WireJson.parse("[" + GuestEntries.NODE_ENTRIES + "]");
        listing.add(entry);

        Snapshot snapshot = map(listing);

        assertThat(snapshot.vms()).isEmpty();
        assertThat(snapshot.held()).isEqualTo(Map.of(spec.vmid(), spec.node()));
        assertThat(snapshot.skipped()).isEqualTo(1);
    }

    @Provide
    Arbitrary<String> unreadableVmids() {
        return Arbitraries.oneOf(WireJson.unreadableCount(), WireJson.nonText(),
                Arbitraries.of("0", "\"0\"", "-5", "1000000000", "\"1e9\"", "100.5", "\"100.5\"", "\"abc\"", "null",
                        "2147483648", "4294967396", REMOVE));
    }

    /** Without a VMID there is no row to keep or write: the entry is skipped, neither mapped nor held. */
    @Property(tries = 100)
    void aGuestWithoutAReadableVmidIsSkipped(@ForAll("unreadableVmids") String vmid) {
        ObjectNode entry = (ObjectNode) WireJson.parse("{\"type\":\"qemu\",\"node\":\"pve1\",\"status\":\"running\","
                + "\"name\":\"web1\",\"maxmem\":2147483648}");
        if (!vmid.equals(REMOVE)) {
            entry.set("vmid", WireJson.parse(vmid));
        }
        ArrayNode listing = (ArrayNode) WireJson.parse("[" + GuestEntries.NODE_ENTRIES + "]");
        listing.add(entry);

        Snapshot snapshot = map(listing);

        assertThat(snapshot.vms()).isEmpty();
        assertThat(snapshot.held()).isEmpty();
        assertThat(snapshot.skipped()).isEqualTo(1);
    }
}
