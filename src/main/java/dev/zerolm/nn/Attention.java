package dev.zerolm.nn;

import dev.zerolm.autograd.GradMode;
import dev.zerolm.tensor.NNOps;
import dev.zerolm.tensor.Shapes;
import dev.zerolm.tensor.ShapeException;
import dev.zerolm.tensor.Tensor;

/** What every attention layer shares: splitting into heads, padding masks, and softmax(QKᵀ/√hs) V. */
public final class Attention {

    private static final ThreadLocal<int[]> COMPOSED_ONLY_DEPTH = ThreadLocal.withInitial(() -> new int[1]);

    private Attention() {}

    /**
     * A scope in which attention on this thread runs the plain composition of ops instead of the fused kernels,
     * e.g. to check that a model trains the same either way; close it to restore them.
     */
    public static GradMode.Scope composedOnly() {
        int[] depth = COMPOSED_ONLY_DEPTH.get();
        depth[0]++;
        return () -> depth[0]--;
    }

    /**
     * Whether attention may run fused: nothing needs the (Tq, Tk) weights (no padding mask, no active dropout on
     * them, not asked for) and no {@link #composedOnly()} scope is open on this thread.
     */
    static boolean fusable(Tensor paddedKeys, Dropout dropout, boolean needWeights) {
        boolean dropoutActive = dropout.isTraining() && dropout.p() > 0;
        return paddedKeys == null && !dropoutActive && !needWeights && COMPOSED_ONLY_DEPTH.get()[0] == 0;
    }

    /**
     * An attention result: the output y (B, nh, Tq, hs) or (B, Tq, C), and the weights (B, nh, Tq, Tk) for
     * inspection, null when they were not asked for (the fused path never forms them).
     */
    public record Output(Tensor y, Tensor weights) {}

    /** decodeRows' input: x (R, 1, C), one cache and one position per row. */
    static void requireDecodeRows(Tensor x, int nEmbd, KVCache.LayerCache[] caches, int[] positions) {
        int R = caches.length;
        if (x.rank() != 3 || x.size(0) != R || x.size(1) != 1 || x.size(2) != nEmbd || positions.length != R) {
            throw new ShapeException("attention.decodeRows: input " + Shapes.str(x.shape()) + " is not (" + R + ", 1, " + nEmbd
                    + ") for " + R + " caches and " + positions.length + " positions");
        }
    }

    /** (B, T, C) -> (B, T, nh, hs) -> (B, nh, T, hs). A view when x is contiguous. */
    public static Tensor splitHeads(Tensor x, int nHead) {
        int B = x.size(0), T = x.size(1), C = x.size(2);
        return x.reshape(B, T, nHead, C / nHead).transpose(1, 2);
    }

    /** (B, nh, T, hs) -> (B, T, nh, hs) -> (B, T, C): the heads side by side again (one copy). */
    public static Tensor mergeHeads(Tensor y) {
        int B = y.size(0), nh = y.size(1), T = y.size(2), hs = y.size(3);
        return y.transpose(1, 2).reshape(B, T, nh * hs);
    }

    /**
     * Turns a key-padding mask (B, Tk), 1 for a real token and 0 for padding, into a (B, 1, 1, Tk) mask that is
     * 1 where a key is padding, ready to broadcast over heads and queries.
     */
    public static Tensor paddedKeys(Tensor keyPaddingMask, int B, int Tk) {
        int[] shape = keyPaddingMask.shape();
        if (shape.length != 2 || shape[0] != B || shape[1] != Tk) {
            throw new ShapeException("attention: key padding mask of shape " + Shapes.str(shape) + " does not match ("
                    + B + "," + Tk + ") = (batch, keys)");
        }
        float[] real = keyPaddingMask.toArray();
        float[] pad = new float[real.length];
        for (int i = 0; i < real.length; i++) pad[i] = real[i] == 0f ? 1f : 0f;
        return Tensor.of(pad, B, 1, 1, Tk);
    }

    /**
     * y = softmax(q kᵀ / √hs) v for q (B, nh, Tq, hs) and k, v (B, nh, Tk, hs). causal: the queries are the last Tq
     * positions [Tk − Tq, Tk) (all of them without a KV cache) and see no later key. paddedKeys (B, 1, 1, Tk) is 1
     * where a key is padding (null: none); dropout acts on the weights.
     * <p>When nothing needs the (Tq, Tk) weights (no padding, no active dropout, needWeights false) this runs
     * {@link NNOps#scaledDotProductAttention}, which never stores them, forward or backward; otherwise the
     * {@link #composedScaledDotProduct composed ops}, which return the weights too.
     */
    public static Output scaledDotProduct(Tensor q, Tensor k, Tensor v, boolean causal, Tensor paddedKeys,
                                          Dropout dropout, boolean needWeights) {
        if (fusable(paddedKeys, dropout, needWeights)) {
            return new Output(NNOps.scaledDotProductAttention(q, k, v, causal), null);
        }
        int Tq = q.size(2), Tk = k.size(2);
        Tensor futureKeys = causal ? CausalMask.futureKeys(Tk - Tq, Tq) : null;
        return composedScaledDotProduct(q, k, v, futureKeys, paddedKeys, dropout);
    }

    /**
     * The plain composition of ops, and the reference the fused kernel is tested against:
     * weights = softmax(q kᵀ / √hs) with masked scores removed, y = dropout(weights) v.
     * q (B, nh, Tq, hs), k and v (B, nh, Tk, hs); futureKeys (Tq, Tk) is 1 where a key lies after its query
     * (null: none); paddedKeys (B, 1, 1, Tk) is 1 where a key is padding (null: none).
     * Future keys get -inf. Padding gets the most negative float instead, so a query that sees only padding
     * (a padded position itself) gets finite, uniform weights rather than NaN; its output is ignored anyway.
     */
    public static Output composedScaledDotProduct(Tensor q, Tensor k, Tensor v, Tensor futureKeys, Tensor paddedKeys,
                                                  Dropout dropout) {
        float scale = (float) (1 / Math.sqrt(q.size(-1)));
        Tensor scores = q.matmul(k.transpose(-2, -1)).mul(scale);       // (B, nh, Tq, hs) @ (B, nh, hs, Tk) -> (B, nh, Tq, Tk)
        if (paddedKeys != null) scores = scores.maskedFill(paddedKeys, -Float.MAX_VALUE);
        if (futureKeys != null) scores = scores.maskedFill(futureKeys, Float.NEGATIVE_INFINITY);
        Tensor weights = scores.softmax(-1);
        Tensor y = dropout.forward(weights).matmul(v);                    // (B, nh, Tq, Tk) @ (B, nh, Tk, hs) -> (B, nh, Tq, hs)
        return new Output(y, weights);
    }
}
