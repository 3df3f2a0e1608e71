package io.pvesync.status;

import io.pvesync.config.Secret;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;

/**
 * The token {@code POST /resync} requires, checked without a timing side channel: both sides are
 * hashed with SHA-256 and the digests compared with {@link MessageDigest#isEqual}, so the time taken
 * depends neither on how many leading characters match nor on the lengths of the two tokens.
 */
final class BearerToken {
    private static final String SCHEME = "bearer ";

    private final byte[] expected;

    BearerToken(Secret token) {
        this.expected = sha256(token.reveal());
    }

    /**
     * Whether an {@code Authorization} header value carries this token as
     * {@code Bearer <token>} (the scheme is case-insensitive, RFC 7235).
     *
     * @param authorization the header's value; null when the request has none
     */
    boolean accepts(String authorization) {
        if (authorization == null || authorization.length() < SCHEME.length()
                || !authorization.substring(0, SCHEME.length()).toLowerCase(Locale.ROOT).equals(SCHEME)) {
            return false;
        }
        // hashing even a wrong or empty token keeps the comparison's cost the same
        return MessageDigest.isEqual(expected, sha256(authorization.substring(SCHEME.length()).trim()));
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    @Override
    public String toString() {
        return "BearerToken[<masked>]";
    }
}
