package dev.zerolm.io;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** Unaligned little-endian layouts (safetensors byte order) and per-dtype element access on raw bytes. */
final class LittleEndian {

    static final ValueLayout.OfByte I8 = ValueLayout.JAVA_BYTE;
    static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private LittleEndian() {}

    /** Element {@code index} of {@code bytes}, read as {@code dtype} and widened or rounded to float. */
    static float floatAt(MemorySegment bytes, DType dtype, long index) {
        return switch (dtype) {
            case F64 -> (float) bytes.getAtIndex(F64, index);
            case F32 -> bytes.getAtIndex(F32, index);
            case F16 -> HalfPrecision.f16ToFloat(bytes.getAtIndex(I16, index));
            case BF16 -> HalfPrecision.bf16ToFloat(bytes.getAtIndex(I16, index));
            default -> (float) longAt(bytes, dtype, index);
        };
    }

    /** Element {@code index} of an integer or bool tensor, widened to long (U8 is unsigned, BOOL is 0 or 1). */
    static long longAt(MemorySegment bytes, DType dtype, long index) {
        return switch (dtype) {
            case I64 -> bytes.getAtIndex(I64, index);
            case I32 -> bytes.getAtIndex(I32, index);
            case I16 -> bytes.getAtIndex(I16, index);
            case I8 -> bytes.getAtIndex(I8, index);
            case U8 -> bytes.getAtIndex(I8, index) & 0xFF;
            case BOOL -> bytes.getAtIndex(I8, index) != 0 ? 1 : 0;
            default -> throw new IllegalArgumentException("longAt: " + dtype + " is not an integer dtype");
        };
    }
}
