package dev.zerolm.nn;

import dev.zerolm.tensor.BufferPool;
import dev.zerolm.tensor.NNOps;
import dev.zerolm.tensor.Rng;
import dev.zerolm.tensor.Shapes;
import dev.zerolm.tensor.ShapeException;
import dev.zerolm.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * Multi-head self-attention as in nanoGPT's CausalSelfAttention: one fused projection c_attn (C -> 3C, columns
 * [q | k | v]), nh heads of size hs = C / nh, softmax(QKᵀ/√hs) with a causal mask, and an output projection
 * c_proj. Options: a key-padding mask, rotary positions on q and k, and a {@link KVCache} for generation.
 */
public final class MultiHeadSelfAttention extends Module {

    private final int nEmbd, nHead, headSize;
    private final boolean causal;
    private final Linear cAttn, cProj;
    private final Dropout attnDropout, residDropout;
    private final RotaryEmbedding rotary; // null unless positions are rotary

    /** Causal self-attention without rotary positions (GPT-2's). */
    public MultiHeadSelfAttention(int nEmbd, int nHead, boolean bias, float dropout, Rng rng) {
        this(nEmbd, nHead, bias, dropout, true, null, rng);
    }

    /** causal false gives an encoder's bidirectional attention; rotary may be null. */
    public MultiHeadSelfAttention(int nEmbd, int nHead, boolean bias, float dropout, boolean causal,
                                  RotaryEmbedding rotary, Rng rng) {
        if (nEmbd % nHead != 0) {
            throw new IllegalArgumentException("attention: n_embd " + nEmbd + " is not divisible by n_head " + nHead);
        }
        this.nEmbd = nEmbd;
        this.nHead = nHead;
        this.headSize = nEmbd / nHead;
        this.causal = causal;
        if (rotary != null && rotary.headSize() != headSize) {
            throw new IllegalArgumentException("attention: rotary head size " + rotary.headSize() + " != " + headSize);
        }
        this.rotary = rotary;
        this.cAttn = registerModule("c_attn", new Linear(nEmbd, 3 * nEmbd, bias, rng));
        this.cProj = registerModule("c_proj", new Linear(nEmbd, nEmbd, bias, rng));
        this.attnDropout = registerModule("attn_dropout", new Dropout(dropout, rng));
        this.residDropout = registerModule("resid_dropout", new Dropout(dropout, rng));
    }

    /** (B, T, C) -> (B, T, C). */
    public Tensor forward(Tensor x) {
        return forward(x, null, null, 0);
    }

    /** keyPaddingMask (B, T): 1 for a real token, 0 for padding; null for none. */
    public Tensor forward(Tensor x, Tensor keyPaddingMask) {
        return forward(x, keyPaddingMask, null, 0);
    }

    /** x holds the tokens at positions [startPos, startPos + T); they attend over the cache's earlier tokens too. */
    public Tensor forward(Tensor x, KVCache.LayerCache cache, int startPos) {
        return forward(x, null, cache, startPos);
    }

    /**
     * The general form, y (B, T, C) only, so attention may run fused without ever forming its weights. x (B, T, C)
     * holds positions [startPos, startPos + T) (startPos only shifts rotary positions when there is no cache).
     * keyPaddingMask (B, Tk) covers every key, cached ones included; cache and keyPaddingMask may be null.
     */
    public Tensor forward(Tensor x, Tensor keyPaddingMask, KVCache.LayerCache cache, int startPos) {
        return attend(x, keyPaddingMask, cache, startPos, false).y();
    }

    /** The output and the attention weights (B, nh, T, T), e.g. to draw which tokens each head looks at. */
    public Attention.Output forwardWithWeights(Tensor x, Tensor keyPaddingMask) {
        return attend(x, keyPaddingMask, null, 0, true);
    }

    /** Like {@link #forward(Tensor, Tensor, KVCache.LayerCache, int)}, also returning the weights (B, nh, T, Tk). */
    public Attention.Output attend(Tensor x, Tensor keyPaddingMask, KVCache.LayerCache cache, int startPos) {
        return attend(x, keyPaddingMask, cache, startPos, true);
    }

    private Attention.Output attend(Tensor x, Tensor keyPaddingMask, KVCache.LayerCache cache, int startPos,
                                    boolean needWeights) {
        if (x.rank() != 3 || x.size(2) != nEmbd) {
            throw new ShapeException("attention: input of shape " + Shapes.str(x.shape()) + " is not (B, T, " + nEmbd + ")");
        }
        int B = x.size(0), T = x.size(1);
        if (rotary == null && cache == null && Attention.fusable(keyPaddingMask, attnDropout, needWeights)) {
            // The common training case: split heads, fused attention and merge heads in one op.
            Tensor qkv = cAttn.forward(x);                                      // (B, T, 3C)
            Tensor y = NNOps.attentionFromQkv(qkv, nHead, causal);              // (B, T, 3C) -> (B, T, C)
            Tensor out = cProj.forward(y);
            BufferPool.recycle(qkv, y);                                         // no-grad: both dead now
            return new Attention.Output(residDropout.forward(out), null);
        }
        Tensor qkv = cAttn.forward(x)                                  // (B, T, 3C)
                .view(B, T, 3, nHead, headSize)                       // columns [q | k | v], each split into heads
                .permute(2, 0, 3, 1, 4);                              // (3, B, nh, T, hs), a view
        Tensor q = qkv.select(0, 0), k = qkv.select(0, 1), v = qkv.select(0, 2);
        if (rotary != null) {
            q = rotary.apply(q, startPos);
            k = rotary.apply(k, startPos);
        }
        if (cache != null) {                                          // keys and values of every token so far
            KVCache.KeysValues kv = cache.update(k, v, startPos);     // (B, nh, startPos + T, hs): queries are the last T
            k = kv.keys();
            v = kv.values();
        }
        int Tk = k.size(2);
        Tensor padded = keyPaddingMask == null ? null : Attention.paddedKeys(keyPaddingMask, B, Tk);
        Attention.Output o = Attention.scaledDotProduct(q, k, v, causal, padded, attnDropout, needWeights);
        Tensor y = residDropout.forward(cProj.forward(Attention.mergeHeads(o.y())));   // (B, T, C)
        return new Attention.Output(y, o.weights());
    }

    /**
     * One generation step for R independent sequences: row r of x (R, 1, C) is the token at positions[r] of
     * sequence r, which attends over its own cache caches[r] (batch 1, holding positions[r] earlier tokens). The
     * projections run once for all rows; only the attention itself is per row. Returns (R, 1, C).
     */
    public Tensor decodeRows(Tensor x, KVCache.LayerCache[] caches, int[] positions) {
        int R = x.size(0);
        Attention.requireDecodeRows(x, nEmbd, caches, positions);
        Tensor qkv = cAttn.forward(x)                                  // (R, 1, 3C)
                .view(R, 1, 3, nHead, headSize)
                .permute(2, 0, 3, 1, 4);                              // (3, R, nh, 1, hs), a view
        List<Tensor> ys = new ArrayList<>(R);
        for (int r = 0; r < R; r++) {
            Tensor q = qkv.select(0, 0).narrow(0, r, 1), k = qkv.select(0, 1).narrow(0, r, 1), v = qkv.select(0, 2).narrow(0, r, 1);
            if (rotary != null) {
                q = rotary.apply(q, positions[r]);
                k = rotary.apply(k, positions[r]);
            }
            KVCache.KeysValues kv = caches[r].update(k, v, positions[r]);       // (1, nh, positions[r] + 1, hs)
            ys.add(Attention.scaledDotProduct(q, kv.keys(), kv.values(), causal, null, attnDropout, false).y());
        }
        Tensor y = Attention.mergeHeads(Tensor.cat(ys, 0));           // (R, nh, 1, hs) -> (R, 1, C)
        return residDropout.forward(cProj.forward(y));
    }

    public int numHeads() {
        return nHead;
    }

    public int headSize() {
        return headSize;
    }
}
