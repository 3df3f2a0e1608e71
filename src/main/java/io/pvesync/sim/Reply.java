package io.pvesync.sim;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;

/**
 * One answer, before it is put on the wire.
 *
 * @param status   the HTTP status; >= 400 closes the connection, as pveproxy does
 * @param reason   the reason phrase, where Proxmox puts its error text
 * @param body     writes the JSON body, or null for none (no Content-Length either, like pveproxy)
 * @param truncate send only the first half of the body (a malformed answer)
 * @param delay    wait this long before answering (pveproxy delays every 401)
 */
record Reply(int status, String reason, Body body, boolean truncate, Duration delay) {

    /** Writes a JSON document. */
    @FunctionalInterface
    interface Body {
        void write(JsonGenerator json) throws IOException;
    }

    /** 200 with {@code {"data": ...}}; {@code data} writes the value. */
    static Reply ok(Body data) {
        return new Reply(200, "OK", json -> {
            json.writeStartObject();
            json.writeFieldName("data");
            data.write(json);
            json.writeEndObject();
        }, false, Duration.ZERO);
    }

    /** 200 with {@code {"data": null}}. */
    static Reply okNull() {
        return ok(JsonGenerator::writeNull);
    }

    /** A status and reason with an empty body: 401s, and 595 relayed from a failed proxy connect. */
    static Reply empty(int status, String reason) {
        return new Reply(status, reason, null, false, Duration.ZERO);
    }

    /**
     * An API handler's error: the first line of {@code message} as reason phrase; the body is
     * {@code {"data":null,"message":"...\n"}} when the server is new enough (pve-http-server 5.2.0),
     * else {@code {"data":null}}.
     */
    static Reply error(int status, String message, PveVersion version) {
        return error(status, message, Map.of(), version);
    }

    /** An error with per-parameter texts, as parameter verification gives them (HTTP 400). */
    static Reply error(int status, String message, Map<String, String> errors, PveVersion version) {
        boolean withMessage = version.errorMessageInBody();
        return new Reply(status, message.lines().findFirst().orElse(message), json -> {
            json.writeStartObject();
            json.writeNullField("data");
            if (withMessage) {
                json.writeStringField("message", message + "\n");
            }
            if (!errors.isEmpty()) {
                json.writeObjectFieldStart("errors");
                for (Map.Entry<String, String> e : errors.entrySet()) {
                    json.writeStringField(e.getKey(), e.getValue());
                }
                json.writeEndObject();
            }
            json.writeEndObject();
        }, false, Duration.ZERO);
    }

    Reply delayed(Duration by) {
        return new Reply(status, reason, body, truncate, by);
    }

    Reply truncated() {
        return new Reply(status, reason, body, true, delay);
    }
}
