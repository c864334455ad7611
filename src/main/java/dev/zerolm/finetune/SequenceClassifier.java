package dev.zerolm.finetune;

import dev.zerolm.tensor.IntTensor;
import dev.zerolm.tensor.Rng;
import dev.zerolm.tensor.Tensor;

/** One label per sequence: pooled hidden states (see {@link Pooling}) through dropout and a linear layer. */
public final class SequenceClassifier extends TaskModel {

    private final Pooling pooling;

    public SequenceClassifier(Backbone backbone, int numLabels, Pooling pooling, float dropout, Rng rng) {
        this(backbone, numLabels, pooling, 0, dropout, rng);
    }

    /** headRank > 0 factors the head's weight (see {@link TaskModel}). */
    public SequenceClassifier(Backbone backbone, int numLabels, Pooling pooling, int headRank, float dropout, Rng rng) {
        super(backbone, backbone.hiddenSize(), headRank, numLabels, dropout, rng);
        this.pooling = pooling;
    }

    /** ids (B, T), attentionMask (B, T) or null -> logits (B, L). */
    @Override
    public Tensor logits(IntTensor ids, IntTensor attentionMask) {
        Tensor hidden = backbone().hiddenStates(ids, attentionMask);        // (B, T, C)
        return head(pooling.pool(hidden, attentionMask));                   // (B, C) -> (B, L)
    }

    @Override
    public String taskKind() {
        return "sequence";
    }

    public Pooling pooling() {
        return pooling;
    }
}
