package io.pvesync.proxmox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

/**
 * Collects every exception a test provokes (through {@link #thrownBy}) and every log line of the
 * client package at DEBUG, and fails the test when any of them shows {@link TestClusters#SECRET}.
 */
final class SecretLeakCheck implements BeforeEachCallback, AfterEachCallback {

    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final List<Throwable> thrown = new ArrayList<>();
    private final Logger logger = (Logger) LoggerFactory.getLogger("io.pvesync.proxmox");
    private Level previousLevel;

    @Override
    public void beforeEach(ExtensionContext context) {
        previousLevel = logger.getLevel();
        logger.setLevel(Level.DEBUG); // debug lines must not leak either
        appender.list.clear();
        appender.start();
        logger.addAppender(appender);
        thrown.clear();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        logger.detachAppender(appender);
        logger.setLevel(previousLevel);
        for (Throwable error : thrown) {
            assertThat(texts(error)).as("texts of %s", error.getClass().getSimpleName())
                    .noneMatch(text -> text.contains("SECRET"));
        }
        assertThat(lines(Level.TRACE)).noneMatch(line -> line.contains("SECRET"));
    }

    /** Runs {@code call}, which must throw {@code type}, and keeps the exception for the leak check. */
    <T extends Throwable> T thrownBy(ThrowingCallable call, Class<T> type) {
        Throwable error = catchThrowable(call);
        assertThat(error).isInstanceOf(type);
        thrown.add(error);
        return type.cast(error);
    }

    /** The formatted log lines of the client package at {@code level} or above. */
    List<String> lines(Level level) {
        return appender.list.stream()
                .filter(event -> event.getLevel().isGreaterOrEqual(level))
                .map(event -> event.getLevel() + " " + event.getFormattedMessage())
                .toList();
    }

    /** Every message and toString() of {@code error}, its causes, suppressed ones and endpoint failures. */
    static List<String> texts(Throwable error) {
        List<String> texts = new ArrayList<>();
        collect(error, texts, Collections.newSetFromMap(new IdentityHashMap<>()));
        return texts;
    }

    private static void collect(Throwable error, List<String> texts, Set<Throwable> seen) {
        if (error == null || !seen.add(error)) {
            return;
        }
        texts.add(String.valueOf(error.getMessage()));
        texts.add(error.toString());
        collect(error.getCause(), texts, seen);
        for (Throwable suppressed : error.getSuppressed()) {
            collect(suppressed, texts, seen);
        }
        if (error instanceof ProxmoxUnavailableException unavailable) {
            unavailable.failures().forEach(failure -> collect(failure, texts, seen));
        }
    }
}
