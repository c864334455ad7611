package dev.zerolm.finetune;

import dev.zerolm.tensor.IntTensor;
import dev.zerolm.tensor.Rng;
import dev.zerolm.tensor.Tensor;

/** One label per token (tagging): every hidden state through dropout and a linear layer. */
public final class TokenClassifier extends TaskModel {

    public TokenClassifier(Backbone backbone, int numLabels, float dropout, Rng rng) {
        super(backbone, numLabels, dropout, rng);
    }

    /** ids (B, T), attentionMask (B, T) or null -> logits (B, T, L). */
    @Override
    public Tensor logits(IntTensor ids, IntTensor attentionMask) {
        return head(backbone().hiddenStates(ids, attentionMask));
    }

    @Override
    public String taskKind() {
        return "token";
    }
}
