package dev.zerolm.tensor;

/** float32 values in a Java array: the storage every op writes. */
public record HeapStorage(float[] data) implements Storage {

    @Override
    public int length() {
        return data.length;
    }

    @Override
    public float get(int index) {
        return data[index];
    }

    @Override
    public void set(int index, float value) {
        data[index] = value;
    }

    @Override
    public float[] heapArray() {
        return data;
    }
}
