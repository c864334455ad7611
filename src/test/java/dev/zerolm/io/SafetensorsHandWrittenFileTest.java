package dev.zerolm.io;

import static dev.zerolm.io.HandWrittenSafetensors.bytes;
import static dev.zerolm.io.HandWrittenSafetensors.entry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reads a file whose every byte the test wrote, in the layout PyTorch's safetensors produces. */
class SafetensorsHandWrittenFileTest {

    @TempDir
    Path dir;

    /** Header (unpadded, keys not in offset order) and a 22-byte buffer: F32[2], BF16[2], F16[1], I64[1]. */
    private Path handWrittenFile() throws Exception {
        String header = "{" + entry("b", "BF16", "[2]", 8, 12) + ","
                + entry("a", "F32", "[1,2]", 0, 8) + ","
                + entry("c", "F16", "[]", 12, 14) + ","
                + entry("d", "I64", "[1]", 14, 22) + "}";
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        data.writeBytes(bytes(0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0xC0)); // F32 1.0, -2.0
        data.writeBytes(bytes(0x80, 0x3F, 0x00, 0xBF));                         // BF16 1.0, -0.5
        data.writeBytes(bytes(0x00, 0x3C));                                     // F16 1.0
        data.writeBytes(bytes(0x02, 0x01, 0, 0, 0, 0, 0, 0x80));                // I64 0x8000000000000102
        return HandWrittenSafetensors.write(dir.resolve("hand.safetensors"), header, data.toByteArray());
    }

    @Test
    void readsExactValuesOfEveryDtypeFromKnownBytes() throws Exception {
        try (SafetensorsReader reader = SafetensorsReader.open(handWrittenFile())) {
            assertThat(reader.readFloats("a")).containsExactly(1.0f, -2.0f);
            assertThat(reader.readFloats("b")).containsExactly(1.0f, -0.5f);
            assertThat(reader.readFloats("c")).containsExactly(1.0f);
            assertThat(reader.readLongs("d")).containsExactly(0x8000000000000102L);
            assertThat(reader.readFloats("d")).containsExactly((float) 0x8000000000000102L);
        }
    }

    @Test
    void namesFollowHeaderOrderAndInfoReportsDtypeShapeAndOffsets() throws Exception {
        try (SafetensorsReader reader = SafetensorsReader.open(handWrittenFile())) {
            assertThat(reader.names()).containsExactly("b", "a", "c", "d");
            assertThat(reader.metadata()).isEmpty();
            TensorInfo a = reader.info("a");
            assertThat(a.dtype()).isEqualTo(DType.F32);
            assertThat(a.shape()).containsExactly(1, 2);
            assertThat(a.begin()).isZero();
            assertThat(a.end()).isEqualTo(8);
            assertThat(reader.info("c").shape()).isEmpty();
            assertThat(reader.info("c").numel()).isEqualTo(1);
        }
    }

    @Test
    void sliceIsAZeroCopyViewOfTheMappedFile() throws Exception {
        try (SafetensorsReader reader = SafetensorsReader.open(handWrittenFile())) {
            MemorySegment slice = reader.slice("b");
            assertThat(slice.isMapped()).isTrue();
            assertThat(slice.byteSize()).isEqualTo(4);
            assertThat(slice.get(LittleEndian.I16, 2)).isEqualTo((short) 0xBF00);
        }
    }

    @Test
    void viewsBecomeInvalidAfterClose() throws Exception {
        SafetensorsReader reader = SafetensorsReader.open(handWrittenFile());
        TensorData a = reader.tensor("a");
        reader.close();
        reader.close(); // closing twice is harmless
        assertThatThrownBy(a::toFloats).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void readIntsOnAFloatTensorNamesFileTensorAndDtype() throws Exception {
        try (SafetensorsReader reader = SafetensorsReader.open(handWrittenFile())) {
            assertThatThrownBy(() -> reader.readInts("a"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("hand.safetensors")
                    .hasMessageContaining("'a'")
                    .hasMessageContaining("F32");
        }
    }

    @Test
    void readIntsRefusesI64ValuesOutsideIntRange() throws Exception {
        try (SafetensorsReader reader = SafetensorsReader.open(handWrittenFile())) {
            assertThatThrownBy(() -> reader.readInts("d"))
                    .isInstanceOf(ArithmeticException.class)
                    .hasMessageContaining("'d'")
                    .hasMessageContaining(Long.toString(0x8000000000000102L));
        }
    }

    @Test
    void safetensorsOpenOnAFileGivesASingleFileReader() throws Exception {
        try (Safetensors st = Safetensors.open(handWrittenFile())) {
            assertThat(st).isInstanceOf(SafetensorsReader.class);
            assertThat(st.fileOf("a").getFileName().toString()).isEqualTo("hand.safetensors");
        }
    }
}
