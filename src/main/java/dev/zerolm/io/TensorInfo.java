package dev.zerolm.io;

import java.util.Arrays;

/**
 * What a safetensors header says about one tensor.
 *
 * @param begin first byte, relative to the start of the data buffer (just after the header)
 * @param end   one past the last byte, relative to the same start
 */
public record TensorInfo(String name, DType dtype, long[] shape, long begin, long end) {

    public TensorInfo {
        shape = shape.clone();
    }

    /** A copy of the shape. */
    @Override
    public long[] shape() {
        return shape.clone();
    }

    public long byteSize() {
        return end - begin;
    }

    public long numel() {
        return byteSize() / dtype.byteSize();
    }

    @Override
    public String toString() {
        return name + ": " + dtype + " " + Arrays.toString(shape) + " @ [" + begin + ", " + end + ")";
    }
}
