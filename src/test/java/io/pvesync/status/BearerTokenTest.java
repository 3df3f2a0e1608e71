package io.pvesync.status;

import io.pvesync.config.Secret;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Which Authorization headers {@link BearerToken} accepts. */
class BearerTokenTest {
    private final BearerToken token = new BearerToken(Secret.of("s3cr3t-token"));

    @Test
    void acceptsTheTokenUnderTheBearerSchemeInAnyCase() {
        assertThat(token.accepts("Bearer s3cr3t-token")).isTrue();
        assertThat(token.accepts("bearer s3cr3t-token")).isTrue();
        assertThat(token.accepts("BEARER s3cr3t-token ")).isTrue();
    }

    @Test
    void refusesAnythingElse() {
        assertThat(token.accepts(null)).isFalse();
        assertThat(token.accepts("")).isFalse();
        assertThat(token.accepts("Bearer")).isFalse();
        assertThat(token.accepts("Bearer ")).isFalse();
        assertThat(token.accepts("Bearer s3cr3t-toke")).isFalse();
        assertThat(token.accepts("Bearer s3cr3t-tokenX")).isFalse();
        assertThat(token.accepts("Bearer S3CR3T-TOKEN")).isFalse();
        assertThat(token.accepts("Basic s3cr3t-token")).isFalse();
        assertThat(token.accepts("s3cr3t-token")).isFalse();
    }

    @Test
    void toStringHidesTheToken() {
        assertThat(token.toString()).isEqualTo("BearerToken[<masked>]");
    }
}
