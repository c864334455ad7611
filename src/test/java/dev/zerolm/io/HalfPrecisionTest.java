package dev.zerolm.io;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HalfPrecisionTest {

    @Test
    void everyBf16ValueSurvivesARoundTripThroughFloat() {
        for (int bits = 0; bits < 1 << 16; bits++) {
            float value = HalfPrecision.bf16ToFloat((short) bits);
            if (Float.isNaN(value)) continue;
            assertThat(HalfPrecision.floatToBf16(value) & 0xFFFF).as("bf16 %04x", bits).isEqualTo(bits);
        }
    }

    @Test
    void everyF16ValueSurvivesARoundTripThroughFloat() {
        for (int bits = 0; bits < 1 << 16; bits++) {
            float value = HalfPrecision.f16ToFloat((short) bits);
            if (Float.isNaN(value)) continue;
            assertThat(HalfPrecision.floatToF16(value) & 0xFFFF).as("f16 %04x", bits).isEqualTo(bits);
        }
    }

    @Test
    void bf16RoundsTiesToEven() {
        // bf16 keeps 7 mantissa bits; 1 + 2^-8 is exactly halfway between 1 and 1 + 2^-7
        assertThat(HalfPrecision.roundToBf16(1f + 0x1p-8f)).isEqualTo(1f);
        assertThat(HalfPrecision.roundToBf16(1f + 0x1p-7f + 0x1p-8f)).isEqualTo(1f + 0x1p-6f);
        assertThat(HalfPrecision.roundToBf16(1f + 0x1p-8f + 0x1p-20f)).isEqualTo(1f + 0x1p-7f);
        assertThat(HalfPrecision.roundToBf16(-(1f + 0x1p-8f))).isEqualTo(-1f);
    }

    @Test
    void bf16OverflowsToInfinityAndKeepsInfinities() {
        assertThat(HalfPrecision.roundToBf16(Float.MAX_VALUE)).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(HalfPrecision.roundToBf16(Float.NEGATIVE_INFINITY)).isEqualTo(Float.NEGATIVE_INFINITY);
        assertThat(HalfPrecision.floatToBf16(-0f)).isEqualTo((short) 0x8000);
    }

    @Test
    void bf16KeepsNaNAsNaNEvenWhenOnlyLowPayloadBitsAreSet() {
        float lowPayloadNaN = Float.intBitsToFloat(0x7F800001); // truncation alone would give +infinity
        assertThat(Float.isNaN(HalfPrecision.roundToBf16(lowPayloadNaN))).isTrue();
        short negativeNaN = HalfPrecision.floatToBf16(Float.intBitsToFloat(0xFFC00000));
        assertThat(negativeNaN & 0xFFFF).isEqualTo(0xFFC0);
        assertThat(HalfPrecision.floatToBf16(Float.NaN) & 0xFFFF).isEqualTo(0x7FC0);
    }
}
