package dev.zerolm.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the writer writes, the reader reads back: values, order, layout and metadata. */
class SafetensorsRoundTripTest {

    @TempDir
    Path dir;

    private static float[] gaussian(int n, long seed) {
        Random random = new Random(seed);
        float[] values = new float[n];
        for (int i = 0; i < n; i++) values[i] = (float) random.nextGaussian();
        return values;
    }

    private static Map<String, TensorData> sampleTensors() {
        Map<String, TensorData> tensors = new LinkedHashMap<>();
        tensors.put("wte.weight", TensorData.ofFloats("wte.weight", new long[] {5, 7}, gaussian(35, 1)));
        tensors.put("ln.bias", TensorData.ofFloats("ln.bias", new float[] {0f, -0f, Float.MIN_VALUE, Float.MAX_VALUE,
                Float.NEGATIVE_INFINITY, Float.NaN, 1e-30f}));
        tensors.put("scale", TensorData.ofFloats("scale", new long[] {}, new float[] {0.5f}));
        return tensors;
    }

    @Test
    void f32RoundTripIsBitExact() throws Exception {
        Path file = dir.resolve("model.safetensors");
        Map<String, TensorData> tensors = sampleTensors();
        SafetensorsWriter.write(file, tensors);
        try (SafetensorsReader reader = SafetensorsReader.open(file)) {
            assertThat(reader.names()).containsExactly("wte.weight", "ln.bias", "scale");
            for (TensorData expected : tensors.values()) {
                TensorInfo info = reader.info(expected.name());
                assertThat(info.dtype()).isEqualTo(DType.F32);
                assertThat(info.shape()).isEqualTo(expected.shape());
                assertThat(reader.readFloats(expected.name())).isEqualTo(expected.toFloats());
            }
        }
    }

    @Test
    void bf16RoundTripStaysWithinBf16Precision() throws Exception {
        Path file = dir.resolve("model-bf16.safetensors");
        float[] values = gaussian(1000, 2);
        SafetensorsWriter.write(file, Map.of("w", TensorData.ofFloats("w", new long[] {10, 100}, values)),
                Map.of(), DType.BF16);
        try (SafetensorsReader reader = SafetensorsReader.open(file)) {
            assertThat(reader.info("w").dtype()).isEqualTo(DType.BF16);
            assertThat(reader.info("w").byteSize()).isEqualTo(2000);
            float[] back = reader.readFloats("w");
            for (int i = 0; i < values.length; i++) {
                assertThat(back[i]).isEqualTo(HalfPrecision.roundToBf16(values[i]));
                // 8 significant bits: relative error at most half an ulp = 2^-8
                assertThat(Math.abs(back[i] - values[i])).isLessThanOrEqualTo(Math.abs(values[i]) * 0x1p-8f);
            }
        }
    }

    @Test
    void f16StorageRoundsEachValueToNearestHalf() throws Exception {
        Path file = dir.resolve("half.safetensors");
        float[] values = gaussian(64, 3);
        SafetensorsWriter.write(file, Map.of("h", TensorData.ofFloats("h", values)), Map.of(), DType.F16);
        try (SafetensorsReader reader = SafetensorsReader.open(file)) {
            float[] back = reader.readFloats("h");
            for (int i = 0; i < values.length; i++) {
                assertThat(back[i]).isEqualTo(Float.float16ToFloat(Float.floatToFloat16(values[i])));
            }
        }
    }

    @Test
    void headerIsPaddedToMultipleOfEightAndCarriesMetadata() throws Exception {
        Path file = dir.resolve("meta.safetensors");
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("step", "1200");
        metadata.put("model", "gpt2-tiny");
        SafetensorsWriter.write(file, sampleTensors(), metadata, DType.F32);

        byte[] raw = Files.readAllBytes(file);
        long headerLength = ByteBuffer.wrap(raw, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertThat(headerLength % 8).isZero();
        String header = new String(raw, 8, (int) headerLength, StandardCharsets.UTF_8);
        assertThat(header).startsWith("{\"__metadata__\":{\"format\":\"pt\"");
        assertThat(header.strip()).endsWith("}");
        assertThat(header.substring(header.strip().length())).matches(" {0,7}");
        try (SafetensorsReader reader = SafetensorsReader.open(file)) {
            assertThat(reader.metadata()).containsExactly(
                    Map.entry("format", "pt"), Map.entry("step", "1200"), Map.entry("model", "gpt2-tiny"));
        }
    }

    @Test
    void offsetsAreContiguousInInsertionOrderAndCoverTheBuffer() throws Exception {
        Path file = dir.resolve("layout.safetensors");
        Map<String, TensorData> tensors = new LinkedHashMap<>();
        for (String name : List.of("z", "a", "m")) tensors.put(name, TensorData.ofFloats(name, gaussian(3, 4)));
        tensors.put("ids", TensorData.ofLongs("ids", new long[] {2}, new long[] {7, 8}));
        SafetensorsWriter.write(file, tensors, Map.of(), DType.BF16);

        try (SafetensorsReader reader = SafetensorsReader.open(file)) {
            assertThat(reader.names()).containsExactly("z", "a", "m", "ids");
            long expectedBegin = 0;
            for (String name : reader.names()) {
                TensorInfo info = reader.info(name);
                assertThat(info.begin()).as(name).isEqualTo(expectedBegin);
                expectedBegin = info.end();
            }
            byte[] raw = Files.readAllBytes(file);
            long headerLength = ByteBuffer.wrap(raw, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            assertThat(expectedBegin).isEqualTo(raw.length - 8 - headerLength);
            assertThat(expectedBegin).isEqualTo(3 * 3 * 2 + 2 * 8);
        }
    }

    @Test
    void integerTensorsKeepTheirDtypeWhenFloatsAreStoredAsBf16() throws Exception {
        Path file = dir.resolve("ints.safetensors");
        Map<String, TensorData> tensors = new LinkedHashMap<>();
        tensors.put("ids", TensorData.ofLongs("ids", new long[] {3}, new long[] {50256, -1, 1L << 40}));
        tensors.put("pos", TensorData.ofInts("pos", new long[] {2}, new int[] {0, 1023}));
        SafetensorsWriter.write(file, tensors, Map.of(), DType.BF16);
        try (SafetensorsReader reader = SafetensorsReader.open(file)) {
            assertThat(reader.info("ids").dtype()).isEqualTo(DType.I64);
            assertThat(reader.readLongs("ids")).containsExactly(50256, -1, 1L << 40);
            assertThat(reader.info("pos").dtype()).isEqualTo(DType.I32);
            assertThat(reader.readInts("pos")).containsExactly(0, 1023);
        }
    }

    @Test
    void zeroElementTensorsTakeNoBytes() throws Exception {
        Path file = dir.resolve("empty.safetensors");
        Map<String, TensorData> tensors = new LinkedHashMap<>();
        tensors.put("before", TensorData.ofFloats("before", new float[] {1f}));
        tensors.put("empty", TensorData.ofFloats("empty", new long[] {0, 4}, new float[0]));
        tensors.put("after", TensorData.ofFloats("after", new float[] {2f}));
        SafetensorsWriter.write(file, tensors);
        try (SafetensorsReader reader = SafetensorsReader.open(file)) {
            assertThat(reader.info("empty").begin()).isEqualTo(4).isEqualTo(reader.info("empty").end());
            assertThat(reader.readFloats("empty")).isEmpty();
            assertThat(reader.readFloats("after")).containsExactly(2f);
        }
    }

    @Test
    void anOpenFileCanBeConvertedToBf16InPlace() throws Exception {
        Path file = dir.resolve("model.safetensors");
        SafetensorsWriter.write(file, sampleTensors());
        try (SafetensorsReader reader = SafetensorsReader.open(file)) {
            Map<String, TensorData> all = new LinkedHashMap<>();
            for (String name : reader.names()) all.put(name, reader.tensor(name));
            SafetensorsWriter.write(file, all, reader.metadata(), DType.BF16); // replaces the mapped file
        }
        try (SafetensorsReader reader = SafetensorsReader.open(file)) {
            assertThat(reader.info("wte.weight").dtype()).isEqualTo(DType.BF16);
            float[] original = sampleTensors().get("wte.weight").toFloats();
            float[] back = reader.readFloats("wte.weight");
            for (int i = 0; i < back.length; i++) assertThat(back[i]).isEqualTo(HalfPrecision.roundToBf16(original[i]));
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("model.safetensors");
        }
    }

    @Test
    void mapKeyNamesTheTensorAndReservedOrIntegerStorageDtypesAreRefused() throws Exception {
        Path file = dir.resolve("keys.safetensors");
        SafetensorsWriter.write(file, Map.of("renamed", TensorData.ofFloats("original", new float[] {1f})));
        try (SafetensorsReader reader = SafetensorsReader.open(file)) {
            assertThat(reader.names()).containsExactly("renamed");
        }
        TensorData t = TensorData.ofFloats("t", new float[] {1f});
        assertThatThrownBy(() -> SafetensorsWriter.write(file, Map.of("__metadata__", t)))
                .hasMessageContaining("__metadata__");
        assertThatThrownBy(() -> SafetensorsWriter.write(file, Map.of("t", t), Map.of(), DType.I32))
                .hasMessageContaining("I32");
    }
}
