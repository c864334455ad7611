package dev.zerolm.finetune;

import dev.zerolm.tensor.IntTensor;
import dev.zerolm.tensor.Rng;
import dev.zerolm.tensor.Tensor;

import java.util.Arrays;
import java.util.List;

/**
 * One label per token (tagging): every hidden state through dropout and a linear layer. A head that reads word
 * starts ({@code --label-token both}) sees, at each token, its own state next to that of its word's first token.
 */
public final class TokenClassifier extends TaskModel {

    private final boolean readsWordStarts;

    public TokenClassifier(Backbone backbone, int numLabels, float dropout, Rng rng) {
        this(backbone, numLabels, false, dropout, rng);
    }

    public TokenClassifier(Backbone backbone, int numLabels, boolean readsWordStarts, float dropout, Rng rng) {
        this(backbone, numLabels, readsWordStarts, 0, dropout, rng);
    }

    /** headRank > 0 factors the head's weight (see {@link TaskModel}). */
    public TokenClassifier(Backbone backbone, int numLabels, boolean readsWordStarts, int headRank, float dropout, Rng rng) {
        super(backbone, (readsWordStarts ? 2 : 1) * backbone.hiddenSize(), headRank, numLabels, dropout, rng);
        this.readsWordStarts = readsWordStarts;
    }

    /** ids (B, T), attentionMask (B, T) or null -> logits (B, T, L). */
    @Override
    public Tensor logits(IntTensor ids, IntTensor attentionMask) {
        if (readsWordStarts) {
            throw new IllegalArgumentException("token classifier: this head reads each word's first token too; pass the word starts (a batch from TaskEncoder.collate)");
        }
        return head(backbone().hiddenStates(ids, attentionMask));
    }

    @Override
    public Tensor logits(Finetuner.Batch batch) {
        if (!readsWordStarts) return logits(batch.ids(), batch.attentionMask());
        return logits(batch.ids(), batch.attentionMask(), batch.wordStarts());
    }

    /** ids, attentionMask and wordStarts (B, T) -> logits (B, T, L), each token read with its word's first token. */
    public Tensor logits(IntTensor ids, IntTensor attentionMask, IntTensor wordStarts) {
        if (!readsWordStarts) return logits(ids, attentionMask);
        int[] s = ids.shape();
        if (wordStarts == null || !Arrays.equals(wordStarts.shape(), s)) {
            throw new IllegalArgumentException("token classifier: word starts must have the ids' shape "
                    + Arrays.toString(s) + ", got " + (wordStarts == null ? "none" : Arrays.toString(wordStarts.shape())));
        }
        int B = s[0], T = s[1];
        Tensor hidden = backbone().hiddenStates(ids, attentionMask);        // (B, T, C)
        int C = hidden.size(-1);
        int[] rows = new int[B * T];                                         // flat row of each token's word start
        int[] starts = wordStarts.data();
        for (int b = 0; b < B; b++) {
            for (int t = 0; t < T; t++) {
                int start = starts[b * T + t];
                if (start < 0 || start > t) {
                    throw new IllegalArgumentException("token classifier: word start " + start + " of token " + t + " is not in 0.." + t);
                }
                rows[b * T + t] = b * T + start;
            }
        }
        Tensor firstPieces = hidden.reshape(B * T, C).indexSelect(0, IntTensor.of(rows, B * T)).reshape(B, T, C);
        return head(Tensor.cat(List.of(hidden, firstPieces), -1));           // (B, T, 2C) -> (B, T, L)
    }

    /** True when the head reads each token next to its word's first token (twice the hidden size wide). */
    public boolean readsWordStarts() {
        return readsWordStarts;
    }

    @Override
    public String taskKind() {
        return "token";
    }
}
