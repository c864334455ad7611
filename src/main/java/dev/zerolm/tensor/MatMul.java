package dev.zerolm.tensor;

import dev.zerolm.tensor.kernels.Gemm;

/**
 * torch.matmul semantics on top of the GEMM kernel. Operands whose last two dims are a transposed view are
 * passed to the kernel with a transpose flag instead of being copied; broadcast batch dims use stride 0.
 */
final class MatMul {

    private MatMul() {}

    static Tensor matmul(Tensor a, Tensor b) {
        if (a.rank() == 0 || b.rank() == 0) {
            throw new ShapeException("matmul: both operands need at least one dim, got shapes "
                    + Shapes.str(a.shape()) + " and " + Shapes.str(b.shape()));
        }
        if (a.rank() == 1) return matmul(a.unsqueeze(0), b).squeeze(-2);
        if (b.rank() == 1) return matmul(a, b.unsqueeze(1)).squeeze(-1);
        int K = a.size(-1);
        if (b.size(-2) != K) {
            throw new ShapeException("matmul: shapes " + Shapes.str(a.shape()) + " and " + Shapes.str(b.shape())
                    + " do not align on the inner dimension (" + K + " vs " + b.size(-2) + ")");
        }
        // (..., M, K) @ (K, N): fold the batch into M so one big GEMM runs and no gradient needs summing.
        if (b.rank() == 2 && a.rank() > 2 && a.isContiguous()) {
            int[] outShape = a.shape();
            outShape[outShape.length - 1] = b.size(1);
            return matmul2d(a.reshape(-1, K), b).reshape(outShape);
        }
        return batched(a, b, false);
    }

    /**
     * A Linear layer's x·Wᵀ + b as one op: x (..., in), weight (out, in), bias (out) or null -> (..., out). The
     * bias is added as the GEMM writes each tile (no second pass over the output), and the backward pass computes
     * dx = g·W, dW = gᵀ·x (in W's layout) and db = column sums of g.
     */
    static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        if (weight.rank() != 2 || x.rank() < 1 || x.size(-1) != weight.size(1)) {
            throw new ShapeException("linear: input " + Shapes.str(x.shape()) + " does not match weight "
                    + Shapes.str(weight.shape()) + " (out, in): its last dim must be in");
        }
        int out = weight.size(0), in = weight.size(1);
        if (bias != null && (bias.rank() != 1 || bias.size(0) != out)) {
            throw new ShapeException("linear: bias " + Shapes.str(bias.shape()) + " does not match weight "
                    + Shapes.str(weight.shape()) + ": expected (" + out + ")");
        }
        Tensor xc = x.detach().contiguous(), wc = weight.detach().contiguous();
        int rows = xc.numel() / Math.max(1, in);
        float[] y = BufferPool.forOutput(rows * out);                              // the GEMM writes every element
        if (bias != null) {
            Tensor bc = bias.detach().contiguous();
            Gemm.gemmBias(false, true, rows, out, in, 1f, xc.data(), xc.offset(), in, wc.data(), wc.offset(), in,
                    bc.data(), bc.offset(), y, 0, out);                                    // (rows, in) x (in, out) + b
        } else {
            Gemm.gemm(false, true, rows, out, in, 1f, xc.data(), xc.offset(), in, wc.data(), wc.offset(), in, 0f, y, 0, out);
        }
        int[] shape = x.shape();
        shape[shape.length - 1] = out;
        boolean needX = x.requiresGrad(), needW = weight.requiresGrad(), needB = bias != null && bias.requiresGrad();
        int[] xShape = x.shape(), bShape = bias == null ? null : bias.shape();
        return Tensor.record(Tensor.of(y, shape), "linear", g -> {
            Tensor gc = g.contiguous();
            float[] gv = gc.data();
            Tensor dx = null, dw = null;
            if (needX) {
                float[] d = BufferPool.take(rows * in);                           // (rows, out) x (out, in)
                Gemm.gemm(false, false, rows, in, out, 1f, gv, gc.offset(), out, wc.data(), wc.offset(), in, 0f, d, 0, in);
                dx = Tensor.of(d, xShape);
            }
            if (needW) {
                float[] d = BufferPool.take(out * in);                            // (out, rows) x (rows, in)
                Gemm.gemm(true, false, out, in, rows, 1f, gv, gc.offset(), out, xc.data(), xc.offset(), in, 0f, d, 0, in);
                dw = Tensor.of(d, out, in);
            }
            return new Tensor[] {dx, dw, needB ? gc.reshape(rows, out).sumToShape(bShape) : null};
        }, x, weight, bias);
    }

    private static Tensor matmul2d(Tensor a, Tensor b) {
        return batched(a, b, false);
    }

    /** A matrix operand as the kernel wants it: array, per-batch offsets, transpose flag and leading dim. */
    private record Operand(float[] data, int[] batchOffsets, boolean trans, int ld) {}

    private static Operand operand(Tensor t, int[] batchShape) {
        int r = t.rank();
        int rows = t.size(-2), cols = t.size(-1);
        int[] full = new int[batchShape.length + 2];
        System.arraycopy(batchShape, 0, full, 0, batchShape.length);
        full[full.length - 2] = rows;
        full[full.length - 1] = cols;
        Tensor e = t.detach().expand(full);
        int[] st = e.strides();
        int sRow = st[st.length - 2], sCol = st[st.length - 1];
        boolean rowMajor = (cols == 1 || sCol == 1) && (rows == 1 || sRow >= cols) && sRow >= 1;
        boolean colMajor = !rowMajor && (rows == 1 || sRow == 1) && (cols == 1 || sCol >= rows) && sCol >= 1;
        if ((!rowMajor && !colMajor) || e.storage().heapArray() == null) {
            e = t.detach().contiguous().expand(full);
            st = e.strides();
            sRow = st[st.length - 2];
            rowMajor = true;
            colMajor = false;
        }
        int ld = rowMajor ? Math.max(sRow, cols) : Math.max(sCol, rows);
        if (rows == 1 && rowMajor) ld = cols;
        if (cols == 1 && colMajor) ld = rows;
        int batch = Shapes.numel(batchShape);
        int[] offsets = new int[batch];
        int[] counter = new int[batchShape.length];
        for (int i = 0; i < batch; i++) {
            int o = e.offset();
            for (int d = 0; d < batchShape.length; d++) o += counter[d] * st[d];
            offsets[i] = o;
            for (int d = batchShape.length - 1; d >= 0; d--) {
                if (++counter[d] < batchShape[d]) break;
                counter[d] = 0;
            }
        }
        return new Operand(e.storage().heapArray(), offsets, colMajor, ld);
    }

    private static int[] batchShape(Tensor t) {
        int[] s = t.shape();
        return java.util.Arrays.copyOf(s, s.length - 2);
    }

    /** gradient: the product is a gradient in a backward rule, so its array comes from {@link BufferPool}. */
    private static Tensor batched(Tensor a, Tensor b, boolean gradient) {
        int M = a.size(-2), K = a.size(-1), N = b.size(-1);
        int[] batchShape = Shapes.broadcast("matmul", batchShape(a), batchShape(b));
        int batch = Shapes.numel(batchShape);
        Operand A = operand(a, batchShape), B = operand(b, batchShape);
        float[] C = gradient ? BufferPool.take(batch * M * N) : new float[batch * M * N];   // beta 0: all written
        if (batch == 1) {
            Gemm.gemm(A.trans, B.trans, M, N, K, 1f, A.data, A.batchOffsets[0], A.ld, B.data, B.batchOffsets[0], B.ld,
                    0f, C, 0, N);
        } else {
            // Many matrices (attention heads): one matrix per task; the kernel runs inline inside each task.
            Parallel.forRange(batch, 1, (lo, hi) -> {
                for (int i = lo; i < hi; i++) {
                    Gemm.gemm(A.trans, B.trans, M, N, K, 1f, A.data, A.batchOffsets[i], A.ld, B.data, B.batchOffsets[i],
                            B.ld, 0f, C, i * M * N, N);
                }
            });
        }
        int[] outShape = new int[batchShape.length + 2];
        System.arraycopy(batchShape, 0, outShape, 0, batchShape.length);
        outShape[outShape.length - 2] = M;
        outShape[outShape.length - 1] = N;
        Tensor out = Tensor.of(C, outShape);
        int[] sa = a.shape(), sb = b.shape();
        boolean bTransposed = B.trans;
        return Tensor.record(out, "matmul", g -> new Tensor[] {
                a.requiresGrad() ? batched(g, b.detach().transpose(-1, -2), true).sumToShape(sa) : null,
                b.requiresGrad() ? gradientOfB(a, g, bTransposed).sumToShape(sb) : null,
        }, a, b);
    }

    /**
     * dL/dB = Aᵀ · dC, laid out like B: when B is a transposed view (x · Wᵀ, a Linear's weight) it is computed as
     * (dCᵀ · A)ᵀ, so the gradient reaching W is contiguous and accumulates without a strided copy.
     */
    private static Tensor gradientOfB(Tensor a, Tensor g, boolean bTransposed) {
        return bTransposed ? batched(g.transpose(-1, -2), a.detach(), true).transpose(-1, -2)
                : batched(a.detach().transpose(-1, -2), g, true);
    }
}
