package io.pvesync.logging;

import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.encoder.JsonEscapeUtil;
import java.util.Map;

/**
 * Logback's own {@link JsonEncoder} (one object per line), with the subject of the line
 * ({@link Subject}: {@code cluster}, {@code node}, {@code vmid}, {@code endpoint}) as top-level
 * fields; {@code vmid} as a number.
 *
 * <p>Of the encoder's members it keeps {@code timestamp} (Unix milliseconds), {@code level},
 * {@code threadName}, {@code loggerName}, {@code mdc}, {@code kvpList}, {@code formattedMessage}
 * (the line exactly as the text format shows it) and {@code throwable}. It leaves out the message
 * pattern and the raw {@code arguments}: they repeat {@code formattedMessage} in pieces, and an
 * argument's own rendering is the one thing the text format never shows. Secrets stay masked the
 * same way in both formats: a {@code Secret} renders itself as {@code <masked>} wherever it goes.
 */
public class SubjectJsonEncoder extends JsonEncoder {
    public SubjectJsonEncoder() {
        setWithSequenceNumber(false);
        setWithNanoseconds(false);
        setWithContext(false); // the logger context's name and birth time, on every line
        setWithMessage(false);
        setWithArguments(false);
        setWithFormattedMessage(true);
    }

    @Override
    protected void appendCustomFields(StringBuilder sb, ILoggingEvent event) {
        for (Map.Entry<String, String> field : Subject.of(event.getFormattedMessage()).entrySet()) {
            sb.append(",\"").append(field.getKey()).append("\":");
            String value = field.getValue();
            if (field.getKey().equals("vmid") && value.matches("\\d{1,9}")) {
                sb.append(value);
            } else {
                sb.append('"').append(JsonEscapeUtil.jsonEscapeString(value)).append('"');
            }
        }
    }
}
