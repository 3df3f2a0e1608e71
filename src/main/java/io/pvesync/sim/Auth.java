package io.pvesync.sim;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Authentication and the token's privileges (PROXMOX-API.md §1.1, §1.3, §1.4). One token is
 * known; its privileges hold on every path except the guests whose audit was revoked.
 */
final class Auth {

    // pve-http-server Formatter.pm extract_auth_value: a space works as well as '='
    private static final Pattern TOKEN = Pattern.compile("(?:^|\\s)PVEAPIToken(?:=| )([^;]*)");
    private static final Pattern TICKET_HEADER = Pattern.compile("(?:^|\\s)PVEAuthCookie(?:=| )([^;]*)");
    private static final Pattern TICKET_COOKIE = Pattern.compile("(?:^|;)\\s*PVEAuthCookie=");

    private final String tokenId;
    private final byte[] secret;
    private final PveVersion version;
    private final Duration failureDelay;
    private volatile Set<String> privileges;

    Auth(String tokenId, String secret, PveVersion version, Duration failureDelay, Set<String> privileges) {
        this.tokenId = tokenId;
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
        this.version = version;
        this.failureDelay = failureDelay;
        this.privileges = Set.copyOf(privileges);
    }

    /** The privileges of the built-in PVEAuditor role in that version. */
    static Set<String> auditor(PveVersion version) {
        Set<String> privileges = new LinkedHashSet<>(List.of("VM.Audit", "Sys.Audit", "Datastore.Audit", "SDN.Audit",
                "Pool.Audit", "Mapping.Audit"));
        if (version.hasGuestAgentPrivileges()) {
            privileges.add("VM.GuestAgent.Audit");
        }
        return privileges;
    }

    /**
     * Checks the credentials of a request.
     *
     * @return null when the token is valid; else the 401, delayed as pveproxy delays it
     */
    Reply check(HttpRequest request) {
        String authorization = request.header("authorization");
        String cookie = request.header("cookie");
        // a ticket, as cookie or header, wins over the token (AnyEvent.pm); none is ever valid here
        if ((cookie != null && TICKET_COOKIE.matcher(cookie).find())
                || (authorization != null && TICKET_HEADER.matcher(authorization).find())) {
            return refuse("permission denied - invalid PVE ticket");
        }
        Matcher token = authorization == null ? null : TOKEN.matcher(authorization);
        if (token == null || !token.find()) {
            return refuse("No ticket");
        }
        String value = unescape(token.group(1).strip());
        int split = value.lastIndexOf('='); // the token id may not contain '=', the secret may
        if (split <= 0 || !value.substring(0, split).equals(tokenId)
                || !MessageDigest.isEqual(value.substring(split + 1).getBytes(StandardCharsets.UTF_8), secret)) {
            return refuse("invalid token value!");
        }
        return null;
    }

    /** The token id, {@code USER@REALM!TOKENID}: {@code $rpcenv->get_user()} for a token request. */
    String tokenId() {
        return tokenId;
    }

    Set<String> privileges() {
        return privileges;
    }

    void privileges(Set<String> granted) {
        privileges = Set.copyOf(granted);
    }

    boolean has(String privilege) {
        return privileges.contains(privilege);
    }

    /** Whether any of {@code anyOf} is granted. */
    boolean hasAny(List<String> anyOf) {
        return anyOf.stream().anyMatch(privileges::contains);
    }

    private Reply refuse(String detail) {
        // pve-manager 9.1.5 stopped telling a client why it was refused, except when it sent nothing
        String reason = version.vagueAuthFailure() && !"No ticket".equals(detail) ? "Authentication failed!" : detail;
        return Reply.empty(401, reason).delayed(failureDelay);
    }

    private static String unescape(String value) {
        try {
            return URLDecoder.decode(value.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return value;
        }
    }
}
