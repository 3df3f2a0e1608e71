package io.pvesync.realanswers;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The README of {@code proxmox/real/} credits every file there, once, and names no other. */
class RealAnswersReadmeTest {

    private static final Pattern ROW = Pattern.compile("(?m)^\\| `([^`]+)` \\|");

    @Test
    void everyFileHasOneReadmeRowAndEveryRowAFile() {
        Matcher rows = ROW.matcher(RealAnswerFiles.text("README.md"));
        List<String> credited = rows.results().map(m -> m.group(1)).sorted().toList();
        List<String> files = RealAnswerFiles.names().stream().filter(n -> !n.equals("README.md")).toList();

        assertThat(credited).doesNotHaveDuplicates().isEqualTo(files);
    }

    @Test
    void everyFileIsJson() {
        for (String name : RealAnswerFiles.names()) {
            if (!name.equals("README.md")) {
                assertThat(RealAnswerFiles.data(name)).as(name).isNotNull();
            }
        }
    }
}
