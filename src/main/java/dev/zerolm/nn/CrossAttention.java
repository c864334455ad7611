package dev.zerolm.nn;

import dev.zerolm.tensor.Rng;
import dev.zerolm.tensor.Shapes;
import dev.zerolm.tensor.ShapeException;
import dev.zerolm.tensor.Tensor;

/**
 * Multi-head cross-attention, the cross mode of {@link MultiHeadSelfAttention}: queries come from x, keys and
 * values from another sequence, the context (e.g. an encoder's output). Because they read different inputs the
 * projections are separate: c_q (C -> C) for queries, c_kv (C -> 2C, columns [k | v]) for keys and values, and
 * c_proj for the output, named in the style of nanoGPT's c_attn / c_proj. No causal mask: every query sees the
 * whole context, except keys marked as padding.
 */
public final class CrossAttention extends Module {

    private final int nEmbd, nHead, headSize;
    private final Linear cQ, cKv, cProj;
    private final Dropout attnDropout, residDropout;

    public CrossAttention(int nEmbd, int nHead, boolean bias, float dropout, Rng rng) {
        if (nEmbd % nHead != 0) {
            throw new IllegalArgumentException("cross-attention: n_embd " + nEmbd + " is not divisible by n_head " + nHead);
        }
        this.nEmbd = nEmbd;
        this.nHead = nHead;
        this.headSize = nEmbd / nHead;
        this.cQ = registerModule("c_q", new Linear(nEmbd, nEmbd, bias, rng));
        this.cKv = registerModule("c_kv", new Linear(nEmbd, 2 * nEmbd, bias, rng));
        this.cProj = registerModule("c_proj", new Linear(nEmbd, nEmbd, bias, rng));
        this.attnDropout = registerModule("attn_dropout", new Dropout(dropout, rng));
        this.residDropout = registerModule("resid_dropout", new Dropout(dropout, rng));
    }

    /** x (B, Tq, C) attends over context (B, Tk, C): -> (B, Tq, C). */
    public Tensor forward(Tensor x, Tensor context) {
        return attend(x, context, null, false).y();
    }

    /**
     * contextPaddingMask (B, Tk): 1 for a real context token, 0 for padding; null for none.
     * Returns y (B, Tq, C) and weights (B, nh, Tq, Tk).
     */
    public Attention.Output attend(Tensor x, Tensor context, Tensor contextPaddingMask) {
        return attend(x, context, contextPaddingMask, true);
    }

    private Attention.Output attend(Tensor x, Tensor context, Tensor contextPaddingMask, boolean needWeights) {
        check("queries", x);
        check("context", context);
        if (x.size(0) != context.size(0)) {
            throw new ShapeException("cross-attention: queries " + Shapes.str(x.shape()) + " and context "
                    + Shapes.str(context.shape()) + " have different batch sizes");
        }
        int B = context.size(0), Tk = context.size(1);
        Tensor q = Attention.splitHeads(cQ.forward(x), nHead);            // (B, Tq, C) -> (B, nh, Tq, hs)
        Tensor kv = cKv.forward(context)                                  // (B, Tk, 2C)
                .view(B, Tk, 2, nHead, headSize)
                .permute(2, 0, 3, 1, 4);                                  // (2, B, nh, Tk, hs)
        Tensor k = kv.select(0, 0), v = kv.select(0, 1);
        Tensor padded = contextPaddingMask == null ? null : Attention.paddedKeys(contextPaddingMask, B, Tk);
        Attention.Output o = Attention.scaledDotProduct(q, k, v, false, padded, attnDropout, needWeights);
        Tensor y = residDropout.forward(cProj.forward(Attention.mergeHeads(o.y())));   // (B, Tq, C)
        return new Attention.Output(y, o.weights());
    }

    private void check(String what, Tensor t) {
        if (t.rank() != 3 || t.size(2) != nEmbd) {
            throw new ShapeException("cross-attention: " + what + " of shape " + Shapes.str(t.shape()) + " is not (B, T, "
                    + nEmbd + ")");
        }
    }
}
