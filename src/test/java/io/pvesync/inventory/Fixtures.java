package io.pvesync.inventory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Recorded Proxmox answers from {@code src/test/resources/proxmox/}. */
public final class Fixtures {
    public static final ObjectMapper JSON = new ObjectMapper();

    private Fixtures() {
    }

    /** The whole answer body, e.g. {@code body("qemu/config-agent-on.json")}. */
    public static String body(String name) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/proxmox/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture proxmox/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The {@code data} member of a fixture, as {@link io.pvesync.proxmox.ProxmoxApi#get} returns it. */
    public static JsonNode data(String name) {
        return parse(body(name)).get("data");
    }

    public static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
