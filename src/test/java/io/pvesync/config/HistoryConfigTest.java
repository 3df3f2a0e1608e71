package io.pvesync.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code history.retention}: 90 days by default, 0 keeps every change, too short or unreadable refused by key. */
class HistoryConfigTest {
    private static final String MINIMAL = MinimalConfig.YAML;

    @TempDir
    Path dir;

    private Path file() {
        return dir.resolve("pvesync.yaml");
    }

    private PvesyncConfig load(String yaml) throws Exception {
        Files.writeString(file(), yaml);
        return new ConfigLoader(Map.of()).load(file());
    }

    @Test
    void ninetyDaysUnlessToldOtherwise() throws Exception {
        assertThat(load(MINIMAL).history().pruneAfter()).contains(Duration.ofDays(90));
        assertThat(load(MINIMAL + "history:\n  retention: 30d\n").history().pruneAfter()).contains(Duration.ofDays(30));
        assertThat(load(MINIMAL + "history:\n  retention: 12h\n").history().pruneAfter()).contains(Duration.ofHours(12));
    }

    @Test
    void zeroKeepsEveryChange() throws Exception {
        assertThat(load(MINIMAL + "history:\n  retention: 0\n").history().pruneAfter()).isEqualTo(Optional.empty());
        assertThat(load(MINIMAL + "history:\n  retention: \"0\"\n").history().pruneAfter()).isEqualTo(Optional.empty());
    }

    @Test
    void aBadValueOrKeyNamesTheFileAndTheKey() {
        assertThatThrownBy(() -> load(MINIMAL + "history:\n  retention: 30m\n"))
                .hasMessageContaining(file() + ": history.retention: \"30m\" is shorter than 1h: give how long to keep"
                        + " the change history (e.g. 90d), or 0 to keep every change");
        assertThatThrownBy(() -> load(MINIMAL + "history:\n  retention: ninety days\n"))
                .hasMessageContaining(file() + ": history.retention: ");
        assertThatThrownBy(() -> load(MINIMAL + "history:\n  retension: 90d\n"))
                .hasMessageContaining(file() + ": history.retension: ");
    }

    @Test
    void theShippedExampleKeepsNinetyDays() throws Exception {
        PvesyncConfig example = new ConfigLoader(Map.of()).load(Path.of("config/pvesync.yaml"));

        assertThat(example.history().pruneAfter()).contains(Duration.ofDays(90));
        assertThat(Files.readString(Path.of("config/pvesync.yaml"))).contains("history:\n  retention: 90d");
    }
}
