package dev.zerolm.io;

import static dev.zerolm.io.HandWrittenSafetensors.entry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Offsets past 2^31 work: a sparse 3 GB file costs no disk and is only mapped, never read in full. */
class SafetensorsLargeFileTest {

    private static final long BIG = 3_000_000_000L;

    @TempDir
    Path dir;

    @Test
    void tensorsBeyondTwoGigabytesAreAddressable() throws Exception {
        String header = "{" + entry("big", "U8", "[" + BIG + "]", 0, BIG) + ","
                + entry("tail", "F32", "[2]", BIG, BIG + 8) + "}";
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        Path file = dir.resolve("big.safetensors");
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.write(HandWrittenSafetensors.littleEndianLong(json.length));
            raf.write(json);
            raf.seek(8 + json.length + BIG);
            raf.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(1.5f).putFloat(-7f).array());
        }
        try (SafetensorsReader reader = SafetensorsReader.open(file)) {
            assertThat(reader.readFloats("tail")).containsExactly(1.5f, -7f);
            assertThat(reader.info("tail").begin()).isEqualTo(BIG);
            assertThat(reader.slice("big").byteSize()).isEqualTo(BIG);
            assertThat(reader.slice("big").get(LittleEndian.I8, BIG - 1)).isZero();
            assertThatThrownBy(() -> reader.readFloats("big"))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("'big' has 3000000000 elements, more than a Java array holds");
        }
    }
}
