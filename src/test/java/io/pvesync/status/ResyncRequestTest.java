package io.pvesync.status;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The query of POST /resync. */
class ResyncRequestTest {

    @Test
    void noQueryMeansEveryClusterWithoutWaiting() {
        assertThat(ResyncRequest.parse(null)).isEqualTo(new ResyncRequest(List.of(), Optional.empty()));
        assertThat(ResyncRequest.parse("")).isEqualTo(new ResyncRequest(List.of(), Optional.empty()));
    }

    @Test
    void clustersKeepTheirOrderWithoutRepeatsAndAreUrlDecoded() {
        assertThat(ResyncRequest.parse("cluster=prod&cluster=my%20lab&cluster=prod&wait=30s"))
                .isEqualTo(new ResyncRequest(List.of("prod", "my lab"), Optional.of(Duration.ofSeconds(30))));
    }

    @Test
    void waitTakesOperatorDurationsAndIsCappedAtFiveMinutes() {
        assertThat(ResyncRequest.parse("wait=500ms").waitFor()).contains(Duration.ofMillis(500));
        assertThat(ResyncRequest.parse("wait=5m").waitFor()).contains(Duration.ofMinutes(5));
        assertThat(ResyncRequest.parse("wait=2h").waitFor()).contains(ResyncRequest.MAX_WAIT);
    }

    @Test
    void badParametersAreRefusedByName() {
        assertThatThrownBy(() -> ResyncRequest.parse("wait=soon"))
                .hasMessage("wait: \"soon\" is not a duration (examples: 500ms, 30s, 5m, 1h)");
        assertThatThrownBy(() -> ResyncRequest.parse("cluster="))
                .hasMessage("cluster: a name is required");
        assertThatThrownBy(() -> ResyncRequest.parse("cluster=lab&force=1&dry"))
                .hasMessage("unknown parameter force, dry (known: cluster, wait)");
        assertThatThrownBy(() -> ResyncRequest.parse("cluster=%zz"))
                .hasMessage("the query is not valid URL encoding");
    }
}
