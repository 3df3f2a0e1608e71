package io.pvesync.inventory;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigDecimal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LenientTest {

    private static JsonNode field(String json) {
        return Fixtures.parse("{\"f\": " + json + "}");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "66624765952           | 66624765952",
            "'\"2048\"'            | 2048",
            "' \"2048\" '          | 2048",
            "3.47726673451418e+15  | 3477266734514180",
            "'\"6.6624765952E10\"' | 66624765952",
            "1.5                   | 2",
            "'\"1.49\"'            | 1",
            "0                     | 0",
            "'\"1e-999999999\"'    | 0",
            "9223372036854775807   | 9223372036854775807"})
    void countsAcceptEveryNumericSpelling(String json, long expected) throws Exception {
        assertThat(Lenient.count(field(json), "f")).hasValue(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"null", "absent"})
    void absentAndNullAreEmpty(String value) throws Exception {
        JsonNode object = value.equals("absent") ? Fixtures.parse("{}") : field(value);
        assertThat(Lenient.count(object, "f")).isEmpty();
        assertThat(Lenient.integer(object, "f")).isEmpty();
        assertThat(Lenient.decimal(object, "f")).isEmpty();
        assertThat(Lenient.text(object, "f")).isEmpty();
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', value = {
            "'\"lots\"'            | f: not a number: \"lots\"",
            "'\"\"'                | f: not a number: \"\"",
            "'\"NaN\"'             | f: not a number: \"NaN\"",
            "'\"0x10\"'            | f: not a number: \"0x10\"",
            "{}                    | f: expected a number, got an object",
            "[]                    | f: expected a number, got an array",
            "true                  | f: expected a number, got a boolean",
            "-1                    | f: negative value -1",
            "'\"-2048\"'           | f: negative value -2048",
            "'\"1e999999999\"'     | f: out of range: 1E+999999999",
            "9223372036854775808   | f: out of range: 9223372036854775808"})
    void nonNumbersAreBadFieldsNamingTheField(String json, String message) {
        assertThatThrownBy(() -> Lenient.count(field(json), "f"))
                .isInstanceOfSatisfying(BadFieldException.class, e -> assertThat(e.field()).isEqualTo("f"))
                .hasMessage(message);
    }

    @Test
    void integersMustBeWhole() throws Exception {
        assertThat(Lenient.integer(field("\"111\""), "f")).hasValue(111);
        assertThat(Lenient.integer(field("1E2"), "f")).hasValue(100);
        assertThat(Lenient.integer(field("100.0"), "f")).hasValue(100);
        assertThatThrownBy(() -> Lenient.integer(field("100.5"), "f"))
                .isInstanceOf(BadFieldException.class).hasMessage("f: not a whole number: 100.5");
        assertThatThrownBy(() -> Lenient.integer(field("\"1e-999999999\""), "f"))
                .isInstanceOf(BadFieldException.class).hasMessage("f: not a whole number: 1E-999999999");
    }

    @Test
    void decimalsKeepFractions() throws Exception {
        assertThat(Lenient.decimal(field("0.5"), "f")).hasValue(new BigDecimal("0.5"));
        assertThat(Lenient.decimal(field("\"2.25\""), "f")).hasValue(new BigDecimal("2.25"));
    }

    @Test
    void textAcceptsNumbersButNotStructures() throws Exception {
        assertThat(Lenient.text(field("\"web\""), "f")).hasValue("web");
        assertThat(Lenient.text(field("123"), "f")).hasValue("123");
        assertThatThrownBy(() -> Lenient.text(field("{\"a\":1}"), "f"))
                .isInstanceOf(BadFieldException.class).hasMessage("f: expected text, got an object");
    }
}
