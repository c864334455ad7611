package dev.zerolm.io;

/** Conversions between float and the two 16-bit formats checkpoints use: IEEE half (F16) and bfloat16 (BF16). */
public final class HalfPrecision {

    private HalfPrecision() {}

    /** IEEE half bits to float (exact: every half value is a float). */
    public static float f16ToFloat(short bits) {
        return Float.float16ToFloat(bits);
    }

    /** Float to IEEE half bits, rounding to nearest even; overflow gives infinity, NaN stays NaN. */
    public static short floatToF16(float value) {
        return Float.floatToFloat16(value);
    }

    /** bfloat16 bits to float: bf16 is the top half of a float32, so this is exact. */
    public static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    /**
     * Float to bfloat16 bits, rounding to nearest even (what PyTorch does). NaN keeps its sign and is forced
     * quiet, because plain truncation could turn a NaN with only low payload bits into infinity.
     */
    public static short floatToBf16(float value) {
        int bits = Float.floatToRawIntBits(value);
        if (Float.isNaN(value)) return (short) ((bits >>> 16) | 0x0040);
        int lowestKeptBit = (bits >>> 16) & 1;
        return (short) ((bits + 0x7FFF + lowestKeptBit) >>> 16);
    }

    /** The float that {@code value} becomes after a trip through bfloat16. */
    public static float roundToBf16(float value) {
        return bf16ToFloat(floatToBf16(value));
    }
}
