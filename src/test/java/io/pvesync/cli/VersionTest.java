package io.pvesync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code pvesync --version} prints the version the pom builds, so packages and bug reports can name it. */
class VersionTest {
    private static String pomVersion() throws Exception {
        // the project's own <version>, right after its <artifactId> (the pom has no parent)
        Matcher m = Pattern.compile("<artifactId>pvesync</artifactId>\\s*<version>([^<]+)</version>")
                .matcher(Files.readString(Path.of("pom.xml")));
        assertThat(m.find()).as("pom.xml names pvesync's version").isTrue();
        return m.group(1);
    }

    @Test
    void versionOptionPrintsThePomVersion() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int exit = Main.run(new String[] {"--version"}, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));

        assertThat(exit).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("pvesync " + pomVersion() + System.lineSeparator());
        assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void versionIsAFilledInBuildFactNotAPlaceholder() {
        assertThat(Version.current()).matches("\\d+\\.\\d+\\.\\d+.*").doesNotContain("${");
    }

    @Test
    void usageMentionsTheVersionOption() {
        assertThat(Main.USAGE).contains("pvesync --version");
    }
}
