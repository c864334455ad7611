package dev.zerolm.tensor;

import dev.zerolm.autograd.GradMode;
import dev.zerolm.tensor.kernels.FlashAttention;
import dev.zerolm.tensor.kernels.Gemm;
import dev.zerolm.tensor.kernels.LayerNormRows;
import dev.zerolm.tensor.kernels.SoftmaxRows;

/** The fused neural-network ops: softmax family, layer norm, dropout, cross-entropy, embedding lookup, attention. */
public final class NNOps {

    private NNOps() {}

    // ------------------------------------------------------------------ softmax / log_softmax

    static Tensor softmax(Tensor x, int dim) {
        return softmaxFamily(x, dim, false);
    }

    static Tensor logSoftmax(Tensor x, int dim) {
        return softmaxFamily(x, dim, true);
    }

    /** Moves dim last, runs a row kernel (max-subtracted for stability), moves it back. */
    private static Tensor softmaxFamily(Tensor x, int dim, boolean log) {
        String op = log ? "log_softmax" : "softmax";
        int d = Shapes.dim(op, dim, x.rank());
        int last = x.rank() - 1;
        Tensor xt = x.detach().transpose(d, last).contiguous();
        float[] a = xt.data();
        int off = xt.offset(), R = x.size(d), rows = R == 0 ? 0 : xt.numel() / R;
        float[] out = new float[xt.numel()];
        Parallel.forRange(rows, Math.max(1, 8192 / Math.max(1, R)), (lo, hi) -> {
            for (int r = lo; r < hi; r++) {
                int base = r * R;
                float max = SoftmaxRows.max(a, off + base, R);
                float sum = SoftmaxRows.expShifted(a, off + base, R, max, out, base);   // out = e^(x - max)
                if (log) {
                    float lse = (float) Math.log(sum);
                    for (int j = 0; j < R; j++) out[base + j] = a[off + base + j] - max - lse;
                } else {
                    float inv = (float) (1 / sum);
                    for (int j = 0; j < R; j++) out[base + j] *= inv;
                }
            }
        });
        int[] tShape = xt.shape();
        Tensor y = Tensor.of(out, tShape).transpose(d, last).contiguous();
        return Tensor.record(y, op, g -> {
            float[] gv = g.detach().transpose(d, last).contiguous().toArray();
            float[] gx = new float[gv.length];
            for (int r = 0; r < rows; r++) {
                int base = r * R;
                double dot = 0;
                if (log) { // dx = g - softmax * sum(g)
                    for (int j = 0; j < R; j++) dot += gv[base + j];
                    for (int j = 0; j < R; j++) gx[base + j] = (float) (gv[base + j] - Math.exp(out[base + j]) * dot);
                } else { // dx = y * (g - sum(g * y))
                    for (int j = 0; j < R; j++) dot += gv[base + j] * out[base + j];
                    for (int j = 0; j < R; j++) gx[base + j] = (float) (out[base + j] * (gv[base + j] - dot));
                }
            }
            return new Tensor[] {Tensor.of(gx, tShape).transpose(d, last).contiguous()};
        }, x);
    }

    // ------------------------------------------------------------------ layer norm

    /** x·Wᵀ + b (torch.nn.functional.linear): x (..., in), weight (out, in), bias (out) or null -> (..., out). */
    public static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        return MatMul.linear(x, weight, bias);
    }

    /**
     * Layer normalisation over the last dim: y = (x - mean) / sqrt(var + eps) * weight + bias, var biased.
     * weight and bias may be null. Mean and reciprocal std are kept for the fused backward.
     */
    public static Tensor layerNorm(Tensor x, Tensor weight, Tensor bias, float eps) {
        int C = x.size(-1);
        if (weight != null && (weight.rank() != 1 || weight.size(0) != C)) {
            throw new ShapeException("layer_norm: weight of shape " + Shapes.str(weight.shape())
                    + " does not match the last dim of input " + Shapes.str(x.shape()));
        }
        if (bias != null && (bias.rank() != 1 || bias.size(0) != C)) {
            throw new ShapeException("layer_norm: bias of shape " + Shapes.str(bias.shape())
                    + " does not match the last dim of input " + Shapes.str(x.shape()));
        }
        Tensor xc = x.detach().contiguous();
        float[] a = xc.data();
        int off = xc.offset(), rows = xc.numel() / Math.max(1, C);
        float[] w = weight == null ? null : weight.detach().contiguous().toArray();
        float[] b = bias == null ? null : bias.detach().contiguous().toArray();
        float[] out = BufferPool.forOutput(xc.numel()), mean = BufferPool.forOutput(rows), rstd = BufferPool.forOutput(rows);
        Parallel.forRange(rows, Math.max(1, 4096 / Math.max(1, C)), (lo, hi) -> {
            float[] stats = new float[2];
            for (int r = lo; r < hi; r++) {
                LayerNormRows.forward(a, off + r * C, C, w, b, eps, out, r * C, stats);
                mean[r] = stats[0];
                rstd[r] = stats[1];
            }
        });
        if (GradMode.isNoGradForward()) {                      // only backward reads the statistics
            BufferPool.give(mean);
            BufferPool.give(rstd);
        }
        Tensor y = Tensor.of(out, x.shape());
        return Tensor.record(y, "layer_norm", g -> {
            Tensor gc = g.contiguous();
            float[] gv = gc.data();
            int gOff = gc.offset();
            float[] dx = BufferPool.take(rows * C);              // every row written below
            // Rows go to threads in fixed blocks, each with its own dw and db partial sums, added up in block order
            // afterwards: the result does not depend on the thread count.
            int blocks = (rows + NORM_BLOCK_ROWS - 1) / NORM_BLOCK_ROWS;
            float[] dwParts = weight == null ? null : new float[blocks * C], dbParts = bias == null ? null : new float[blocks * C];
            Parallel.forRange(blocks, 1, (lo, hi) -> {
                for (int blk = lo; blk < hi; blk++) {
                    for (int r = blk * NORM_BLOCK_ROWS; r < Math.min(rows, (blk + 1) * NORM_BLOCK_ROWS); r++) {
                        LayerNormRows.backward(a, off + r * C, gv, gOff + r * C, C, w, mean[r], rstd[r], dx, r * C,
                                dwParts, dbParts, blk * C);
                    }
                }
            });
            return new Tensor[] {
                    Tensor.of(dx, x.shape()),
                    weight == null ? null : Tensor.of(sumBlocks(dwParts, blocks, C), C),
                    bias == null ? null : Tensor.of(sumBlocks(dbParts, blocks, C), C)};
        }, x, weight, bias);
    }

    /** RMS normalisation over the last dim: y = x / sqrt(mean(x^2) + eps) * weight (Llama's). */
    public static Tensor rmsNorm(Tensor x, Tensor weight, float eps) {
        Tensor ms = x.mul(x).mean(-1, true);
        Tensor y = x.mul(ms.add(eps).rsqrt());
        return weight == null ? y : y.mul(weight);
    }

    /** Rows per block of the layer norm backward's partial weight and bias gradients. */
    private static final int NORM_BLOCK_ROWS = 64;

    /** Column sums of parts (blocks, C), block by block in order, as floats. */
    private static float[] sumBlocks(float[] parts, int blocks, int C) {
        double[] sum = new double[C];
        for (int blk = 0; blk < blocks; blk++) for (int j = 0; j < C; j++) sum[j] += parts[blk * C + j];
        return toFloat(sum);
    }

    private static float[] toFloat(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
        return f;
    }

    // ------------------------------------------------------------------ dropout

    /** Zeroes each element with probability p and scales the rest by 1/(1-p); identity when not training. */
    public static Tensor dropout(Tensor x, float p, boolean training, Rng rng) {
        if (p < 0 || p >= 1) throw new IllegalArgumentException("dropout: p must be in [0, 1), got " + p);
        if (!training || p == 0f) return x;
        int n = x.numel();
        float[] mask = new float[n];
        float scale = 1f / (1f - p);
        for (int i = 0; i < n; i++) mask[i] = rng.nextFloat() < p ? 0f : scale;
        return x.mul(Tensor.of(mask, x.shape()));
    }

    // ------------------------------------------------------------------ cross-entropy

    public enum Reduction { MEAN, SUM, NONE }

    /**
     * Softmax cross-entropy of logits (N, C) against class targets (N), fused: the probabilities are never kept
     * as a graph. Targets equal to ignoreIndex count for nothing; MEAN divides by the number not ignored.
     * Logits of any rank (..., C) are flattened to (N, C) with targets (...).
     */
    public static Tensor crossEntropy(Tensor logits, IntTensor targets, int ignoreIndex, Reduction reduction) {
        int C = logits.size(-1);
        int N = logits.numel() / Math.max(1, C);
        if (targets.numel() != N) {
            throw new ShapeException("cross_entropy: logits of shape " + Shapes.str(logits.shape())
                    + " need " + N + " targets, got shape " + Shapes.str(targets.shape()));
        }
        int[] t = targets.data();
        countTargets("cross_entropy", t, C, ignoreIndex);
        Tensor lc = logits.detach().contiguous();
        float[] a = lc.data();
        int off = lc.offset();
        float[] lossRow = new float[N];
        float[] lse = new float[N];
        Parallel.forRange(N, Math.max(1, 8192 / Math.max(1, C)), (lo, hi) -> {
            for (int r = lo; r < hi; r++) {
                int base = off + r * C;
                lse[r] = SoftmaxRows.logSumExp(a, base, C);
                lossRow[r] = t[r] == ignoreIndex ? 0f : lse[r] - a[base + t[r]];
            }
        });
        int counted = 0;
        double total = 0;
        for (int r = 0; r < N; r++) {
            if (t[r] != ignoreIndex) {
                counted++;
                total += lossRow[r];
            }
        }
        final int count = counted;
        Tensor out = switch (reduction) {
            case MEAN -> Tensor.scalar(count == 0 ? Float.NaN : (float) (total / count));
            case SUM -> Tensor.scalar((float) total);
            case NONE -> Tensor.of(lossRow, targets.shape());
        };
        int[] shape = logits.shape();
        return Tensor.record(out, "cross_entropy", g -> {
            float[] gv = g.contiguous().toArray();
            float[] dx = BufferPool.take(N * C);                 // every row written below
            Parallel.forRange(N, Math.max(1, 8192 / Math.max(1, C)), (lo, hi) -> {
                for (int r = lo; r < hi; r++) {
                    if (t[r] == ignoreIndex) {
                        java.util.Arrays.fill(dx, r * C, (r + 1) * C, 0f);
                        continue;
                    }
                    float scale = switch (reduction) {
                        case MEAN -> gv[0] / count;
                        case SUM -> gv[0];
                        case NONE -> gv[r];
                    };
                    // d(lse - x_t)/dx_j = softmax_j - [j == t]
                    SoftmaxRows.scaledSoftmax(a, off + r * C, C, lse[r], scale, dx, r * C);
                    dx[r * C + t[r]] -= scale;
                }
            });
            return new Tensor[] {Tensor.of(dx, shape)};
        }, logits);
    }

    /**
     * Floats of logits one chunk of {@link #linearCrossEntropy} holds at most by default (256 MB). Smaller chunks
     * cost time: each adds its share into the whole (V, C) weight gradient again (GPT-2's LM head, 1,024 tokens,
     * forward and backward: 870 ms in one chunk, 890 in 512-row chunks, 1,060 in 128-row chunks).
     */
    private static final int LOGIT_CHUNK_FLOATS = 1 << 26;

    /**
     * Mean softmax cross-entropy of the logits x·Wᵀ against targets, fused with that output layer: x (..., C),
     * weight (V, C), targets (...). Rows go through in chunks of {@code rows} (0: as many as fit in 256 MB of
     * logits); for each chunk the logits are computed, turned into the loss and into their own gradient in place
     * (softmax - onehot, over the count), and multiplied straight into the gradients of x and W, which backward
     * then only scales. So the logits are never kept for backward and their gradient never takes memory of its
     * own; with small chunks (GPT-2's vocabulary, 166 rows: 32 MB) the (N, V) logits never exist at once. Without a graph
     * (no grad, or neither input needs one) only the loss is computed. Targets equal to ignoreIndex count for nothing.
     */
    public static Tensor linearCrossEntropy(Tensor x, Tensor weight, IntTensor targets, int ignoreIndex, int rows) {
        if (weight.rank() != 2) throw new ShapeException("linear_cross_entropy: weight must be (V, C), got " + Shapes.str(weight.shape()));
        int V = weight.size(0), C = weight.size(1);
        if (x.size(-1) != C) {
            throw new ShapeException("linear_cross_entropy: input of shape " + Shapes.str(x.shape())
                    + " does not end in the weight's width " + C + " (weight " + Shapes.str(weight.shape()) + ")");
        }
        int N = x.numel() / C;
        if (targets.numel() != N) {
            throw new ShapeException("linear_cross_entropy: input of shape " + Shapes.str(x.shape())
                    + " needs " + N + " targets, got shape " + Shapes.str(targets.shape()));
        }
        int[] t = targets.data();
        int count = countTargets("linear_cross_entropy", t, V, ignoreIndex);
        boolean graph = GradMode.isEnabled() && (x.requiresGrad() || weight.requiresGrad());
        Tensor xc = x.detach().contiguous(), wc = weight.detach().contiguous();
        float[] xa = xc.data(), wa = wc.data();
        int xo = xc.offset(), wo = wc.offset();
        float[] dx = graph && x.requiresGrad() ? BufferPool.take(N * C) : null;        // every row written below
        float[] dw = graph && weight.requiresGrad() ? BufferPool.take(V * C) : null;   // the first chunk overwrites it
        int chunk = Math.min(N, rows > 0 ? rows : Math.max(1, LOGIT_CHUNK_FLOATS / V));
        float[] logits = BufferPool.take(chunk * V);                 // recycled: the next step needs it again
        float[] lossRow = new float[N];
        float perTarget = count == 0 ? 0f : 1f / count;
        for (int r0 = 0; r0 < N; r0 += chunk) {
            int n = Math.min(chunk, N - r0), first = r0;
            // (n, C) @ (C, V) -> (n, V)
            Gemm.gemm(false, true, n, V, C, 1f, xa, xo + first * C, C, wa, wo, C, 0f, logits, 0, V);
            Parallel.forRange(n, Math.max(1, 8192 / V), (lo, hi) -> {
                for (int r = lo; r < hi; r++) {
                    int target = t[first + r], base = r * V;
                    if (target == ignoreIndex) {
                        if (graph) java.util.Arrays.fill(logits, base, base + V, 0f);
                        continue;
                    }
                    float lse = SoftmaxRows.logSumExp(logits, base, V);
                    lossRow[first + r] = lse - logits[base + target];
                    if (!graph) continue;
                    // d(lse - z_t)/dz_j = softmax_j - [j == t], over the count for the mean
                    SoftmaxRows.scaledSoftmax(logits, base, V, lse, perTarget, logits, base);
                    logits[base + target] -= perTarget;
                }
            });
            if (!graph) continue;
            // dx (n, C) = dlogits (n, V) @ W (V, C);  dW (V, C) += dlogitsᵀ (V, n) @ x (n, C)
            if (dx != null) Gemm.gemm(false, false, n, C, V, 1f, logits, 0, V, wa, wo, C, 0f, dx, first * C, C);
            if (dw != null) Gemm.gemm(true, false, V, C, n, 1f, logits, 0, V, xa, xo + first * C, C, r0 == 0 ? 0f : 1f, dw, 0, C);
        }
        BufferPool.give(logits);
        double total = 0;
        for (int r = 0; r < N; r++) total += lossRow[r];
        Tensor loss = Tensor.scalar(count == 0 ? Float.NaN : (float) (total / count));
        if (!graph) return loss;
        int[] xShape = x.shape(), wShape = weight.shape();
        return Tensor.record(loss, "linear_cross_entropy", g -> {
            float scale = g.item();
            return new Tensor[] {
                    dx == null ? null : Tensor.of(scaled(dx, scale), xShape),
                    dw == null ? null : Tensor.of(scaled(dw, scale), wShape)};
        }, x, weight);
    }

    /** Targets not equal to ignoreIndex; fails naming the first one outside [0, classes). */
    private static int countTargets(String op, int[] t, int classes, int ignoreIndex) {
        int count = 0;
        for (int i = 0; i < t.length; i++) {
            if (t[i] == ignoreIndex) continue;
            if (t[i] < 0 || t[i] >= classes) {
                throw new ShapeException(op + ": target " + t[i] + " at position " + i + " is out of range for " + classes + " classes");
            }
            count++;
        }
        return count;
    }

    /** a itself when scale is 1 (the usual seed of a mean loss), else a scaled copy (a may be used again). */
    private static float[] scaled(float[] a, float scale) {
        if (scale == 1f) return a;
        float[] out = BufferPool.take(a.length);
        Parallel.forRange(a.length, 1 << 15, (lo, hi) -> {
            for (int i = lo; i < hi; i++) out[i] = a[i] * scale;
        });
        return out;
    }

    // ------------------------------------------------------------------ embedding

    /** Rows of weight (V, D) picked by ids of any shape: result shape ids.shape + (D). */
    public static Tensor embedding(Tensor weight, IntTensor ids) {
        if (weight.rank() != 2) throw new ShapeException("embedding: weight must be 2-D, got " + Shapes.str(weight.shape()));
        int V = weight.size(0), D = weight.size(1);
        int[] idx = ids.data();
        for (int i = 0; i < idx.length; i++) {
            if (idx[i] < 0 || idx[i] >= V) {
                throw new ShapeException("embedding: id " + idx[i] + " at position " + i + " is out of range for a table of "
                        + V + " rows (weight " + Shapes.str(weight.shape()) + ")");
            }
        }
        Tensor wc = weight.detach().contiguous();
        float[] w = wc.data();
        int woff = wc.offset();
        float[] out = BufferPool.forOutput(idx.length * D);     // every row copied below
        for (int i = 0; i < idx.length; i++) System.arraycopy(w, woff + idx[i] * D, out, i * D, D);
        int[] outShape = java.util.Arrays.copyOf(ids.shape(), ids.shape().length + 1);
        outShape[outShape.length - 1] = D;
        Tensor y = Tensor.of(out, outShape);
        // d(loss)/d(weight): each id's row gets the gradients of the positions that looked it up
        return Tensor.recordScatter(y, "embedding", (g, dense) -> {
            Tensor gc = g.contiguous();
            float[] gv = gc.data();
            int go = gc.offset();
            for (int i = 0; i < idx.length; i++) {
                int row = idx[i] * D, from = go + i * D;
                for (int j = 0; j < D; j++) dense[row + j] += gv[from + j];
            }
        }, weight);
    }

    // ------------------------------------------------------------------ attention

    /**
     * softmax(q kᵀ / √hs) v for q (B, nh, Tq, hs) and k, v (B, nh, Tk, hs), fused by {@link FlashAttention}: the
     * (Tq, Tk) scores are never stored, forward or backward, so memory grows linearly with T. With causal, the
     * queries are the last Tq positions [Tk − Tq, Tk) (all of them in training, the new tokens after a KV cache)
     * and each attends only to keys at or before its own position.
     */
    public static Tensor scaledDotProductAttention(Tensor q, Tensor k, Tensor v, boolean causal) {
        String op = "scaled_dot_product_attention";
        if (q.rank() != 4 || k.rank() != 4 || !java.util.Arrays.equals(k.shape(), v.shape())) {
            throw new ShapeException(op + ": expects q (B, nh, Tq, hs) and k, v (B, nh, Tk, hs), got q "
                    + Shapes.str(q.shape()) + ", k " + Shapes.str(k.shape()) + ", v " + Shapes.str(v.shape()));
        }
        int B = q.size(0), nh = q.size(1), Tq = q.size(2), hs = q.size(3), Tk = k.size(2);
        if (k.size(0) != B || k.size(1) != nh || k.size(3) != hs) {
            throw new ShapeException(op + ": q " + Shapes.str(q.shape()) + " and k " + Shapes.str(k.shape())
                    + " differ in batch, heads or head size");
        }
        if (Tk == 0 || (causal && Tq > Tk)) {
            throw new ShapeException(op + ": " + Tq + " queries over " + Tk + " keys" + (causal
                    ? "; causal attention needs at least as many keys as queries" : "; needs at least one key"));
        }
        var dims = new FlashAttention.Dims(B * nh, Tq, Tk, hs);
        float scale = (float) (1 / Math.sqrt(hs));
        float[] qa = dense(q), ka = dense(k), va = dense(v);
        FlashAttention.Forward f = FlashAttention.forward(qa, ka, va, dims, causal, scale);
        if (GradMode.isNoGradForward()) BufferPool.give(f.logSumExp());  // only backward reads it
        Tensor out = Tensor.of(f.out(), B, nh, Tq, hs);
        return Tensor.record(out, op, g -> {
            FlashAttention.Gradients d = FlashAttention.backward(qa, ka, va, f.out(), dense(g), f.logSumExp(),
                    dims, causal, scale);
            return new Tensor[] {Tensor.of(d.dq(), q.shape()), Tensor.of(d.dk(), k.shape()), Tensor.of(d.dv(), v.shape())};
        }, q, k, v);
    }

    /**
     * Multi-head attention straight from a fused projection: qkv (B, T, 3C) holds columns [q | k | v], each split
     * into nh heads of hs = C / nh; returns softmax(q kᵀ / √hs) v with the heads side by side again, (B, T, C).
     * The same result as viewing qkv as (3, B, nh, T, hs), running {@link #scaledDotProductAttention} and merging
     * the heads, but the heads are split and merged in one pass each way, and the backward pass writes the
     * gradient of qkv in place instead of building it from three select and two permute gradients.
     */
    public static Tensor attentionFromQkv(Tensor qkv, int nHead, boolean causal) {
        String op = "attention_from_qkv";
        if (qkv.rank() != 3 || nHead < 1 || qkv.size(2) % (3 * nHead) != 0) {
            throw new ShapeException(op + ": expects qkv (B, T, 3C) with C divisible by " + nHead + " heads, got "
                    + Shapes.str(qkv.shape()));
        }
        int B = qkv.size(0), T = qkv.size(1), C = qkv.size(2) / 3, hs = C / nHead;
        if (T == 0) throw new ShapeException(op + ": needs at least one token, got " + Shapes.str(qkv.shape()));
        var dims = new FlashAttention.Dims(B * nHead, T, T, hs);
        float scale = (float) (1 / Math.sqrt(hs));
        HeadLayout layout = new HeadLayout(B, T, nHead, hs);
        float[] packed = dense(qkv);
        float[] q = layout.split(packed, 3 * C, 0), k = layout.split(packed, 3 * C, C), v = layout.split(packed, 3 * C, 2 * C);
        FlashAttention.Forward f = FlashAttention.forward(q, k, v, dims, causal, scale);
        float[] y = BufferPool.forOutput(B * T * C);                  // the merge writes every element
        layout.merge(f.out(), y, C, 0);
        if (GradMode.isNoGradForward()) {                              // no backward will read the split heads
            BufferPool.give(q);
            BufferPool.give(k);
            BufferPool.give(v);
            BufferPool.give(f.out());
            BufferPool.give(f.logSumExp());
        }
        return Tensor.record(Tensor.of(y, B, T, C), op, g -> {
            float[] dOut = layout.splitInto(dense(g), C, 0, BufferPool.take(B * T * C));
            FlashAttention.Gradients d = FlashAttention.backward(q, k, v, f.out(), dOut, f.logSumExp(), dims, causal, scale);
            BufferPool.give(dOut);                               // read only by the kernel above
            float[] dqkv = BufferPool.take(B * T * 3 * C);      // the three merges write every element
            layout.merge(d.dq(), dqkv, 3 * C, 0);
            layout.merge(d.dk(), dqkv, 3 * C, C);
            layout.merge(d.dv(), dqkv, 3 * C, 2 * C);
            BufferPool.give(d.dq());                             // merged: nothing else holds them
            BufferPool.give(d.dk());
            BufferPool.give(d.dv());
            return new Tensor[] {Tensor.of(dqkv, B, T, 3 * C)};
        }, qkv);
    }

    /** Moves heads between rows of width w (B, T, w), head h at column offset + h*hs, and dense (B, nh, T, hs). */
    private record HeadLayout(int B, int T, int nHead, int hs) {

        /** (B, T, w)[:, :, offset + h*hs ...] -> a new (B, nh, T, hs). */
        float[] split(float[] rows, int w, int offset) {
            return splitInto(rows, w, offset, BufferPool.forOutput(B * nHead * T * hs));
        }

        /** split into the given array of B * nh * T * hs floats (every element written); returns it. */
        float[] splitInto(float[] rows, int w, int offset, float[] heads) {
            Parallel.forRange(B * T, 256, (start, end) -> {
                for (int bt = start; bt < end; bt++) {
                    int b = bt / T, t = bt % T;
                    for (int h = 0; h < nHead; h++) {
                        System.arraycopy(rows, bt * w + offset + h * hs, heads, ((b * nHead + h) * T + t) * hs, hs);
                    }
                }
            });
            return heads;
        }

        /** (B, nh, T, hs) -> (B, T, w)[:, :, offset + h*hs ...], written into rows. */
        void merge(float[] heads, float[] rows, int w, int offset) {
            Parallel.forRange(B * T, 256, (start, end) -> {
                for (int bt = start; bt < end; bt++) {
                    int b = bt / T, t = bt % T;
                    for (int h = 0; h < nHead; h++) {
                        System.arraycopy(heads, ((b * nHead + h) * T + t) * hs, rows, bt * w + offset + h * hs, hs);
                    }
                }
            });
        }
    }

    /** The elements in row-major order from index 0: the backing array itself when it is exactly that, else a copy. */
    private static float[] dense(Tensor t) {
        Tensor c = t.detach().contiguous();
        float[] a = c.data();
        return c.offset() == 0 && a.length == c.numel() ? a : c.toArray();
    }
}
