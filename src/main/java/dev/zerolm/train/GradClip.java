package dev.zerolm.train;

import dev.zerolm.tensor.Parallel;
import dev.zerolm.tensor.Tensor;

import java.util.List;

/**
 * Gradient clipping by the global L2 norm over many tensors, as torch.nn.utils.clip_grad_norm_: when the norm
 * of all gradients together exceeds maxNorm, every gradient is scaled by {@code maxNorm / (norm + 1e-6)}.
 * Squares are summed in double over fixed blocks, so the norm does not depend on the thread count.
 */
public final class GradClip {

    /** Elements whose squares one task sums; fixed, so partial sums are the same whatever the pool size. */
    private static final int BLOCK = 1 << 14;

    private GradClip() {}

    /**
     * Scales the gradients of params (those that have one) so their global L2 norm is at most maxNorm, and returns
     * the norm before clipping. A non-finite norm (NaN or infinite gradients) is returned with the gradients left
     * as they are, so the caller can log it and skip the step.
     */
    public static double clipGlobalNorm(List<Tensor> params, float maxNorm) {
        if (!(maxNorm > 0)) throw new IllegalArgumentException("clipGlobalNorm: maxNorm must be > 0, got " + maxNorm);
        double total = globalNorm(params);
        if (!Double.isFinite(total)) return total;
        double coefficient = maxNorm / (total + 1e-6);
        if (coefficient < 1) {
            float c = (float) coefficient;
            for (Tensor p : params) {
                Tensor grad = Optimizer.denseGrad(p);
                if (grad == null) continue;
                float[] g = grad.data();
                int off = grad.offset();
                Parallel.forRange(grad.numel(), BLOCK, (start, end) -> {
                    for (int i = start; i < end; i++) g[off + i] *= c;
                });
            }
        }
        return total;
    }

    /** The L2 norm of all gradients of params taken together (parameters without a gradient count as zero). */
    public static double globalNorm(List<Tensor> params) {
        double sumOfSquares = 0;
        for (Tensor p : params) {
            Tensor grad = Optimizer.denseGrad(p);
            if (grad != null) sumOfSquares += sumOfSquares(grad.data(), grad.offset(), grad.numel());
        }
        return Math.sqrt(sumOfSquares);
    }

    private static double sumOfSquares(float[] g, int off, int n) {
        int blocks = (n + BLOCK - 1) / BLOCK;
        double[] partial = new double[blocks];
        Parallel.forRange(blocks, 4, (first, last) -> {
            for (int b = first; b < last; b++) {
                int start = off + b * BLOCK, end = off + Math.min(n, (b + 1) * BLOCK);
                double s = 0;
                for (int i = start; i < end; i++) s += (double) g[i] * g[i];
                partial[b] = s;
            }
        });
        double s = 0;
        for (double v : partial) s += v;
        return s;
    }
}
