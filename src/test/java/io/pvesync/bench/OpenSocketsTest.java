package io.pvesync.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OpenSocketsTest {

    @Test
    void countsEstablishedConnectionsOfThisProcessToTheGivenPorts() {
        String header = "  sl  local_address                         remote_address                        st tx_queue"
                + " rx_queue tr tm->when retrnsmt   uid  timeout inode";
        List<String> tcp6 = List.of(header,
                // established, ours, to port 0x9C40 = 40000: counted
                "   0: 0000000000000000FFFF00000100007F:A1B2 0000000000000000FFFF00000100007F:9C40 01 00000000:00000000"
                        + " 00:00000000 00000000     0        0 111 1 0000000000000000 20 4 30 10 -1",
                // established to 40000, but another process's socket: not counted
                "   1: 0000000000000000FFFF00000100007F:A1B3 0000000000000000FFFF00000100007F:9C40 01 00000000:00000000"
                        + " 00:00000000 00000000     0        0 222 1 0000000000000000 20 4 30 10 -1",
                // ours, to 40000, in TIME_WAIT (06): not counted
                "   2: 0000000000000000FFFF00000100007F:A1B4 0000000000000000FFFF00000100007F:9C40 06 00000000:00000000"
                        + " 00:00000000 00000000     0        0 333 1 0000000000000000 20 4 30 10 -1",
                // ours, established, to PostgreSQL (0x1538 = 5432): not a simulator
                "   3: 0000000000000000FFFF00000100007F:A1B5 0000000000000000FFFF00000100007F:1538 01 00000000:00000000"
                        + " 00:00000000 00000000     0        0 444 1 0000000000000000 20 4 30 10 -1");

        int count = new OpenSockets(Set.of(40000)).count(tcp6, Set.of("111", "333", "444"));

        assertThat(count).isEqualTo(1);
    }
}
