package dev.zerolm.tensor;

/**
 * Where a tensor's numbers live. Indices are element positions within this storage.
 * <p>Kernels ask for {@link #heapArray()}: storages that are not a plain {@code float[]} (memory-mapped
 * segments, bf16 or int8 buffers) answer {@code null}, and {@link Tensor#contiguous()} then copies the
 * values into heap floats once. That keeps every op unchanged when a new storage kind is added.
 */
public interface Storage {

    /** Number of elements. */
    int length();

    float get(int index);

    void set(int index, float value);

    /** The backing array when this storage is heap float32, else null. */
    default float[] heapArray() {
        return null;
    }
}
