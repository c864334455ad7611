package dev.zerolm.finetune;

import dev.zerolm.tensor.IntTensor;
import dev.zerolm.tensor.ShapeException;
import dev.zerolm.tensor.Shapes;
import dev.zerolm.tensor.Tensor;

import java.util.Locale;

/**
 * How a sequence classifier turns one vector per token into one per sequence. Each is a weighted sum over
 * positions with weights built from the attention mask, so padding never contributes:
 * CLS takes position 0 ([CLS] in BERT), LAST the last real token (what a causal model has read everything at),
 * MEAN the average of the real tokens.
 */
public enum Pooling {
    CLS, LAST, MEAN;

    public static Pooling parse(String name) {
        try {
            return valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown pooling '" + name + "'; choose cls, last or mean");
        }
    }

    /** hidden (B, T, C), attentionMask (B, T) (null: no padding) -> (B, C). */
    public Tensor pool(Tensor hidden, IntTensor attentionMask) {
        if (hidden.rank() != 3) throw new ShapeException("pooling: hidden states must be (B, T, C), got " + Shapes.str(hidden.shape()));
        int B = hidden.size(0), T = hidden.size(1);
        if (attentionMask != null && (attentionMask.shape().length != 2 || attentionMask.shape()[0] != B || attentionMask.shape()[1] != T)) {
            throw new ShapeException("pooling: attention mask of shape " + Shapes.str(attentionMask.shape())
                    + " does not match hidden states " + Shapes.str(hidden.shape()));
        }
        float[] w = new float[B * T];
        for (int b = 0; b < B; b++) {
            int real = 0, last = 0;
            for (int t = 0; t < T; t++) {
                if (attentionMask == null || attentionMask.data()[b * T + t] != 0) {
                    real++;
                    last = t;
                }
            }
            if (real == 0) throw new IllegalArgumentException("pooling: sequence " + b + " of the batch has no real token");
            switch (this) {
                case CLS -> w[b * T] = 1f;
                case LAST -> w[b * T + last] = 1f;
                case MEAN -> {
                    for (int t = 0; t < T; t++) {
                        if (attentionMask == null || attentionMask.data()[b * T + t] != 0) w[b * T + t] = 1f / real;
                    }
                }
            }
        }
        return hidden.mul(Tensor.of(w, B, T, 1)).sum(1, false);           // (B, T, C) * (B, T, 1) -> (B, C)
    }
}
