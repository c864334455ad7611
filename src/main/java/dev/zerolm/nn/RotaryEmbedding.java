package dev.zerolm.nn;

import dev.zerolm.tensor.ShapeException;
import dev.zerolm.tensor.Tensor;

import java.util.List;

/**
 * Rotary position embedding (RoPE) in the GPT-NeoX / Llama "rotate half" convention: the head vector is split
 * into halves (x1, x2) and each pair (x1[i], x2[i]) is rotated by the angle pos * theta^(-2i/hs). Then q_m·k_n
 * depends only on the offset m - n. The cos/sin tables are derived from the config, so they are not saved.
 */
public final class RotaryEmbedding {

    private final int headSize;
    private final Tensor cos, sin; // (maxSeqLen, hs): each angle twice, once per half

    public RotaryEmbedding(int headSize, int maxSeqLen, float theta) {
        if (headSize % 2 != 0) throw new IllegalArgumentException("rotary: head size must be even, got " + headSize);
        this.headSize = headSize;
        int half = headSize / 2;
        float[] c = new float[maxSeqLen * headSize], s = new float[maxSeqLen * headSize];
        for (int pos = 0; pos < maxSeqLen; pos++) {
            for (int i = 0; i < half; i++) {
                double angle = pos * Math.pow(theta, -2.0 * i / headSize);
                int at = pos * headSize + i;
                c[at] = c[at + half] = (float) Math.cos(angle);
                s[at] = s[at + half] = (float) Math.sin(angle);
            }
        }
        this.cos = Tensor.of(c, maxSeqLen, headSize);
        this.sin = Tensor.of(s, maxSeqLen, headSize);
    }

    /** Rotates x (B, nh, T, hs) whose T positions start at startPos: x * cos + rotateHalf(x) * sin. */
    public Tensor apply(Tensor x, int startPos) {
        int T = x.size(-2);
        if (x.size(-1) != headSize) {
            throw new ShapeException("rotary: head size " + x.size(-1) + " does not match the table's " + headSize);
        }
        if (startPos < 0 || startPos + T > cos.size(0)) {
            throw new ShapeException("rotary: positions [" + startPos + ", " + (startPos + T) + ") exceed the table of "
                    + cos.size(0) + " positions");
        }
        Tensor c = cos.narrow(0, startPos, T), s = sin.narrow(0, startPos, T); // (T, hs), broadcast over (B, nh)
        return x.mul(c).add(rotateHalf(x).mul(s));
    }

    /** (x1, x2) -> (-x2, x1) over the last dim. */
    private Tensor rotateHalf(Tensor x) {
        int half = headSize / 2;
        Tensor x1 = x.narrow(-1, 0, half), x2 = x.narrow(-1, half, half);
        return Tensor.cat(List.of(x2.neg(), x1), -1);
    }

    public int headSize() {
        return headSize;
    }

    public int maxSeqLen() {
        return cos.size(0);
    }
}
