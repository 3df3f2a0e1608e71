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
 * Collects what is logged while it is open, to assert on the exact lines an operator would read.
 *
 * <p>{@link #LogCapture()} listens to every logger: an appender on the root logger, with pvesync's
 * own loggers at DEBUG so that lines an operator sees only with {@code PVESYNC_LOG_LEVEL=DEBUG} are
 * checked too. {@link #LogCapture(Class)} listens to one class's logger and leaves every level as
 * configured, so a test sees what that class logs at the levels an operator would. Each captured
 * line is rendered with its exception, causes and suppressed ones included, as an appender would
 * write it.
 */
public final class LogCapture implements AutoCloseable {
    private final Logger logger;
    /** The logger raised to DEBUG while open, or null where no level was touched. */
    private final Logger raised;
    private final Level previous;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    /** Everything every logger logs, pvesync's loggers at DEBUG. */
    public LogCapture() {
        logger = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        raised = (Logger) LoggerFactory.getLogger("io.pvesync");
        previous = raised.getLevel();
        raised.setLevel(Level.DEBUG);
        attach();
    }

    /** What {@code source}'s logger logs, at the levels configured. */
    public LogCapture(Class<?> source) {
        logger = (Logger) LoggerFactory.getLogger(source);
        raised = null;
        previous = null;
        attach();
    }

    private void attach() {
        appender.start();
        logger.addAppender(appender);
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

    /** The formatted messages logged at {@code level}, in order. */
    public List<String> messages(Level level) {
        return messages(level, "");
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

    /** Every formatted message at any level, for checks that something never appears. */
    public List<String> all() {
        synchronized (appender.list) {
            return appender.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        }
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        if (raised != null) {
            raised.setLevel(previous);
        }
    }
}
