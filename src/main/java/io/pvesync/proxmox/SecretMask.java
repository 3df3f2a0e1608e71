package io.pvesync.proxmox;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Masks the token secret in text that came from a response (a reason phrase, a JSON
 * {@code message}, a parser's or the transport's complaint) before it goes into an exception or a
 * log line: a proxy in front of Proxmox, or a misconfigured one, may echo the {@code Authorization}
 * header back in its error. Matched in any case, because such a proxy may upper-case what it echoes.
 */
final class SecretMask {
    static final String MASK = "<masked>";

    private final Pattern secret;

    SecretMask(String secret) {
        this.secret = Pattern.compile(Pattern.quote(secret), Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
    }

    /** {@code text} with every occurrence of the secret replaced by {@value #MASK}; null stays null. */
    String apply(String text) {
        if (text == null) {
            return null;
        }
        Matcher m = secret.matcher(text);
        return m.find() ? m.replaceAll(MASK) : text;
    }

    /**
     * {@code error} itself when none of its texts (message, causes, suppressed) shows the secret;
     * otherwise a stand-in that says the same with the secret masked and keeps the stack traces,
     * so it can be kept as a cause and logged.
     */
    Throwable apply(Throwable error) {
        if (error == null || !shows(error)) {
            return error;
        }
        return masked(error);
    }

    private boolean shows(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t.getMessage() != null && secret.matcher(t.getMessage()).find()) {
                return true;
            }
            for (Throwable suppressed : t.getSuppressed()) {
                if (shows(suppressed)) {
                    return true;
                }
            }
        }
        return false;
    }

    private MaskedException masked(Throwable error) {
        Throwable cause = error.getCause() == null || error.getCause() == error ? null : masked(error.getCause());
        MaskedException copy = new MaskedException(error.getClass().getName()
                + (error.getMessage() == null ? "" : ": " + apply(error.getMessage())), cause);
        copy.setStackTrace(error.getStackTrace());
        for (Throwable suppressed : error.getSuppressed()) {
            copy.addSuppressed(masked(suppressed));
        }
        return copy;
    }

    /** Stands in for an exception whose text showed the secret; its message names the original type. */
    static final class MaskedException extends Exception {
        private static final long serialVersionUID = 1L;

        MaskedException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
