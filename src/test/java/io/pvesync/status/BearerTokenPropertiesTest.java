package io.pvesync.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvesync.config.Secret;
import java.util.Locale;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * {@link BearerToken} over generated tokens: only the configured token itself is accepted; every
 * shorter or longer token sharing its prefix, every token of the same length one character off, and
 * the token in another case are refused (BearerTokenTest pins the examples). The comparison is of
 * SHA-256 digests with {@code MessageDigest.isEqual}, so neither a shared prefix nor a length
 * difference changes its cost; that is by construction and not measured here.
 */
class BearerTokenPropertiesTest {

    /** Printable ASCII without blanks: what a header carries unchanged. */
    @Provide
    Arbitrary<String> tokens() {
        return Arbitraries.strings().withCharRange('!', '~').ofMinLength(1).ofMaxLength(64);
    }

    @Property(tries = 200)
    void theConfiguredTokenIsAcceptedUnderTheBearerSchemeInAnyCase(@ForAll("tokens") String token,
                                                                  @ForAll boolean upper) {
        String scheme = upper ? "BEARER " : "bearer ";

        assertThat(new BearerToken(Secret.of(token)).accepts(scheme + token)).isTrue();
        assertThat(new BearerToken(Secret.of(token)).accepts("Bearer " + token)).isTrue();
    }

    @Property(tries = 200)
    void aPrefixOrAnExtensionOfTheTokenIsRefused(@ForAll("tokens") String token, @ForAll("tokens") String extra,
                                                 @ForAll @IntRange(min = 0, max = 63) int cut) {
        BearerToken bearer = new BearerToken(Secret.of(token));

        assertThat(bearer.accepts("Bearer " + token.substring(0, Math.min(cut, token.length() - 1)))).isFalse();
        assertThat(bearer.accepts("Bearer " + token + extra)).isFalse();
    }

    @Property(tries = 200)
    void aTokenOfTheSameLengthOneCharacterOffIsRefused(@ForAll("tokens") String token,
                                                       @ForAll @IntRange(min = 0, max = 63) int at,
                                                       @ForAll @IntRange(min = 1, max = 93) int shift) {
        int i = at % token.length();
        char other = (char) ('!' + (token.charAt(i) - '!' + shift) % 94);
        String wrong = token.substring(0, i) + other + token.substring(i + 1);

        assertThat(new BearerToken(Secret.of(token)).accepts("Bearer " + wrong)).isFalse();
    }

    @Property(tries = 100)
    void theTokenInAnotherCaseIsRefused(@ForAll("tokens") String token) {
        String swapped = token.equals(token.toUpperCase(Locale.ROOT)) ? token.toLowerCase(Locale.ROOT)
                : token.toUpperCase(Locale.ROOT);
        Assume.that(!swapped.equals(token)); // a token without letters has no other case

        assertThat(new BearerToken(Secret.of(token)).accepts("Bearer " + swapped)).isFalse();
    }
}
