package io.pvesync.properties;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.util.List;
import java.util.stream.Collectors;
import java.util.Locale;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * Raw JSON text as Proxmox, or something in front of it, may send it. Answers are generated as
 * text and parsed the way the client parses them (a plain Jackson reader: floats as doubles, big
 * integers as BigInteger), so {@code 1e400} arrives as infinity and {@code "\ud800"} as a lone
 * surrogate, exactly as they would from the wire.
 */
final class WireJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private WireJson() {
    }

    static JsonNode parse(String text) {
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new AssertionError("generated JSON does not parse: " + text, e);
        }
    }

    /** The JSON string literal of {@code text}, escapes included. */
    static String quote(String text) {
        try {
            return JSON.writeValueAsString(text);
        } catch (JsonProcessingException e) {
            throw new AssertionError(e);
        }
    }

    /** {@code {"k": v, ...}} from already-encoded values, in the given order (duplicate keys allowed). */
    static String object(List<String[]> fields) {
        return fields.stream().map(f -> quote(f[0]) + ":" + f[1]).collect(Collectors.joining(",", "{", "}"));
    }

    /**
     * {@code value} in one of the spellings seen on the wire: a plain number, exponent form, either
     * as a string, padded with blanks, or with a zero fraction.
     */
    static Arbitrary<String> spelled(BigDecimal value) {
        String plain = value.toPlainString();
        String exponent = exponent(value);
        String zeroFraction = plain.contains(".") ? plain + "0" : plain + ".0";
        return Arbitraries.of(plain, exponent, zeroFraction, quote(plain), quote(exponent), quote(" " + plain + " "),
                quote(exponent.toUpperCase(Locale.ROOT)));
    }

    /** {@code 6.6624765952e+10}: one digit before the point, as Perl prints a large float. */
    static String exponent(BigDecimal value) {
        BigDecimal v = value.stripTrailingZeros();
        String digits = v.unscaledValue().abs().toString();
        int exp = digits.length() - 1 - v.scale();
        String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
        return (v.signum() < 0 ? "-" : "") + mantissa + "e" + (exp >= 0 ? "+" : "") + exp;
    }

    /**
     * Values no count may be read from: negative, beyond every integer type, not finite, not a
     * number at all, or of another JSON type.
     */
    static Arbitrary<String> unreadableCount() {
        return Arbitraries.of("-1", "-0.6", "\"-1\"", "-1e3", "1e400", "-1e400", "\"1e400\"", "1.7976931348623157e309",
                "18446744073709551616", "\"9223372036854775808\"", "9223372036854775807.6", "\"1e999999999\"",
                "\"NaN\"", "\"Infinity\"", "\"-Infinity\"", "\"0x10\"", "\"\"", "\" \"", "\"lots\"", "\"1,5\"",
                "\"12 GB\"", "true", "false", "[]", "{}", "[1]", "{\"value\":1}", "\"\\u0000\"");
    }

    /** Values that are not text: a number is accepted as text, these are not. */
    static Arbitrary<String> nonText() {
        return Arbitraries.of("true", "false", "[]", "[\"running\"]", "{}", "{\"name\":\"x\"}");
    }

    /**
     * Names and words an owner, a script or a broken proxy may put in a text field: empty and blank,
     * NUL and other controls, emoji and right-to-left text around the 100-character cut, an unpaired
     * surrogate from a {@code \\ud83d} escape, 10,000 characters, SQL and shell metacharacters.
     */
    static Arbitrary<String> nastyText() {
        Arbitrary<String> fixed = Arbitraries.of("", " ", "\t\n ", "\u0000", "\u0000\u0000 ", "web\u0000db",
                "\u00a0", "\u200b", "\u202eevil.exe", "שרת-ראשי", "مرحبا", "😀", "👩‍💻 dev box", "\ud83d",
                "a\udc00b", "\\", "'; DROP TABLE vms; --", "$$", "%", "%s%n", "Robert'); --", "x".repeat(10_000),
                "😀".repeat(100), "😀".repeat(101), "a".repeat(99) + "😀", "a".repeat(100) + "😀", " " + "b".repeat(100) + " ");
        Arbitrary<String> any = Arbitraries.strings().all().ofMaxLength(40);
        // one code point each; the emoji takes two chars, so a cut by chars would split it
        Arbitrary<String> aroundTheCut = Arbitraries.of("a", "é", "😀", "ש", " ").list().ofMinSize(95).ofMaxSize(110)
                .map(points -> String.join("", points));
        Arbitrary<String> plain = Arbitraries.strings().alpha().numeric().withChars('-', '.', '_')
                .ofMinLength(1).ofMaxLength(20);
        return Arbitraries.frequencyOf(
                Tuple.of(3, fixed), Tuple.of(3, any),
                Tuple.of(2, aroundTheCut), Tuple.of(4, plain));
    }

    /** Any JSON value, nested at most {@code depth} levels, with the numbers and texts above. */
    static Arbitrary<String> anyValue(int depth) {
        Arbitrary<String> scalar = Arbitraries.oneOf(
                Arbitraries.of("null", "true", "false", "0", "-0", "1", "100", "0.5", "1e2", "1E-2"),
                Arbitraries.longs().map(String::valueOf),
                Arbitraries.doubles().map(String::valueOf),
                unreadableCount(),
                nastyText().map(WireJson::quote));
        if (depth <= 0) {
            return scalar;
        }
        Arbitrary<String> array = anyValue(depth - 1).list().ofMaxSize(3)
                .map(items -> String.join(",", items)).map(s -> "[" + s + "]");
        Arbitrary<String> object = Combinators.combine(
                        Arbitraries.of("type", "vmid", "node", "name", "status", "x", "").list().ofMaxSize(3),
                        anyValue(depth - 1).list().ofSize(3))
                .as((keys, values) -> {
                    StringBuilder sb = new StringBuilder("{");
                    for (int i = 0; i < keys.size(); i++) {
                        sb.append(i == 0 ? "" : ",").append(quote(keys.get(i))).append(':').append(values.get(i));
                    }
                    return sb.append('}').toString();
                });
        return Arbitraries.frequencyOf(
                Tuple.of(4, scalar), Tuple.of(1, array), Tuple.of(1, object));
    }
}
