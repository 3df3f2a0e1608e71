package io.pvesync.realanswers;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code /version} answers real servers gave: the fields that tell PVE 7, 8 and 9 apart. */
class RealAnswersVersionTest {

    @ParameterizedTest
    @CsvSource({
            "version-pve7.4-go-proxmox.json, 7.4-16, 7.4, 0f39f621,         7",
            "version-pve9.0-bpg.json,        9.0.4,  9.0, 39d8a4de7dfb2c40, 9",
            "version-pve9.2-pvecli.json,     9.2.2,  9.2, b9984c6d90a4bd80, 9"})
    void versionReleaseAndRepoidParse(String file, String version, String release, String repoid, int major) {
        JsonNode data = RealAnswerFiles.data(file);

        assertThat(data.path("version").textValue()).isEqualTo(version);
        assertThat(data.path("release").textValue()).isEqualTo(release);
        assertThat(data.path("repoid").textValue()).isEqualTo(repoid);
        assertThat(Integer.parseInt(release.split("\\.")[0])).isEqualTo(major);
        // PVE 7 wrote "7.4-16"; PVE 9 writes three dotted numbers
        assertThat(version).startsWith(release);
    }
}
