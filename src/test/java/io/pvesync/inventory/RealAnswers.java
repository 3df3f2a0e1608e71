package io.pvesync.inventory;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Answers real servers gave, from {@code src/test/resources/proxmox/real/} (see its README). A file
 * holds either the whole body ({@code {"data": ...}}) or, where the source printed only that, the
 * {@code data} value; {@link #data} and {@link #dataParser} give the {@code data} value either way.
 */
public final class RealAnswers {

    private RealAnswers() {
    }

    public static String body(String file) {
        return Fixtures.body("real/" + file);
    }

    /** The {@code data} value: the member of a whole body, or the file's value itself. */
    public static JsonNode data(String file) {
        JsonNode root = Fixtures.parse(body(file));
        return isWholeBody(root) ? root.get("data") : root;
    }

    /** A parser at the first token of the {@code data} value, as {@link ResourceMapper#mapStreamed} wants it. */
    public static JsonParser dataParser(String file) {
        try {
            boolean whole = isWholeBody(Fixtures.parse(body(file)));
            JsonParser parser = Fixtures.JSON.createParser(body(file));
            parser.nextToken();
            if (whole) {
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String field = parser.currentName();
                    parser.nextToken();
                    if (field.equals("data")) {
                        return parser;
                    }
                    parser.skipChildren();
                }
                throw new IllegalStateException(file + " has no data member");
            }
            return parser;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean isWholeBody(JsonNode root) {
        return root.isObject() && root.has("data");
    }
}
