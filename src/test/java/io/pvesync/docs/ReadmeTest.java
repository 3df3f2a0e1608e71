package io.pvesync.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** README.md shows what the project really ships, so it cannot drift from it. */
class ReadmeTest {
    private static String readme() throws IOException {
        return Files.readString(Path.of("README.md"));
    }

    @Test
    void readmeShowsTheGrantsFileAsItIs() throws IOException {
        assertThat(readme()).contains("```sql\n" + Files.readString(Path.of("config/grants.sql")) + "```");
    }

    @Test
    void readmeNamesEveryConfigKeyOfTheExample() throws IOException {
        String readme = readme();
        Files.readAllLines(Path.of("config/pvesync.yaml")).stream()
                .map(String::strip)
                .map(l -> l.startsWith("# ") ? l.substring(2) : l)
                .filter(l -> l.matches("-? ?[a-z][a-z-]*:( .*)?"))
                .map(l -> l.replaceFirst("^- ", "").replaceFirst(":.*$", ""))
                .distinct()
                .forEach(key -> assertThat(readme).as("README mentions config key %s", key).contains(key));
    }
}
