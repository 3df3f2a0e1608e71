package io.pvesync.logging;

import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.encoder.EncoderBase;
import io.pvesync.config.LogFormat;

/**
 * The encoder of logback.xml's stderr appender: text by the configured pattern until the config
 * file asks for {@code logging.format: json} ({@link #use}), then {@link SubjectJsonEncoder}.
 * Logback reads logback.xml before pvesync reads its config, so the format is switched here, in
 * one volatile write: no line is lost or written twice, as swapping appenders could.
 *
 * <p>Lines logged before the config is read (a config error, for one) are text.
 */
public final class SwitchableEncoder extends EncoderBase<ILoggingEvent> {
    private static volatile LogFormat format = LogFormat.TEXT;

    private final PatternLayoutEncoder text = new PatternLayoutEncoder();
    private final SubjectJsonEncoder json = new SubjectJsonEncoder();

    /** Every stderr line from now on is written in {@code format}. */
    public static void use(LogFormat format) {
        SwitchableEncoder.format = format;
    }

    /** The format lines are written in now. */
    public static LogFormat current() {
        return format;
    }

    /** The text format's pattern (logback.xml's {@code <pattern>}). */
    public void setPattern(String pattern) {
        text.setPattern(pattern);
    }

    @Override
    public void start() {
        text.setContext(getContext());
        json.setContext(getContext());
        text.start();
        json.start();
        super.start();
    }

    @Override
    public void stop() {
        text.stop();
        json.stop();
        super.stop();
    }

    @Override
    public byte[] headerBytes() {
        return null;
    }

    @Override
    public byte[] encode(ILoggingEvent event) {
        return (format == LogFormat.JSON ? json : text).encode(event);
    }

    @Override
    public byte[] footerBytes() {
        return null;
    }
}
