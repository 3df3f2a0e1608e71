package io.pvesync.status;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The test parser must itself be able to fail, or the metrics tests that rely on it prove nothing. */
class PromTextTest {

    @Test
    void readsLabelsWithEscapesAndSpecialValues() {
        PromText text = PromText.parse("""
                # HELP a_total Things, with "quotes" and \\\\ backslash
                # TYPE a_total counter
                a_total{cluster="lab",note="say \\"hi\\"\\nnow"} 3
                # TYPE h histogram
                h_bucket{le="+Inf"} 2
                h_sum 1.5e-3
                h_count 2
                g NaN
                """);

        assertThat(text.value("a_total", "note", "say \"hi\"\nnow", "cluster", "lab")).isEqualTo(3);
        assertThat(text.value("h_bucket", "le", "+Inf")).isEqualTo(2);
        assertThat(text.value("h_sum")).isEqualTo(0.0015);
        assertThat(text.value("g")).isNaN();
        assertThat(text.families()).containsExactlyInAnyOrder("a_total", "h", "g");
    }

    @Test
    void refusesWhatPrometheusWouldRefuse() {
        assertRefused("9bad 1\n", "invalid name 9bad");
        assertRefused("a{0x=\"1\"} 1\n", "invalid name 0x");
        assertRefused("a{x=1} 1\n", "label value of x not quoted");
        assertRefused("a{x=\"1\" 1\n", "expected ',' or '}' after a label");
        assertRefused("a{x=\"\\t\"} 1\n", "bad escape \\t");
        assertRefused("a 1,5\n", "bad value 1,5");
        assertRefused("a 1\n# TYPE a gauge\n", "TYPE after the family's samples");
        assertRefused("# TYPE a gauge\n# TYPE a counter\na 1\n", "TYPE given twice");
        assertRefused("a 1\nb 1\na{x=\"y\"} 2\n", "samples of a are split up");
        assertRefused("a 1\na 2\n", "sample given twice");
        assertRefused("a 1", "does not end with a line feed");
    }

    private static void assertRefused(String text, String message) {
        assertThatThrownBy(() -> PromText.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }
}
