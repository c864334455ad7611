package dev.zerolm.io;

import static dev.zerolm.io.HandWrittenSafetensors.entry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Malformed and malicious files: each must fail on open with a SafetensorsException that names the file
 * (and the tensor, where one is at fault) and says what is wrong, without allocating from bogus sizes.
 */
class SafetensorsHostileFileTest {

    private static final String FILE = "hostile.safetensors";

    @TempDir
    Path dir;

    private Path file() {
        return dir.resolve(FILE);
    }

    private AbstractThrowableAssert<?, ? extends Throwable> assertOpenFails() {
        return assertThatThrownBy(() -> SafetensorsReader.open(file()).close())
                .isInstanceOf(SafetensorsException.class)
                .hasMessageContaining(FILE);
    }

    private AbstractThrowableAssert<?, ? extends Throwable> assertOpenFails(String header, int dataBytes)
            throws Exception {
        HandWrittenSafetensors.write(file(), header, new byte[dataBytes]);
        return assertOpenFails();
    }

    @Test
    void fileShorterThanTheLengthPrefix() throws Exception {
        Files.write(file(), new byte[] {1, 2, 3});
        assertOpenFails().hasMessageContaining("3 bytes, too short");
    }

    @Test
    void emptyFile() throws Exception {
        Files.write(file(), new byte[0]);
        assertOpenFails().hasMessageContaining("0 bytes, too short");
    }

    @Test
    void absurdHeaderLengthIsRejectedBeforeAnyAllocation() throws Exception {
        HandWrittenSafetensors.writeRaw(file(), 1L << 62, "{}".getBytes(StandardCharsets.UTF_8), new byte[0]);
        assertOpenFails().hasMessageContaining("header length 4611686018427387904 runs past the end of the file");
    }

    @Test
    void headerLengthWithTheTopBitSetIsReadAsUnsigned() throws Exception {
        HandWrittenSafetensors.writeRaw(file(), -1L, new byte[0], new byte[0]);
        assertOpenFails().hasMessageContaining("header length 18446744073709551615");
    }

    @Test
    void headerOver100MegabytesIsRejectedEvenWhenTheFileIsThatLarge() throws Exception {
        long claimed = 150_000_000L;
        HandWrittenSafetensors.writeRaw(file(), claimed, new byte[0], new byte[0]);
        try (RandomAccessFile raf = new RandomAccessFile(file().toFile(), "rw")) {
            raf.setLength(8 + claimed + 16); // sparse: costs no disk
        }
        assertOpenFails().hasMessageContaining("header length 150000000 exceeds the limit of 100000000 bytes");
    }

    @Test
    void truncatedDataIsReportedAgainstTheTensorThatRunsPastTheEnd() throws Exception {
        Path good = dir.resolve("good.safetensors");
        Map<String, TensorData> tensors = new LinkedHashMap<>();
        tensors.put("first", TensorData.ofFloats("first", new float[4]));
        tensors.put("last", TensorData.ofFloats("last", new float[4]));
        SafetensorsWriter.write(good, tensors);
        byte[] raw = Files.readAllBytes(good);
        Files.write(file(), java.util.Arrays.copyOf(raw, raw.length - 3));
        assertOpenFails()
                .hasMessageContaining("tensor 'last'")
                .hasMessageContaining("data_offsets [16, 32] run past the end of the data buffer (29 bytes)");
    }

    @Test
    void invalidJson() throws Exception {
        assertOpenFails("{\"a\": {\"dtype\": \"F32\",", 0)
                .hasMessageContaining("header is not valid JSON at line 1");
    }

    @Test
    void invalidUtf8() throws Exception {
        HandWrittenSafetensors.writeRaw(file(), 4, new byte[] {'{', (byte) 0xC3, (byte) 0x28, '}'}, new byte[0]);
        assertOpenFails().hasMessageContaining("header is not valid UTF-8");
    }

    @Test
    void headerThatIsNotAnObject() throws Exception {
        assertOpenFails("[1, 2, 3]", 0).hasMessageContaining("header must be a JSON object, found array");
    }

    @Test
    void emptyHeader() throws Exception {
        assertOpenFails("   ", 0).hasMessageContaining("header is empty");
    }

    @Test
    void trailingGarbageAfterTheHeaderObject() throws Exception {
        assertOpenFails("{} {}", 0).hasMessageContaining("not valid JSON");
    }

    @Test
    void duplicateTensorNames() throws Exception {
        assertOpenFails("{" + entry("w", "F32", "[1]", 0, 4) + "," + entry("w", "F32", "[1]", 4, 8) + "}", 8)
                .hasMessageContaining("Duplicate field 'w'");
    }

    @Test
    void deeplyNestedJsonFailsCleanlyInsteadOfOverflowingTheStack() throws Exception {
        String deep = "{\"a\":" + "[".repeat(200_000) + "]".repeat(200_000) + "}";
        assertOpenFails(deep, 0).hasMessageContaining("not valid JSON");
    }

    @Test
    void entryMissingDtype() throws Exception {
        assertOpenFails("{\"w\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4)
                .hasMessageContaining("tensor 'w': entry has no 'dtype'");
    }

    @Test
    void entryMissingShapeOrOffsets() throws Exception {
        assertOpenFails("{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", 4)
                .hasMessageContaining("tensor 'w': entry has no 'shape'");
        assertOpenFails("{\"w\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4)
                .hasMessageContaining("tensor 'w': entry has no 'data_offsets'");
    }

    @Test
    void entryWithWrongTypes() throws Exception {
        assertOpenFails("{\"w\":[1,2]}", 0).hasMessageContaining("tensor 'w': entry must be an object");
        assertOpenFails("{\"w\":{\"dtype\":32,\"shape\":[1],\"data_offsets\":[0,4]}}", 4)
                .hasMessageContaining("tensor 'w': dtype must be a string, found number");
        assertOpenFails("{\"w\":{\"dtype\":\"F32\",\"shape\":\"1\",\"data_offsets\":[0,4]}}", 4)
                .hasMessageContaining("tensor 'w': shape must be an array of non-negative integers");
        assertOpenFails("{\"w\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}", 4)
                .hasMessageContaining("found 1.5");
        assertOpenFails("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4,8]}}", 8)
                .hasMessageContaining("data_offsets must be an array of 2 non-negative integers");
        assertOpenFails("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,1e400]}}", 4)
                .hasMessageContaining("tensor 'w'");
    }

    @Test
    void negativeDimension() throws Exception {
        assertOpenFails("{" + entry("w", "F32", "[2,-2]", 0, 0) + "}", 0)
                .hasMessageContaining("tensor 'w': shape must be an array of non-negative integers, found -2");
    }

    @Test
    void offsetsPastTheEndOfTheBuffer() throws Exception {
        assertOpenFails("{" + entry("w", "F32", "[4]", 0, 16) + "}", 8)
                .hasMessageContaining("tensor 'w': data_offsets [0, 16] run past the end of the data buffer (8 bytes)");
    }

    @Test
    void offsetBeginAfterEnd() throws Exception {
        assertOpenFails("{" + entry("w", "F32", "[1]", 8, 4) + "}", 8)
                .hasMessageContaining("tensor 'w': data_offsets [8, 4] begin after end");
    }

    @Test
    void overlappingTensors() throws Exception {
        String header = "{" + entry("a", "F32", "[4]", 0, 16) + "," + entry("b", "F32", "[4]", 8, 24) + "}";
        assertOpenFails(header, 24)
                .hasMessageContaining("tensor 'b': bytes [8, 24) overlap tensor 'a' at [0, 16)");
    }

    @Test
    void gapBetweenTensors() throws Exception {
        String header = "{" + entry("a", "F32", "[2]", 0, 8) + "," + entry("b", "F32", "[2]", 12, 20) + "}";
        assertOpenFails(header, 20)
                .hasMessageContaining("tensor 'b': gap: data bytes [8, 12) between tensor 'a' and this tensor"
                        + " belong to no tensor");
    }

    @Test
    void gapAtTheStartOrEndOfTheBuffer() throws Exception {
        assertOpenFails("{" + entry("a", "F32", "[1]", 4, 8) + "}", 8)
                .hasMessageContaining("tensor 'a': gap: data bytes [0, 4) between the start of the buffer");
        assertOpenFails("{" + entry("a", "F32", "[1]", 0, 4) + "}", 9)
                .hasMessageContaining("gap: data bytes [4, 9) at the end of the buffer belong to no tensor after"
                        + " tensor 'a'");
        assertOpenFails("{}", 5).hasMessageContaining("data bytes [0, 5)");
    }

    @Test
    void unknownDtype() throws Exception {
        assertOpenFails("{" + entry("w", "F8_E4M3", "[1]", 0, 1) + "}", 1)
                .hasMessageContaining("tensor 'w': unknown dtype 'F8_E4M3'")
                .hasMessageContaining("supported: [F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL]");
    }

    @Test
    void shapeThatDisagreesWithTheByteRange() throws Exception {
        assertOpenFails("{" + entry("w", "BF16", "[3,4]", 0, 20) + "}", 20)
                .hasMessageContaining("tensor 'w': shape [3, 4] of BF16 needs 24 bytes")
                .hasMessageContaining("but data_offsets [0, 20] span 20");
    }

    @Test
    void shapeWhoseSizeOverflowsALongFailsWithoutAllocating() throws Exception {
        long big = 1L << 40;
        assertOpenFails("{" + entry("w", "F64", "[" + big + "," + big + "]", 0, 8) + "}", 8)
                .hasMessageContaining("tensor 'w': shape [1099511627776, 1099511627776] of F64")
                .hasMessageContaining("is larger than any file");
    }

    @Test
    void metadataThatIsNotAStringMap() throws Exception {
        assertOpenFails("{\"__metadata__\":{\"step\":5}}", 0)
                .hasMessageContaining("__metadata__ value for 'step' must be a string, found number");
        assertOpenFails("{\"__metadata__\":[]}", 0)
                .hasMessageContaining("__metadata__ must be an object of strings");
    }

    @Test
    void missingTensorListsAvailableNamesAndTheClosestOne() throws Exception {
        StringBuilder header = new StringBuilder("{");
        for (int layer = 0; layer < 8; layer++) {
            if (layer > 0) header.append(',');
            header.append(entry("h." + layer + ".attn.weight", "F32", "[1]", layer * 4L, layer * 4L + 4));
        }
        HandWrittenSafetensors.write(file(), header + "}", new byte[32]);
        try (SafetensorsReader reader = SafetensorsReader.open(file())) {
            assertThatThrownBy(() -> reader.readFloats("h.3.atn.weight"))
                    .isInstanceOf(NoSuchTensorException.class)
                    .hasMessageContaining(FILE)
                    .hasMessageContaining("no tensor named 'h.3.atn.weight'")
                    .hasMessageContaining("8 available: 'h.0.attn.weight', 'h.1.attn.weight'")
                    .hasMessageContaining(", ...")
                    .hasMessageContaining("closest: 'h.3.attn.weight'");
            assertThatThrownBy(() -> reader.info("nope")).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void exceptionCarriesFileAndTensor() throws Exception {
        HandWrittenSafetensors.write(file(), "{" + entry("w", "XX", "[1]", 0, 1) + "}", new byte[1]);
        SafetensorsException e = org.junit.jupiter.api.Assertions.assertThrows(SafetensorsException.class,
                () -> SafetensorsReader.open(file()));
        assertThat(e.file()).isEqualTo(file());
        assertThat(e.tensor()).contains("w");
    }
}
