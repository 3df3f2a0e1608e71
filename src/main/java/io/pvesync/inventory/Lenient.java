package io.pvesync.inventory;

import com.fasterxml.jackson.databind.JsonNode;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Reads wire values the way Perl's JSON encoder really emits them (PROXMOX-API.md §0): a number
 * may arrive as a JSON number, as a numeric string ({@code "2048"}), in exponent form
 * ({@code 3.47726673451418e+15}, {@code "6.6624765952E10"}), or as a float. Absent and JSON null
 * read as empty; anything else that is not a number (a word, an object, an array, a boolean) or a
 * negative value where none makes sense is a {@link BadFieldException} naming the field.
 *
 * <p>Byte counts exceed 2^31, so whole numbers are read as {@code long}.
 */
final class Lenient {

    private static final BigDecimal LONG_MIN = BigDecimal.valueOf(Long.MIN_VALUE);
    private static final BigDecimal LONG_MAX = BigDecimal.valueOf(Long.MAX_VALUE);

    private Lenient() {
    }

    /**
     * A non-negative decimal value, exactly as given.
     *
     * @return empty when absent or null
     * @throws BadFieldException when present but not a non-negative number
     */
    static Optional<BigDecimal> decimal(JsonNode object, String field) throws BadFieldException {
        JsonNode value = object.get(field);
        if (value == null || value.isNull() || value.isMissingNode()) {
            return Optional.empty();
        }
        BigDecimal number = toDecimal(value, field);
        if (number.signum() < 0) {
            throw new BadFieldException(field, "negative value " + number);
        }
        return Optional.of(number);
    }

    /**
     * A non-negative whole number; a fractional value is rounded half up (a byte count in exponent
     * form may carry a fraction after the float round trip).
     *
     * @return empty when absent or null
     * @throws BadFieldException when present but not a non-negative number, or beyond {@code long}
     */
    static OptionalLong count(JsonNode object, String field) throws BadFieldException {
        JsonNode given = object.get(field);
        if (given != null && (given.isInt() || given.isLong())) {
            // the common case, a plain JSON integer: no BigDecimal needed
            long value = given.longValue();
            if (value < 0) {
                throw new BadFieldException(field, "negative value " + value);
            }
            return OptionalLong.of(value);
        }
        Optional<BigDecimal> number = decimal(object, field);
        if (number.isEmpty()) {
            return OptionalLong.empty();
        }
        BigDecimal value = number.get();
        // below 0.01 rounds to 0; checked first so a value like 1e-999999999 is never expanded
        if (value.precision() - value.scale() < -1) {
            return OptionalLong.of(0);
        }
        return OptionalLong.of(toLong(inRange(value, field).setScale(0, RoundingMode.HALF_UP), field));
    }

    /**
     * A whole number that must be integral as given (identifiers: {@code "100"} yes, {@code 100.5} no).
     *
     * @return empty when absent or null
     * @throws BadFieldException when present but not an integer
     */
    static OptionalLong integer(JsonNode object, String field) throws BadFieldException {
        JsonNode value = object.get(field);
        if (value == null || value.isNull() || value.isMissingNode()) {
            return OptionalLong.empty();
        }
        if (value.isInt() || value.isLong()) {
            return OptionalLong.of(value.longValue());
        }
        BigDecimal number = toDecimal(value, field);
        // stripping trailing zeros never expands the number, unlike rescaling 1e-999999999
        if (number.stripTrailingZeros().scale() > 0) {
            throw new BadFieldException(field, "not a whole number: " + number);
        }
        return OptionalLong.of(toLong(inRange(number, field), field));
    }

    /**
     * A text value. A JSON number is accepted as its text (Perl may emit a numeric-looking name
     * as a number); an object, array or boolean is not text.
     *
     * @return empty when absent or null
     * @throws BadFieldException when present but not a scalar text or number
     */
    static Optional<String> text(JsonNode object, String field) throws BadFieldException {
        JsonNode value = object.get(field);
        if (value == null || value.isNull() || value.isMissingNode()) {
            return Optional.empty();
        }
        if (value.isTextual()) {
            return Optional.of(value.textValue());
        }
        if (value.isNumber()) {
            return Optional.of(value.asText());
        }
        throw new BadFieldException(field, "expected text, got " + describe(value));
    }

    /** A short description of a node's JSON type for messages, never its (possibly long) content. */
    static String describe(JsonNode value) {
        if (value.isTextual()) {
            return '"' + Printable.of(value.textValue(), 40) + '"';
        }
        if (value.isObject()) {
            return "an object";
        }
        if (value.isArray()) {
            return "an array";
        }
        if (value.isBoolean()) {
            return "a boolean";
        }
        return value.asText();
    }

    private static BigDecimal toDecimal(JsonNode value, String field) throws BadFieldException {
        if (value.isNumber()) {
            if (value.isFloatingPointNumber() && !Double.isFinite(value.doubleValue())) {
                throw new BadFieldException(field, "not a finite number");
            }
            return value.decimalValue();
        }
        if (value.isTextual()) {
            String text = value.textValue().trim();
            // BigDecimal's grammar is exactly "digits, optional fraction, optional exponent";
            // it rejects NaN, Infinity, hex and empty text, which is what a count must reject
            try {
                return new BigDecimal(text);
            } catch (NumberFormatException notNumeric) {
                throw new BadFieldException(field, "not a number: " + describe(value));
            }
        }
        throw new BadFieldException(field, "expected a number, got " + describe(value));
    }

    /**
     * Checked before any rescaling: {@code setScale(0)} of {@code 1e999999999} would build a
     * billion-digit number. The comparison itself looks at the exponents first, so it is cheap.
     */
    private static BigDecimal inRange(BigDecimal number, String field) throws BadFieldException {
        if (number.compareTo(LONG_MIN) < 0 || number.compareTo(LONG_MAX) > 0) {
            throw new BadFieldException(field, "out of range: " + number.toString());
        }
        return number;
    }

    private static long toLong(BigDecimal whole, String field) throws BadFieldException {
        try {
            return whole.longValueExact();
        } catch (ArithmeticException overflow) {
            // 9223372036854775807.6 passes the range check but rounds up past the end
            throw new BadFieldException(field, "out of range: " + whole);
        }
    }
}
