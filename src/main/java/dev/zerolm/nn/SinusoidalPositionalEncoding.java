package dev.zerolm.nn;

import dev.zerolm.tensor.ShapeException;
import dev.zerolm.tensor.Tensor;

/**
 * The fixed position vectors of the original transformer: pe[pos, 2i] = sin(pos / 10000^(2i/C)),
 * pe[pos, 2i+1] = cos(pos / 10000^(2i/C)). A buffer (saved, never trained), registered as {@code pe}.
 */
public final class SinusoidalPositionalEncoding extends Module {

    private final Tensor pe; // (maxSeqLen, C)

    public SinusoidalPositionalEncoding(int maxSeqLen, int dim) {
        if (dim % 2 != 0) throw new IllegalArgumentException("sinusoidal positions: dim must be even, got " + dim);
        float[] table = new float[maxSeqLen * dim];
        for (int pos = 0; pos < maxSeqLen; pos++) {
            for (int i = 0; i < dim / 2; i++) {
                double angle = pos / Math.pow(10000.0, 2.0 * i / dim);
                table[pos * dim + 2 * i] = (float) Math.sin(angle);
                table[pos * dim + 2 * i + 1] = (float) Math.cos(angle);
            }
        }
        this.pe = registerBuffer("pe", Tensor.of(table, maxSeqLen, dim));
    }

    /** The vectors of positions [start, start + T): (T, C), a view of the table. */
    public Tensor forward(int start, int T) {
        if (start < 0 || start + T > pe.size(0)) {
            throw new ShapeException("sinusoidal positions: [" + start + ", " + (start + T) + ") exceed the table of "
                    + pe.size(0) + " positions");
        }
        return pe.narrow(0, start, T);
    }
}
