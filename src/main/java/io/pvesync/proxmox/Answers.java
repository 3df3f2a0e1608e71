package io.pvesync.proxmox;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.regex.Pattern;
import okhttp3.Response;

/** Reads Proxmox answers: the {@code data} of a success, the error text of a failure. */
final class Answers {

    // trailing tokens are an error: "{...} garbage" is as broken as a truncated document
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private static final String NO_REASON = "no reason given";

    // Jackson points at where an unclosed object began by its source, which it redacts: noise to an
    // operator, who needs the position where the answer broke off (added after it)
    private static final Pattern START_MARKER = Pattern.compile("\\s*\\(start marker at \\[Source: [^\\]]*\\]\\)");

    private Answers() {
    }

    /**
     * The {@code data} member of a success body, streamed rather than read into one string (a
     * cluster's resource list can be megabytes).
     *
     * @return the data node; a JSON null node for {@code {"data": null}}
     * @throws BadAnswerException when the body is not a JSON object with a {@code data} member
     * @throws IOException        when reading the body fails (timeout, connection cut): a transport problem
     */
    static JsonNode data(InputStream body) throws BadAnswerException, IOException {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new BadAnswerException("malformed JSON: " + describe(e), e);
        }
        if (root == null || root.isMissingNode()) {
            throw new BadAnswerException("an empty body instead of JSON", null);
        }
        if (!root.isObject()) {
            throw new BadAnswerException("JSON that is not an object but " + root.getNodeType(), null);
        }
        JsonNode data = root.get("data");
        if (data == null) {
            throw new BadAnswerException("a JSON object without a \"data\" member", null);
        }
        return data;
    }

    /**
     * Streams the {@code data} member of a success body into {@code reader}, without building the
     * answer's tree: for a listing of tens of thousands of guests, the tree would be the largest
     * thing in memory. The same checks as {@link #data(InputStream)}: an object with a
     * {@code data} member and nothing after it.
     *
     * @throws BadAnswerException when the body is not such an object, or the reader finds it malformed
     * @throws IOException        when reading the body fails (timeout, connection cut): a transport problem
     */
    static <T> T data(InputStream body, ProxmoxApi.DataReader<T> reader) throws BadAnswerException, IOException {
        try (JsonParser parser = JSON.getFactory().createParser(body)) {
            JsonToken token = parser.nextToken();
            if (token == null) {
                throw new BadAnswerException("an empty body instead of JSON", null);
            }
            if (token != JsonToken.START_OBJECT) {
                JsonNode value = JSON.readTree(parser);
                throw new BadAnswerException("JSON that is not an object but " + value.getNodeType(), null);
            }
            T data = null;
            boolean found = false;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                parser.nextToken();
                if (!found && "data".equals(name)) {
                    data = reader.read(parser);
                    found = true;
                } else {
                    parser.skipChildren();
                }
            }
            if (parser.currentToken() != JsonToken.END_OBJECT) {
                throw new JsonParseException(parser, "the answer ends before its closing '}'");
            }
            if (parser.nextToken() != null) {
                throw new JsonParseException(parser, "Trailing token (of type " + parser.currentToken()
                        + ") found after the answer");
            }
            if (!found) {
                throw new BadAnswerException("a JSON object without a \"data\" member", null);
            }
            return data;
        } catch (JsonProcessingException e) {
            throw new BadAnswerException("malformed JSON: " + describe(e), e);
        }
    }

    /**
     * The error text of a failed response: the reason phrase first, because that is where every
     * Proxmox version puts it; the body's {@code message} (pve-http-server 5.2.0 and later) only
     * when it says more.
     *
     * @return never null nor empty
     */
    static String reason(Response response) {
        String phrase = response.message().strip();
        String message = bodyMessage(response);
        if (message.isEmpty() || message.equals(phrase)) {
            return phrase.isEmpty() ? NO_REASON : phrase;
        }
        if (phrase.isEmpty() || message.startsWith(phrase)) {
            return message;
        }
        return phrase + " - " + message;
    }

    /** The body's {@code message}, on one line; empty when the body has none or is not JSON. */
    private static String bodyMessage(Response response) {
        try (InputStream in = response.body().byteStream()) {
            JsonNode root = JSON.readTree(in);
            JsonNode message = root == null ? null : root.get("message");
            if (message == null || !message.isTextual()) {
                return "";
            }
            // Proxmox ends the message with "\n"; a multi-line one goes on one line for logs
            return message.asText().strip().replaceAll("\\s*\\R\\s*", " ");
        } catch (IOException | RuntimeException e) {
            // the body is a bonus: the reason phrase already carries the error
            return "";
        }
    }

    private static String describe(JsonProcessingException e) {
        JsonLocation where = e.getLocation();
        String what = e.getOriginalMessage().lines().findFirst().orElse(e.getClass().getSimpleName());
        what = START_MARKER.matcher(what).replaceAll("");
        return where == null ? what : what + " at line " + where.getLineNr() + ", column " + where.getColumnNr();
    }

    /** An answer that is not the JSON expected; the message says what was found instead. */
    static final class BadAnswerException extends Exception {
        private static final long serialVersionUID = 1L;

        BadAnswerException(String problem, Throwable cause) {
            super(problem, cause);
        }
    }
}
