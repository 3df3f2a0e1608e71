package io.pvesync.proxmox;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;

/** The read-only view of one cluster's API that the rest of pvesync needs. */
public interface ProxmoxApi {

    /** The name of the cluster this API belongs to, as configured. */
    String cluster();

    /**
     * Performs the call and returns the {@code data} member of the answer.
     *
     * @return the {@code data} value; a JSON null node when the answer is {@code {"data": null}}
     *         (a stopped container's interfaces), never Java {@code null}
     * @throws ProxmoxException subtypes say what went wrong: {@link ProxmoxTransportException}
     *         (no answer), {@link ProxmoxHttpException} (an HTTP error, with
     *         {@link ProxmoxAuthException} for 401/403 and {@link NodeUnreachableException} for
     *         595), {@link ProxmoxDataException} (an answer that is not the expected JSON), and
     *         {@link ProxmoxUnavailableException} when every endpoint failed
     */
    JsonNode get(ApiCall call) throws ProxmoxException;

    /**
     * Performs the call and hands the {@code data} member of the answer to {@code reader} as it
     * arrives, token by token, so a large answer never exists whole in memory. Failures are those
     * of {@link #get}; a reader's {@link com.fasterxml.jackson.core.JsonProcessingException} is a
     * malformed answer ({@link ProxmoxDataException}, the next endpoint is tried for a cluster
     * call), its other {@link IOException}s are transport failures, and its runtime exceptions
     * pass through unchanged.
     *
     * <p>This default reads the whole answer with {@link #get} and streams the tree.
     */
    default <T> T read(ApiCall call, DataReader<T> reader) throws ProxmoxException {
        JsonNode data = get(call);
        try (JsonParser parser = data.traverse()) {
            parser.nextToken();
            return reader.read(parser);
        } catch (IOException e) {
            throw new UncheckedIOException("reading a parsed answer again failed", e);
        }
    }

    /**
     * Like {@link #read(ApiCall, DataReader)}, and then asks {@code check} whether the endpoint that
     * answered can be trusted, with calls to that same endpoint; when it says no, that endpoint
     * counts as failed and the next is tried (a node that lost quorum answers, but with its own
     * partial view of the cluster: DESIGN.md 3.11).
     *
     * <p>This default has one endpoint to offer: it checks with {@code this} and throws
     * {@link ProxmoxUnavailableException} with the reason when the check says no.
     */
    default <T> T read(ApiCall call, DataReader<T> reader, AnswerCheck<T> check) throws ProxmoxException {
        T answer = read(call, reader);
        java.util.Optional<String> rejected = check.reject(answer, this);
        if (rejected.isPresent()) {
            throw new ProxmoxUnavailableException(cluster(), call.name(), "cluster " + cluster() + ": " + call
                    + " answered, but " + rejected.get(), java.util.List.of());
        }
        return answer;
    }

    /** Whether an answer can be trusted, judged with further calls to the endpoint that gave it. */
    @FunctionalInterface
    interface AnswerCheck<T> {
        /**
         * @param sameEndpoint makes calls to the endpoint that answered, and to no other
         * @return why the endpoint's answer cannot be trusted; empty when it can
         * @throws ProxmoxException when the check's own call failed: the endpoint counts as failed
         */
        java.util.Optional<String> reject(T answer, ProxmoxApi sameEndpoint) throws ProxmoxException;
    }

    /** Reads the {@code data} value of an answer from a parser standing on its first token. */
    @FunctionalInterface
    interface DataReader<T> {
        /** Must consume exactly the value: the parser is left on its last token. */
        T read(JsonParser data) throws IOException;
    }
}
