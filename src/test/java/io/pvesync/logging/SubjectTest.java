package io.pvesync.logging;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The subject prefix of STYLE.md read into fields, and only that prefix. */
class SubjectTest {

    @Test
    void keyValuePairsBeforeTheFirstDashAreTheSubject() {
        assertThat(Subject.of("cluster=lab node=pve1 vmid=104 - guest agent not running - retry later"))
                .containsExactly(Map.entry("cluster", "lab"), Map.entry("node", "pve1"), Map.entry("vmid", "104"));
        assertThat(Subject.of("sim node=pve2 - offline")).containsExactly(Map.entry("node", "pve2"));
        assertThat(Subject.of("cluster=lab endpoint=https://pve1:8006 - down"))
                .containsExactly(Map.entry("cluster", "lab"), Map.entry("endpoint", "https://pve1:8006"));
    }

    @Test
    void aSubjectWordOrOtherPairsGiveNoField() {
        assertThat(Subject.of("database - cannot connect")).isEmpty();
        assertThat(Subject.of("cluster=lab other=x - text")).containsExactly(Map.entry("cluster", "lab"));
    }

    @Test
    void aSentenceThatHappensToHoldADashHasNoSubject() {
        assertThat(Subject.of("Started: 1 cluster(s) - cluster=lab")).isEmpty();
        assertThat(Subject.of("VM cluster=lab said: x - y")).isEmpty();
        assertThat(Subject.of("cluster=lab")).isEmpty();
        assertThat(Subject.of(" - cluster=lab")).isEmpty();
        assertThat(Subject.of(null)).isEmpty();
    }
}
