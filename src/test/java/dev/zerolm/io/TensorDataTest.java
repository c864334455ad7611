package dev.zerolm.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

class TensorDataTest {

    @Test
    void shapeMustMatchTheNumberOfBytes() {
        assertThatThrownBy(() -> TensorData.ofFloats("w", new long[] {2, 3}, new float[5]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'w'")
                .hasMessageContaining("[2, 3]")
                .hasMessageContaining("24 bytes but 20");
    }

    @Test
    void negativeDimensionsAreRejected() {
        assertThatThrownBy(() -> TensorData.ofFloats("w", new long[] {-1}, new float[0]))
                .hasMessageContaining("negative dimension");
    }

    @Test
    void shapeCannotBeChangedFromOutside() {
        long[] shape = {2, 2};
        TensorData t = TensorData.ofFloats("w", shape, new float[4]);
        shape[0] = 99;
        t.shape()[1] = 99;
        assertThat(t.shape()).containsExactly(2, 2);
        assertThat(t.numel()).isEqualTo(4);
        assertThat(t.toString()).isEqualTo("TensorData[w, F32, shape=[2, 2]]");
    }

    @Test
    void unsignedBytesConvertByValueAndBoolsToZeroOrOne() {
        MemorySegment bytes = MemorySegment.ofArray(new byte[] {0, 1, (byte) 200});
        assertThat(new TensorData("u", DType.U8, new long[] {3}, bytes).toInts()).containsExactly(0, 1, 200);
        assertThat(new TensorData("i", DType.I8, new long[] {3}, bytes).toInts()).containsExactly(0, 1, -56);
        assertThat(new TensorData("b", DType.BOOL, new long[] {3}, bytes).toFloats()).containsExactly(0f, 1f, 1f);
    }

    @Test
    void floatTensorsRefuseIntegerConversion() {
        assertThatThrownBy(() -> TensorData.ofFloats("w", new float[1]).toLongs())
                .hasMessageContaining("'w'")
                .hasMessageContaining("F32");
    }
}
