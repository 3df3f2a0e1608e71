package io.pvesync.inventory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import io.pvesync.testing.LogCapture;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * {@link ResourceMapper#mapStreamed} gives exactly what {@link ResourceMapper#map(com.fasterxml.jackson.databind.JsonNode, Instant)}
 * gives for the same listing, warnings included, and logs nothing for a listing cut short.
 */
class ResourceMapperStreamingTest {

    private static final Instant AT = Instant.parse("2026-03-01T10:00:00Z");

    /** Every odd entry the mapper knows, node entries last (as Proxmox sends them), a node absent. */
    private static final String ODD = "["
            + "{\"type\":\"qemu\",\"vmid\":100,\"node\":\"pve1\",\"status\":\"running\",\"name\":\"web\",\"maxcpu\":2,"
            + "\"maxmem\":2147483648,\"maxdisk\":34359738368},"
            + "{\"type\":\"qemu\",\"vmid\":100,\"node\":\"pve1\",\"status\":\"running\",\"name\":\"twice\"},"
            + "{\"type\":\"qemu\",\"vmid\":101,\"node\":\"pve1\",\"status\":\"frobnicated\",\"name\":\"" + "x".repeat(140)
            + "\",\"maxmem\":\"2147483648\",\"maxcpu\":\"0.4\"},"
            + "{\"type\":\"qemu\",\"vmid\":102,\"node\":\"pve1\",\"status\":\"running\",\"name\":\"bad\",\"maxmem\":\"lots\"},"
            + "{\"type\":\"qemu\",\"vmid\":103,\"node\":\"pve2\",\"status\":\"running\",\"name\":\"stale\",\"maxmem\":[]},"
            + "{\"type\":\"qemu\",\"vmid\":104,\"node\":\"pve1\",\"status\":\"unknown\"},"
            + "{\"type\":\"qemu\",\"vmid\":105,\"node\":\"pve1\",\"status\":{},\"name\":\"odd status\"},"
            + "{\"type\":\"qemu\",\"vmid\":106,\"node\":\"pve9\",\"status\":\"running\",\"name\":\"nowhere\"},"
            + "{\"type\":\"qemu\",\"vmid\":\"x\",\"node\":\"pve1\"},"
            + "{\"type\":\"qemu\",\"vmid\":107,\"status\":\"running\"},"
            + "{\"type\":\"qemu\",\"vmid\":108,\"node\":\"pve1\",\"template\":\"1\"},"
            + "{\"type\":\"lxc\",\"vmid\":200,\"node\":\"pve1\",\"status\":\"stopped\",\"name\":\"ct\",\"maxmem\":536870912},"
            + "{\"type\":\"qemu\",\"vmid\":109,\"node\":\"pve1\",\"status\":\"stopped\",\"lock\":\"suspended\",\"maxmem\":1e9},"
            + "42, null, \"text\", [],"
            + "{\"type\":\"storage\",\"id\":\"storage/pve1/local\",\"node\":\"pve1\"},"
            + "{\"type\":\"node\",\"node\":\"pve1\",\"status\":\"online\"},"
            + "{\"type\":\"node\",\"node\":\"pve2\",\"status\":\"offline\"},"
            + "{\"type\":\"node\",\"status\":\"online\"}"
            + "]";

    @ParameterizedTest
    @ValueSource(strings = {"mixed.json", "bad-types.json", "duplicate-vmid.json", "lenient-numbers.json",
            "offline-node.json"})
    void recordedListingsMapAlikeStreamedOrNot(String fixture) throws IOException {
        String body = Fixtures.body("cluster-resources/" + fixture);
        for (boolean containers : List.of(false, true)) {
            assertAlike(body, containers);
        }
    }

    @Test
    void everyOddEntryMapsAlikeWithTheSameWarnings() throws IOException {
        assertAlike("{\"data\":" + ODD + "}", false);
        assertAlike("{\"data\":" + ODD + "}", true);
    }

    @Test
    void aListingCutShortFailsAndLogsNothing() throws IOException {
        String cut = ODD.substring(0, ODD.indexOf("{\"type\":\"node\""));
        ResourceMapper mapper = new ResourceMapper("lab", false);
        try (LogCapture log = new LogCapture(ResourceMapper.class); JsonParser parser = Fixtures.JSON.createParser(cut)) {
            parser.nextToken();
            assertThatThrownBy(() -> mapper.mapStreamed(parser, AT)).isInstanceOf(JsonProcessingException.class);
            assertThat(log.messages(Level.WARN)).isEmpty();
        }
    }

    @Test
    void dataThatIsNotAListIsRefusedAlike() throws IOException {
        try (JsonParser parser = Fixtures.JSON.createParser("{\"data\":{\"vmid\":1}}")) {
            parser.nextToken();
            parser.nextToken();
            parser.nextToken();
            assertThatThrownBy(() -> new ResourceMapper("lab", false).mapStreamed(parser, AT))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("cluster lab: /cluster/resources answered an object where a list of resources was expected");
        }
    }

    /** Maps {@code body}'s data both ways with fresh mappers; snapshots and warnings must be equal. */
    private static void assertAlike(String body, boolean containers) throws IOException {
        Snapshot tree;
        List<String> treeWarnings;
        try (LogCapture log = new LogCapture(ResourceMapper.class)) {
            tree = new ResourceMapper("lab", containers).map(Fixtures.JSON.readTree(body).get("data"), AT);
            treeWarnings = log.messages(Level.WARN);
        }
        try (LogCapture log = new LogCapture(ResourceMapper.class); JsonParser parser = Fixtures.JSON.createParser(body)) {
            parser.nextToken(); // {
            parser.nextToken(); // "data"
            parser.nextToken(); // [
            Snapshot streamed = new ResourceMapper("lab", containers).mapStreamed(parser, AT);
            assertThat(streamed).isEqualTo(tree);
            assertThat(log.messages(Level.WARN)).isEqualTo(treeWarnings);
        }
    }
}
