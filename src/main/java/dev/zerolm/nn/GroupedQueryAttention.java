package dev.zerolm.nn;

import dev.zerolm.tensor.Rng;
import dev.zerolm.tensor.Shapes;
import dev.zerolm.tensor.ShapeException;
import dev.zerolm.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * Causal self-attention with grouped-query heads, as in Llama: separate projections q_proj (C -> nh·hd),
 * k_proj and v_proj (C -> nkv·hd) and o_proj (nh·hd -> C), rotary positions on q and k, and nkv key/value
 * heads each shared by nh/nkv query heads. With nkv = nh it is plain multi-head attention, with nkv = 1
 * multi-query attention. The KV cache holds only the nkv heads, so it shrinks by the same factor.
 * Names follow Hugging Face's LlamaAttention, so its checkpoints load without renaming.
 */
public final class GroupedQueryAttention extends Module {

    private final int nEmbd, nHead, nKvHead, headDim;
    private final Linear qProj, kProj, vProj, oProj;
    private final RotaryEmbedding rotary;
    private final Dropout noDropout;

    /** bias: whether the four projections have biases (Llama: none); rotary must match headDim. */
    public GroupedQueryAttention(int nEmbd, int nHead, int nKvHead, int headDim, boolean bias, RotaryEmbedding rotary,
                                 Rng rng) {
        if (nHead <= 0 || nKvHead <= 0 || nHead % nKvHead != 0) {
            throw new IllegalArgumentException("attention: " + nHead + " query heads cannot be shared evenly among "
                    + nKvHead + " key/value heads");
        }
        if (rotary == null || rotary.headSize() != headDim) {
            throw new IllegalArgumentException("attention: needs a rotary embedding of head size " + headDim + ", got "
                    + (rotary == null ? "none" : rotary.headSize()));
        }
        this.nEmbd = nEmbd;
        this.nHead = nHead;
        this.nKvHead = nKvHead;
        this.headDim = headDim;
        this.rotary = rotary;
        this.qProj = registerModule("q_proj", new Linear(nEmbd, nHead * headDim, bias, rng));
        this.kProj = registerModule("k_proj", new Linear(nEmbd, nKvHead * headDim, bias, rng));
        this.vProj = registerModule("v_proj", new Linear(nEmbd, nKvHead * headDim, bias, rng));
        this.oProj = registerModule("o_proj", new Linear(nHead * headDim, nEmbd, bias, rng));
        this.noDropout = new Dropout(0f, rng);
    }

    /** (B, T, C) -> (B, T, C), positions [0, T). */
    public Tensor forward(Tensor x) {
        return forward(x, null, 0);
    }

    /** x holds the tokens at positions [startPos, startPos + T); with a cache they also attend over earlier tokens. */
    public Tensor forward(Tensor x, KVCache.LayerCache cache, int startPos) {
        if (x.rank() != 3 || x.size(2) != nEmbd) {
            throw new ShapeException("attention: input of shape " + Shapes.str(x.shape()) + " is not (B, T, " + nEmbd + ")");
        }
        int B = x.size(0), T = x.size(1);
        Tensor q = qProj.forward(x).view(B, T, nHead, headDim).transpose(1, 2);     // (B, nh, T, hd)
        Tensor k = kProj.forward(x).view(B, T, nKvHead, headDim).transpose(1, 2);   // (B, nkv, T, hd)
        Tensor v = vProj.forward(x).view(B, T, nKvHead, headDim).transpose(1, 2);   // (B, nkv, T, hd)
        q = rotary.apply(q, startPos);
        k = rotary.apply(k, startPos);
        if (cache != null) {                                                       // every token so far; queries are the last T
            KVCache.KeysValues kv = cache.update(k, v, startPos);                  // (B, nkv, startPos + T, hd)
            k = kv.keys();
            v = kv.values();
        }
        k = repeatKv(k);                                                           // (B, nh, Tk, hd)
        v = repeatKv(v);
        Tensor y = Attention.scaledDotProduct(q, k, v, true, null, noDropout, false).y();   // (B, nh, T, hd)
        return oProj.forward(Attention.mergeHeads(y));                            // (B, T, nh·hd) -> (B, T, C)
    }

    /**
     * One generation step for R independent sequences: row r of x (R, 1, C) is the token at positions[r] of sequence
     * r, attending over its own cache caches[r] (batch 1). Projections run once for all rows, attention per row.
     */
    public Tensor decodeRows(Tensor x, KVCache.LayerCache[] caches, int[] positions) {
        int R = x.size(0);
        Attention.requireDecodeRows(x, nEmbd, caches, positions);
        Tensor q = qProj.forward(x).view(R, 1, nHead, headDim).transpose(1, 2);     // (R, nh, 1, hd)
        Tensor k = kProj.forward(x).view(R, 1, nKvHead, headDim).transpose(1, 2);   // (R, nkv, 1, hd)
        Tensor v = vProj.forward(x).view(R, 1, nKvHead, headDim).transpose(1, 2);
        List<Tensor> ys = new ArrayList<>(R);
        for (int r = 0; r < R; r++) {
            KVCache.KeysValues kv = caches[r].update(rotary.apply(k.narrow(0, r, 1), positions[r]), v.narrow(0, r, 1), positions[r]);
            Tensor qr = rotary.apply(q.narrow(0, r, 1), positions[r]);
            ys.add(Attention.scaledDotProduct(qr, repeatKv(kv.keys()), repeatKv(kv.values()), true, null, noDropout, false).y());
        }
        return oProj.forward(Attention.mergeHeads(Tensor.cat(ys, 0)));             // (R, nh, 1, hd) -> (R, 1, C)
    }

    /** (B, nkv, T, hd) -> (B, nh, T, hd): each key/value head repeated for the nh/nkv query heads of its group. */
    private Tensor repeatKv(Tensor x) {
        if (nKvHead == nHead) return x;
        int B = x.size(0), T = x.size(2), group = nHead / nKvHead;
        return x.unsqueeze(2)                                                      // (B, nkv, 1, T, hd)
                .expand(B, nKvHead, group, T, headDim)                             // (B, nkv, group, T, hd), a view
                .reshape(B, nHead, T, headDim);                                    // one copy
    }

    public int numHeads() {
        return nHead;
    }

    public int numKeyValueHeads() {
        return nKvHead;
    }

    public int headDim() {
        return headDim;
    }
}
