package io.pvesync.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pvesync.store.VmChange.Kind;
import io.pvesync.testing.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/** The payload of {@code NOTIFY pvesync_vms} (DESIGN.md 4.5): what it says and that it always fits. */
class ChangeNoticeTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aFewChangesAreNamedOneByOne() throws Exception {
        RecordedChanges recorded = recorded(Map.of(Kind.UPDATE, 2, Kind.MISSING, 1), 12, 40, 41);

        JsonNode notice = JSON.readTree(ChangeNotice.payload("lab", "poll",
                new RecordedChanges(recorded.counts(), recorded.vmIds(), 1001, 1003)));

        assertThat(notice).isEqualTo(JSON.readTree("{\"cluster\":\"lab\",\"mode\":\"poll\",\"counts\":{\"inserted\":0,"
                + "\"updated\":2,\"adopted\":0,\"restored\":0,\"missing\":1,\"retired\":0},\"vm_count\":3,"
                + "\"vm_ids\":[12,40,41],\"first_change_id\":1001,\"last_change_id\":1003}"));
    }

    @Test
    void fiftyThousandChangesStayUnderTheLimitAndSayTheIdsWereTooMany() throws Exception {
        int[] ids = IntStream.rangeClosed(2_000_000, 2_049_999).toArray();
        RecordedChanges recorded = new RecordedChanges(Map.of(Kind.INSERT, 50_000), set(ids),
                9_000_000_000L, 9_000_049_999L);

        String payload = ChangeNotice.payload("a-cluster-name-of-the-longest-kind-" + "x".repeat(64), "reconcile",
                recorded);

        assertThat(payload.getBytes(StandardCharsets.UTF_8).length).isLessThan(8000);
        JsonNode notice = JSON.readTree(payload);
        assertThat(notice.get("vm_ids").isNull()).isTrue();
        assertThat(notice.get("vm_count").asInt()).isEqualTo(50_000);
        assertThat(notice.get("counts").get("inserted").asInt()).isEqualTo(50_000);
        assertThat(notice.get("last_change_id").asLong()).isEqualTo(9_000_049_999L);
        // and PostgreSQL takes it as it is
        assertThat(sentAndReceived(payload)).isEqualTo(payload);
    }

    @Test
    void asManyIdsAsFitAreNamedAndOneMoreIsNot() throws Exception {
        int fit = 1;
        while (named(fit + 1)) {
            fit++;
        }
        int[] ids = IntStream.range(0, fit).map(i -> 2_000_000 + i).toArray();
        String largest = ChangeNotice.payload("lab", "reconcile",
                new RecordedChanges(Map.of(Kind.UPDATE, fit), set(ids), 9_000_000_000L, 9_000_000_000L + fit));

        assertThat(fit).as("hundreds of seven-digit ids fit").isGreaterThan(800);
        assertThat(largest.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(ChangeNotice.MAX_BYTES);
        assertThat(sentAndReceived(largest)).isEqualTo(largest);
    }

    private static boolean named(int n) throws Exception {
        int[] ids = IntStream.range(0, n).map(i -> 2_000_000 + i).toArray();
        String payload = ChangeNotice.payload("lab", "reconcile",
                new RecordedChanges(Map.of(Kind.UPDATE, n), set(ids), 9_000_000_000L, 9_000_000_000L + n));
        return !JSON.readTree(payload).get("vm_ids").isNull();
    }

    /** Sends {@code payload} on the channel through PostgreSQL and returns what a listener got. */
    private static String sentAndReceived(String payload) throws Exception {
        try (Connection listener = DriverManager.getConnection(db.url(), db.daemonUser(), db.daemonPassword());
             Connection sender = DriverManager.getConnection(db.url(), db.daemonUser(), db.daemonPassword())) {
            try (Statement st = listener.createStatement()) {
                st.execute("LISTEN " + ChangeNotice.CHANNEL);
            }
            try (var ps = sender.prepareStatement("SELECT pg_notify(?, ?)")) {
                ps.setString(1, ChangeNotice.CHANNEL);
                ps.setString(2, payload);
                ps.execute();
            }
            PGNotification[] got = listener.unwrap(PGConnection.class).getNotifications(10_000);
            assertThat(got).hasSize(1);
            return got[0].getParameter();
        }
    }

    private static RecordedChanges recorded(Map<Kind, Integer> counts, int... ids) {
        return new RecordedChanges(counts, set(ids), 1, 1);
    }

    private static TreeSet<Integer> set(int... ids) {
        TreeSet<Integer> out = new TreeSet<>();
        for (int id : ids) {
            out.add(id);
        }
        return out;
    }
}
