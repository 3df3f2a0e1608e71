package io.pvesync.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/** The comparator the honesty tests rely on must see every kind of departure. */
class ShapeTest {

    private static JsonNode json(String text) throws Exception {
        return SimHarness.JSON.readTree(text);
    }

    @Test
    void sameKeysAndTypesAreTheSameShapeWhateverTheValues() throws Exception {
        assertThat(Shape.of(json("{\"a\":1,\"b\":\"x\",\"c\":0.5}"))
                .differencesFrom(json("{\"c\":0,\"b\":\"y\",\"a\":77}"))).isEmpty();
    }

    @Test
    void missingExtraAndRetypedKeysAreEachReported() throws Exception {
        assertThat(Shape.of(json("{\"a\":1,\"b\":\"x\",\"c\":{\"d\":1}}"))
                .differencesFrom(json("{\"a\":\"1\",\"c\":{\"d\":[]},\"e\":null}")))
                .containsExactly("$.a: string instead of number", "$.b: absent", "$.c.d: array instead of number",
                        "$.e: not in the recorded answer");
    }

    @Test
    void allowedDeparturesAreNotReported() throws Exception {
        assertThat(Shape.of(json("{\"a\":1,\"b\":2}")).mayLack("b").mayAdd("z")
                .differencesFrom(json("{\"a\":1,\"z\":3}"))).isEmpty();
    }

    @Test
    void arrayItemsAreComparedWithTheFirstRecordedItem() throws Exception {
        assertThat(Shape.of(json("[{\"ip\":\"x\",\"prefix\":8}]"))
                .differencesFrom(json("[{\"ip\":\"y\",\"prefix\":24},{\"ip\":\"z\",\"prefix\":\"64\"}]")))
                .containsExactly("$[1].prefix: string instead of number");
    }
}
