package dev.zerolm.models;

import dev.zerolm.nn.Attention;
import dev.zerolm.nn.Dropout;
import dev.zerolm.nn.Linear;
import dev.zerolm.nn.Module;
import dev.zerolm.tensor.BufferPool;
import dev.zerolm.tensor.Rng;
import dev.zerolm.tensor.Tensor;

/**
 * BERT's bidirectional self-attention with separate query, key and value projections, as Hugging Face names them
 * ({@code query}, {@code key}, {@code value}): every token attends to every real token of its sequence.
 * Padding is removed by an additive mask, as in Hugging Face: scores + (1 - mask) * (most negative float).
 */
public final class BertSelfAttention extends Module {

    private final int nHead, headSize;
    private final Linear query, key, value;
    private final Dropout dropout;

    public BertSelfAttention(BertConfig c, Rng rng) {
        this.nHead = c.numAttentionHeads();
        this.headSize = c.headSize();
        query = registerModule("query", new Linear(c.hiddenSize(), c.hiddenSize(), true, rng));
        key = registerModule("key", new Linear(c.hiddenSize(), c.hiddenSize(), true, rng));
        value = registerModule("value", new Linear(c.hiddenSize(), c.hiddenSize(), true, rng));
        dropout = registerModule("dropout", new Dropout(c.attentionProbsDropoutProb(), rng));
    }

    /**
     * The additive mask for (B, T) attention masks (1 = token, 0 = padding): (B, 1, 1, T), 0 for tokens and the
     * most negative float for padding, ready to broadcast over heads and queries.
     */
    public static Tensor additiveMask(int[] attentionMask, int B, int T) {
        float[] add = new float[B * T];
        for (int i = 0; i < add.length; i++) add[i] = (1f - attentionMask[i]) * -Float.MAX_VALUE;
        return Tensor.of(add, B, 1, 1, T);
    }

    /** x (B, T, H), additiveMask (B, 1, 1, T) or null -> context (B, T, H), before the output projection. */
    public Tensor forward(Tensor x, Tensor additiveMask) {
        Tensor qx = query.forward(x), kx = key.forward(x), vx = value.forward(x);  // (B, T, H)
        Tensor q = Attention.splitHeads(qx, nHead);                               // (B, T, H) -> (B, nh, T, hs)
        Tensor k = Attention.splitHeads(kx, nHead);
        Tensor v = Attention.splitHeads(vx, nHead);
        Tensor raw = q.matmul(k.transpose(-2, -1));                               // (B, nh, T, T)
        Tensor scaled = raw.div((float) Math.sqrt(headSize));
        Tensor scores = additiveMask != null ? scaled.add(additiveMask) : scaled;
        Tensor probs = dropout.forward(scores.softmax(-1));
        Tensor context = probs.matmul(v);                                         // (B, nh, T, hs)
        Tensor y = Attention.mergeHeads(context);                                 // (B, nh, T, hs) -> (B, T, H)
        // No-grad: everything but y is dead (a merge that is only a view keeps context's array).
        BufferPool.recycle(qx, kx, vx, raw, scaled, scores, probs, y.storage() == context.storage() ? null : context);
        return y;
    }
}
