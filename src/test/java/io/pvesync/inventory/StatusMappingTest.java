package io.pvesync.inventory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class StatusMappingTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "running, RUNNING",
            "inmigrate, RUNNING",
            "postmigrate, RUNNING",
            "finish-migrate, RUNNING",
            "colo, RUNNING",
            "stopped, STOPPED",
            "prelaunch, STOPPED",
            "shutdown, STOPPED",
            "paused, PAUSED",
            "suspended, PAUSED",
            "save-vm, PAUSED",
            "restore-vm, PAUSED",
            "debug, PAUSED",
            "io-error, ERROR",
            "internal-error, ERROR",
            "guest-panicked, ERROR",
            "watchdog, ERROR"})
    void everyQemuRunStateHasAColumnValue(String word, VmStatus expected) {
        assertThat(StatusMapping.of(word, null)).isEqualTo(expected);
        assertThat(StatusMapping.isKnown(word)).isTrue();
    }

    @Test
    void hibernatedIsPaused() {
        assertThat(StatusMapping.of("stopped", "suspended")).isEqualTo(VmStatus.PAUSED);
    }

    @Test
    void otherLocksDoNotChangeTheStatus() {
        assertThat(StatusMapping.of("stopped", "backup")).isEqualTo(VmStatus.STOPPED);
        assertThat(StatusMapping.of("running", "suspending")).isEqualTo(VmStatus.RUNNING);
        assertThat(StatusMapping.of("running", "migrate")).isEqualTo(VmStatus.RUNNING);
    }

    @Test
    void unknownWordsAreErrors() {
        assertThat(StatusMapping.of("frobnicated", null)).isEqualTo(VmStatus.ERROR);
        assertThat(StatusMapping.isKnown("frobnicated")).isFalse();
        assertThat(StatusMapping.of(null, null)).isEqualTo(VmStatus.ERROR);
    }
}
