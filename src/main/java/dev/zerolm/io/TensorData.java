package dev.zerolm.io;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * A named tensor as plain data: dtype, shape and its raw little-endian bytes. Nothing is converted until
 * {@link #toFloats()} (or {@link #toInts()}, {@link #toLongs()}) is called, so a tensor read from a
 * memory-mapped file costs nothing until used. A view from a reader is valid only while that reader is open.
 *
 * @param name  tensor name, e.g. "transformer.h.0.attn.c_attn.weight"
 * @param dtype element type of {@code bytes}
 * @param shape dimensions, outermost first; {@code []} is a scalar
 * @param bytes exactly {@code numel * dtype.byteSize()} bytes, little-endian, row-major
 */
public record TensorData(String name, DType dtype, long[] shape, MemorySegment bytes) {

    /** Largest element count a Java array can hold on common JVMs. */
    static final int MAX_ARRAY_LENGTH = Integer.MAX_VALUE - 8;

    public TensorData {
        Objects.requireNonNull(name, "tensor name");
        Objects.requireNonNull(dtype, "dtype of tensor '" + name + "'");
        Objects.requireNonNull(bytes, "bytes of tensor '" + name + "'");
        shape = shape.clone();
        long expected = byteSizeOf(name, dtype, shape);
        if (bytes.byteSize() != expected) {
            throw new IllegalArgumentException("tensor '" + name + "': shape " + Arrays.toString(shape) + " of "
                    + dtype + " needs " + expected + " bytes but " + bytes.byteSize() + " were given");
        }
    }

    /** Wraps {@code values} as an F32 tensor without copying (on little-endian machines). */
    public static TensorData ofFloats(String name, long[] shape, float[] values) {
        if (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN) {
            return new TensorData(name, DType.F32, shape, MemorySegment.ofArray(values));
        }
        MemorySegment bytes = MemorySegment.ofArray(new byte[Math.multiplyExact(values.length, 4)]);
        MemorySegment.copy(values, 0, bytes, LittleEndian.F32, 0, values.length);
        return new TensorData(name, DType.F32, shape, bytes);
    }

    /** Wraps {@code values} as an F32 tensor of shape {@code [values.length]}. */
    public static TensorData ofFloats(String name, float[] values) {
        return ofFloats(name, new long[] {values.length}, values);
    }

    /** Copies {@code values} into an I64 tensor (the dtype PyTorch uses for token ids and positions). */
    public static TensorData ofLongs(String name, long[] shape, long[] values) {
        MemorySegment bytes = MemorySegment.ofArray(new byte[Math.multiplyExact(values.length, 8)]);
        MemorySegment.copy(values, 0, bytes, LittleEndian.I64, 0, values.length);
        return new TensorData(name, DType.I64, shape, bytes);
    }

    /** Copies {@code values} into an I32 tensor. */
    public static TensorData ofInts(String name, long[] shape, int[] values) {
        MemorySegment bytes = MemorySegment.ofArray(new byte[Math.multiplyExact(values.length, 4)]);
        MemorySegment.copy(values, 0, bytes, LittleEndian.I32, 0, values.length);
        return new TensorData(name, DType.I32, shape, bytes);
    }

    /** A copy of the shape (the record never exposes its own array). */
    @Override
    public long[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    /** Number of elements: the product of the dimensions (1 for a scalar). */
    public long numel() {
        return bytes.byteSize() / dtype.byteSize();
    }

    /** All elements converted to float32: F16/BF16 exactly, F64 rounded, integers and bools by value. */
    public float[] toFloats() {
        int n = arrayLength("toFloats");
        float[] out = new float[n];
        switch (dtype) {
            case F32 -> MemorySegment.copy(bytes, LittleEndian.F32, 0, out, 0, n);
            case F16 -> {
                for (int i = 0; i < n; i++) out[i] = HalfPrecision.f16ToFloat(bytes.getAtIndex(LittleEndian.I16, i));
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) out[i] = HalfPrecision.bf16ToFloat(bytes.getAtIndex(LittleEndian.I16, i));
            }
            case F64 -> { for (int i = 0; i < n; i++) out[i] = (float) bytes.getAtIndex(LittleEndian.F64, i); }
            default -> { for (int i = 0; i < n; i++) out[i] = (float) LittleEndian.longAt(bytes, dtype, i); }
        }
        return out;
    }

    /** All elements of an integer or bool tensor as ints; an I64 value outside the int range is an error. */
    public int[] toInts() {
        requireInteger("toInts");
        int n = arrayLength("toInts");
        int[] out = new int[n];
        if (dtype == DType.I32) {
            MemorySegment.copy(bytes, LittleEndian.I32, 0, out, 0, n);
            return out;
        }
        for (int i = 0; i < n; i++) {
            long value = LittleEndian.longAt(bytes, dtype, i);
            if (value != (int) value) {
                throw new ArithmeticException("tensor '" + name + "': element " + i + " = " + value
                        + " does not fit in an int; use toLongs()");
            }
            out[i] = (int) value;
        }
        return out;
    }

    /** All elements of an integer or bool tensor as longs. */
    public long[] toLongs() {
        requireInteger("toLongs");
        int n = arrayLength("toLongs");
        long[] out = new long[n];
        if (dtype == DType.I64) {
            MemorySegment.copy(bytes, LittleEndian.I64, 0, out, 0, n);
            return out;
        }
        for (int i = 0; i < n; i++) out[i] = LittleEndian.longAt(bytes, dtype, i);
        return out;
    }

    /** Same data under another name (no copy). */
    public TensorData withName(String newName) {
        return new TensorData(newName, dtype, shape, bytes);
    }

    @Override
    public String toString() {
        return "TensorData[" + name + ", " + dtype + ", shape=" + Arrays.toString(shape) + "]";
    }

    /** Bytes a tensor of this dtype and shape occupies; rejects negative dimensions and overflow. */
    static long byteSizeOf(String name, DType dtype, long[] shape) {
        long numel = 1;
        for (long dim : shape) {
            if (dim < 0) {
                throw new IllegalArgumentException("tensor '" + name + "': negative dimension in shape "
                        + Arrays.toString(shape));
            }
            try {
                numel = Math.multiplyExact(numel, dim);
            } catch (ArithmeticException overflow) {
                throw new IllegalArgumentException("tensor '" + name + "': shape " + Arrays.toString(shape)
                        + " has more elements than fit in a long");
            }
        }
        try {
            return Math.multiplyExact(numel, (long) dtype.byteSize());
        } catch (ArithmeticException overflow) {
            throw new IllegalArgumentException("tensor '" + name + "': shape " + Arrays.toString(shape) + " of "
                    + dtype + " has more bytes than fit in a long");
        }
    }

    private int arrayLength(String operation) {
        long n = numel();
        if (n > MAX_ARRAY_LENGTH) {
            throw new IllegalStateException(operation + ": tensor '" + name + "' has " + n
                    + " elements, more than a Java array holds; read bytes() directly");
        }
        return (int) n;
    }

    private void requireInteger(String operation) {
        if (dtype.isFloatingPoint()) {
            throw new IllegalArgumentException(operation + ": tensor '" + name + "' has dtype " + dtype
                    + ", not an integer dtype; use toFloats()");
        }
    }
}
