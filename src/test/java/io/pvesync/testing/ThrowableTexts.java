package io.pvesync.testing;

import io.pvesync.proxmox.ProxmoxUnavailableException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/** Every text an exception can show: what a log line with its stack trace, or a caller, would print. */
public final class ThrowableTexts {
    private ThrowableTexts() {
    }

    /**
     * The stack trace as printed (messages and {@code toString()} of the exception, its causes and
     * suppressed ones), plus the same for each endpoint failure a
     * {@link ProxmoxUnavailableException} carries.
     */
    public static String of(Throwable error) {
        List<String> texts = new ArrayList<>();
        collect(error, texts, Collections.newSetFromMap(new IdentityHashMap<>()));
        return String.join("\n", texts);
    }

    private static void collect(Throwable error, List<String> texts, Set<Throwable> seen) {
        if (error == null || !seen.add(error)) {
            return;
        }
        StringWriter trace = new StringWriter();
        error.printStackTrace(new PrintWriter(trace));
        texts.add(trace.toString());
        collect(error.getCause(), texts, seen);
        for (Throwable suppressed : error.getSuppressed()) {
            collect(suppressed, texts, seen);
        }
        if (error instanceof ProxmoxUnavailableException unavailable) {
            unavailable.failures().forEach(failure -> collect(failure, texts, seen));
        }
    }
}
