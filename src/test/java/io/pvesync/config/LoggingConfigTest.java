package io.pvesync.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code logging.format}: text by default, json on request, anything else refused naming the file and key. */
class LoggingConfigTest {
    private static final String MINIMAL = MinimalConfig.YAML;

    @TempDir
    Path dir;

    private PvesyncConfig load(String yaml) throws Exception {
        Path file = dir.resolve("pvesync.yaml");
        Files.writeString(file, yaml);
        return new ConfigLoader(Map.of()).load(file);
    }

    @Test
    void textUnlessJsonIsAskedFor() throws Exception {
        assertThat(load(MINIMAL).logging().format()).isEqualTo(LogFormat.TEXT);
        assertThat(load(MINIMAL + "logging:\n  format: text\n").logging().format()).isEqualTo(LogFormat.TEXT);
        assertThat(load(MINIMAL + "logging:\n  format: json\n").logging().format()).isEqualTo(LogFormat.JSON);
    }

    @Test
    void aBadValueOrKeyNamesTheFileAndTheKey() {
        String file = dir.resolve("pvesync.yaml").toString();
        assertThatThrownBy(() -> load(MINIMAL + "logging:\n  format: JSON-lines\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessage(file + ": logging.format: \"JSON-lines\" is not a log format: text (the default, for the"
                        + " journal) or json (one object per line, for log pipelines)");
        assertThatThrownBy(() -> load(MINIMAL + "logging:\n  formt: json\n"))
                .hasMessageStartingWith(file + ": logging.formt: ");
        assertThatThrownBy(() -> load(MINIMAL + "logging: json\n"))
                .hasMessageStartingWith(file + ": logging: must be a mapping of keys");
    }

    @Test
    void theShippedExampleSaysTextAndLoads() throws Exception {
        PvesyncConfig example = new ConfigLoader(Map.of()).load(Path.of("config/pvesync.yaml"));

        assertThat(example.logging().format()).isEqualTo(LogFormat.TEXT);
        assertThat(Files.readString(Path.of("config/pvesync.yaml"))).contains("logging:\n  format: text");
    }
}
