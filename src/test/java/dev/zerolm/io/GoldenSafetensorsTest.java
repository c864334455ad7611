package dev.zerolm.io;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Reads src/test/resources/golden/sample.safetensors, written by tools/golden/make_safetensors_sample.py
 * from PyTorch tensors, and compares with the exact values PyTorch recorded next to it.
 */
class GoldenSafetensorsTest {

    private static Path resource(String name) throws Exception {
        return Path.of(GoldenSafetensorsTest.class.getResource("/golden/" + name).toURI());
    }

    @Test
    void readsEveryTensorPyTorchWroteBitForBit() throws Exception {
        JsonNode expected = new ObjectMapper().readTree(resource("sample.expected.json").toFile());
        try (Safetensors st = Safetensors.open(resource("sample.safetensors"))) {
            assertThat(st.metadata()).containsEntry("format", "pt")
                    .containsEntry("producer", "make_safetensors_sample.py");
            assertThat(st.names()).hasSize(expected.size());
            for (Map.Entry<String, JsonNode> entry : expected.properties()) {
                String name = entry.getKey();
                JsonNode want = entry.getValue();
                TensorInfo info = st.info(name);
                assertThat(info.dtype().name()).as(name).isEqualTo(want.get("dtype").asText());
                assertThat(info.shape()).as(name).containsExactly(longs(want.get("shape")));
                if (want.has("float32_bits")) {
                    float[] floats = st.readFloats(name);
                    int[] bits = new int[floats.length];
                    for (int i = 0; i < bits.length; i++) bits[i] = Float.floatToRawIntBits(floats[i]);
                    assertThat(bits).as(name).containsExactly(ints(want.get("float32_bits")));
                } else {
                    assertThat(st.readLongs(name)).as(name).containsExactly(longs(want.get("values")));
                }
            }
        }
    }

    @Test
    void javaHalfPrecisionRoundingMatchesPyTorch() throws Exception {
        JsonNode expected = new ObjectMapper().readTree(resource("sample.expected.json").toFile());
        int checked = 0;
        for (Map.Entry<String, JsonNode> entry : expected.properties()) {
            JsonNode want = entry.getValue();
            if (!want.has("source_float32_bits")) continue;
            int[] source = ints(want.get("source_float32_bits"));
            int[] torchResult = ints(want.get("float32_bits"));
            for (int i = 0; i < source.length; i++) {
                float value = Float.intBitsToFloat(source[i]);
                float javaResult = switch (want.get("dtype").asText()) {
                    case "BF16" -> HalfPrecision.roundToBf16(value);
                    case "F16" -> HalfPrecision.f16ToFloat(HalfPrecision.floatToF16(value));
                    default -> throw new AssertionError(want);
                };
                assertThat(Float.floatToRawIntBits(javaResult)).as(entry.getKey() + "[" + i + "]")
                        .isEqualTo(torchResult[i]);
                checked++;
            }
        }
        assertThat(checked).isEqualTo(11);
    }

    private static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) out[i] = array.get(i).intValue();
        return out;
    }

    private static long[] longs(JsonNode array) {
        long[] out = new long[array.size()];
        for (int i = 0; i < out.length; i++) out[i] = array.get(i).longValue();
        return out;
    }
}
