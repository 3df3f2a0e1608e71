package io.pvesync.faults;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.Arrays;
import java.util.List;
import org.slf4j.LoggerFactory;

/** What some classes log while a test runs, to assert on the lines an operator would read. */
final class Logs implements AutoCloseable {
    private final List<Logger> loggers;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    Logs(Class<?>... sources) {
        this(Arrays.stream(sources).map(Class::getName).toArray(String[]::new));
    }

    /** By logger name; {@link org.slf4j.Logger#ROOT_LOGGER_NAME} for everything. */
    Logs(String... names) {
        appender.start();
        loggers = Arrays.stream(names).map(n -> (Logger) LoggerFactory.getLogger(n)).toList();
        loggers.forEach(l -> l.addAppender(appender));
    }

    /** The formatted messages logged at {@code level}, in order. */
    List<String> at(Level level) {
        synchronized (appender) {
            return appender.list.stream().filter(e -> e.getLevel() == level).map(ILoggingEvent::getFormattedMessage)
                    .toList();
        }
    }

    /** Every formatted message with its exception's messages, whatever the level. */
    List<String> all() {
        synchronized (appender) {
            return appender.list.stream().map(e -> e.getFormattedMessage()
                    + (e.getThrowableProxy() == null ? "" : " " + e.getThrowableProxy().getMessage())).toList();
        }
    }

    @Override
    public void close() {
        loggers.forEach(l -> l.detachAppender(appender));
    }
}
