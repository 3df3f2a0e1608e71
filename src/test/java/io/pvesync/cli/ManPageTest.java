package io.pvesync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The Debian package's manual page (src/deb/man/pvesync.1) names every command the usage text names. */
class ManPageTest {
    private static List<String> commandsInUsage() {
        Matcher m = Pattern.compile("(?m)^ {2}([a-z]+) ").matcher(Main.USAGE);
        return m.results().map(r -> r.group(1)).toList();
    }

    @Test
    void manPageDescribesEveryCommand() throws Exception {
        String page = Files.readString(Path.of("src/deb/man/pvesync.1"));

        assertThat(commandsInUsage()).containsExactly("run", "sync", "check", "resync", "history", "migrate", "demo", "bench");
        for (String command : commandsInUsage()) {
            assertThat(page).as("pvesync.1 describes %s", command).containsPattern("(?m)^\\.B " + command + "\\b");
        }
        assertThat(page).contains(".B pvesync \\-\\-version");
    }
}
