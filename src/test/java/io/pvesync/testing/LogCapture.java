package io.pvesync.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Collects everything logged, by every logger, while it is open: an appender on the root logger,
 * with pvesync's own loggers at DEBUG so that lines an operator sees only with
 * {@code PVESYNC_LOG_LEVEL=DEBUG} are checked too. Each captured line is rendered with its
 * exception, causes and suppressed ones included, as an appender would write it.
 */
public final class LogCapture implements AutoCloseable {
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private final Logger pvesync = (Logger) LoggerFactory.getLogger("io.pvesync");
    private final Level previous;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    public LogCapture() {
        previous = pvesync.getLevel();
        pvesync.setLevel(Level.DEBUG);
        appender.start();
        root.addAppender(appender);
    }

    /** Every captured line: level, logger, message, and the rendered exception if any. */
    public List<String> lines() {
        synchronized (appender.list) {
            List<String> lines = new ArrayList<>(appender.list.size());
            for (ILoggingEvent e : appender.list) {
                String line = e.getLevel() + " " + e.getLoggerName() + " - " + e.getFormattedMessage();
                if (e.getThrowableProxy() != null) {
                    line += "\n" + ThrowableProxyUtil.asString(e.getThrowableProxy());
                }
                lines.add(line);
            }
            return lines;
        }
    }

    /** The formatted messages logged at {@code level} by loggers under {@code loggerPrefix}, in order. */
    public List<String> messages(Level level, String loggerPrefix) {
        synchronized (appender.list) {
            return appender.list.stream()
                    .filter(e -> e.getLevel() == level && e.getLoggerName().startsWith(loggerPrefix))
                    .map(ILoggingEvent::getFormattedMessage)
                    .toList();
        }
    }

    @Override
    public void close() {
        root.detachAppender(appender);
        pvesync.setLevel(previous);
    }
}
