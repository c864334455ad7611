package dev.zerolm.io;

import java.util.Optional;

/** Element types a safetensors file can hold, named as in the file header, with their size in bytes. */
public enum DType {
    F64(8, true),
    F32(4, true),
    F16(2, true),
    BF16(2, true),
    I64(8, false),
    I32(4, false),
    I16(2, false),
    I8(1, false),
    U8(1, false),
    BOOL(1, false);

    private final int byteSize;
    private final boolean floatingPoint;

    DType(int byteSize, boolean floatingPoint) {
        this.byteSize = byteSize;
        this.floatingPoint = floatingPoint;
    }

    /** Bytes one element occupies in the file. */
    public int byteSize() {
        return byteSize;
    }

    /** True for F64/F32/F16/BF16: the types a writer may convert between. */
    public boolean isFloatingPoint() {
        return floatingPoint;
    }

    /** The dtype spelled exactly as in a safetensors header ("F32", "BF16", ...), or empty if unknown. */
    public static Optional<DType> fromName(String name) {
        for (DType dtype : values()) {
            if (dtype.name().equals(name)) return Optional.of(dtype);
        }
        return Optional.empty();
    }
}
