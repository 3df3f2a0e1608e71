package io.pvesync.history;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

/** How one change's columns read on a terminal; the command's test shows them in the table. */
class ChangesTextTest {
    private static String text(String json) throws Exception {
        return ChangesText.of((ObjectNode) new ObjectMapper().readTree(json));
    }

    @Test
    void columnsFollowTheTablesOrderWhateverTheStoredOrder() throws Exception {
        assertThat(text("{\"zeta\": [1, 2], \"incarnation\": [\"uuid:a\", \"uuid:b\"], \"disk_gb\": [10, 20],"
                + " \"name\": [\"a\", \"b\"]}"))
                .isEqualTo("name \"a\" -> \"b\", disk_gb 10 -> 20, incarnation \"uuid:a\" -> \"uuid:b\", zeta 1 -> 2");
    }

    @Test
    void aLiteralBackslashCannotPassForAnEscapeNorAQuoteEndTheValue() throws Exception {
        // the name is: a\nb" -> "x   (a backslash and an n, not a newline)
        assertThat(text("{\"name\": [null, \"a\\\\nb\\\" -> \\\"x\"]}"))
                .isEqualTo("name NULL -> \"a\\\\nb\\\" -> \\\"x\"");
    }

    @Test
    void noColumnsShowADashAndAnotherShapeShowsItsJson() throws Exception {
        assertThat(text("{}")).isEqualTo("-");
        assertThat(text("{\"status\": \"stopped\\u001b\"}")).isEqualTo("status \"stopped\\u001B\"");
    }
}
