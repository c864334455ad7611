package dev.zerolm.tensor;

/** Copies the elements of any strided view into row-major order: the one kernel that reads arbitrary strides. */
final class StridedCopy {

    private StridedCopy() {}

    /** Writes src's elements, row-major, into dst starting at dstOffset. */
    static void copy(Tensor src, float[] dst, int dstOffset) {
        int n = src.numel();
        if (n == 0) return;
        int[] shape = src.shape(), strides = src.strides();
        int rank = shape.length;
        Storage st = src.storage();
        float[] a = st.heapArray();
        if (rank == 0) {
            dst[dstOffset] = st.get(src.offset());
            return;
        }
        int inner = shape[rank - 1], innerStride = strides[rank - 1];
        int[] counter = new int[rank];
        int base = src.offset();
        for (int o = dstOffset; o < dstOffset + n; o += inner) {
            if (a != null) {
                if (innerStride == 1) System.arraycopy(a, base, dst, o, inner);
                else for (int j = 0, p = base; j < inner; j++, p += innerStride) dst[o + j] = a[p];
            } else {
                for (int j = 0, p = base; j < inner; j++, p += innerStride) dst[o + j] = st.get(p);
            }
            // advance the outer counter (dims rank-2 .. 0) like an odometer
            for (int d = rank - 2; d >= 0; d--) {
                counter[d]++;
                base += strides[d];
                if (counter[d] < shape[d]) break;
                base -= strides[d] * shape[d];
                counter[d] = 0;
            }
        }
    }

    /** Copies src into the (possibly strided) view dst of the same shape. */
    static void copyInto(Tensor src, Tensor dst) {
        if (!java.util.Arrays.equals(src.shape(), dst.shape())) {
            throw new ShapeException("copy: source shape " + Shapes.str(src.shape()) + " differs from destination "
                    + Shapes.str(dst.shape()));
        }
        float[] values = new float[src.numel()];
        copy(src, values, 0);
        int[] shape = dst.shape(), strides = dst.strides();
        int rank = shape.length;
        Storage st = dst.storage();
        if (rank == 0) {
            st.set(dst.offset(), values[0]);
            return;
        }
        int[] counter = new int[rank];
        int base = dst.offset(), inner = shape[rank - 1], innerStride = strides[rank - 1];
        for (int o = 0; o < values.length; o += inner) {
            for (int j = 0, p = base; j < inner; j++, p += innerStride) st.set(p, values[o + j]);
            for (int d = rank - 2; d >= 0; d--) {
                counter[d]++;
                base += strides[d];
                if (counter[d] < shape[d]) break;
                base -= strides[d] * shape[d];
                counter[d] = 0;
            }
        }
    }
}
