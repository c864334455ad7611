package dev.zerolm.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * float32 little-endian values in an off-heap {@link MemorySegment}, e.g. a memory-mapped weight file.
 * The file may be far larger than 2 GB; one tensor within it holds fewer than 2^31 elements.
 */
public record SegmentStorage(MemorySegment segment) implements Storage {

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);

    public SegmentStorage {
        if (segment.byteSize() % 4 != 0 || segment.byteSize() / 4 > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("SegmentStorage: " + segment.byteSize()
                    + " bytes is not a whole number of float32 values below 2^31 elements");
        }
    }

    @Override
    public int length() {
        return (int) (segment.byteSize() / 4);
    }

    @Override
    public float get(int index) {
        return segment.getAtIndex(F32, index);
    }

    @Override
    public void set(int index, float value) {
        segment.setAtIndex(F32, index, value);
    }
}
