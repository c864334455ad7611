package dev.zerolm.tensor;

/**
 * Reductions over one or more dims. The reduced dims are permuted to the end and made contiguous, so every
 * kind is a loop over rows of length R; gradients are computed in that layout and permuted back.
 */
final class Reduce {

    private Reduce() {}

    enum Kind { SUM, MEAN, MAX, VAR }

    static Tensor sumAll(Tensor x) {
        Tensor xc = x.contiguous();
        float[] a = xc.data();
        int off = xc.offset(), n = xc.numel();
        double s = 0;
        for (int i = 0; i < n; i++) s += a[off + i];
        Tensor out = Tensor.of(new float[] {(float) s});
        int[] shape = x.shape();
        return Tensor.record(out, "sum", g -> new Tensor[] {Tensor.full(g.item(), shape)}, x);
    }

    static float maxAll(Tensor x) {
        Tensor xc = x.contiguous();
        float[] a = xc.data();
        float m = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < xc.numel(); i++) m = Math.max(m, a[xc.offset() + i]);
        return m;
    }

    /** Which dims are reduced, the permutation that moves them last, and the resulting shapes. */
    private record Plan(int[] perm, int[] inverse, int rows, int rowLength, int[] keptShape, int[] outShape) {}

    private static Plan plan(String op, int[] shape, int[] dims, boolean keepDim) {
        int rank = shape.length;
        boolean[] reduced = new boolean[rank];
        for (int d : dims) {
            int nd = Shapes.dim(op, d, rank);
            if (reduced[nd]) throw new ShapeException(op + ": dim " + d + " given twice");
            reduced[nd] = true;
        }
        int[] perm = new int[rank];
        int k = 0, rows = 1, rowLength = 1;
        for (int i = 0; i < rank; i++) if (!reduced[i]) { perm[k++] = i; rows *= shape[i]; }
        for (int i = 0; i < rank; i++) if (reduced[i]) { perm[k++] = i; rowLength *= shape[i]; }
        int[] inverse = new int[rank];
        for (int i = 0; i < rank; i++) inverse[perm[i]] = i;
        int[] kept = shape.clone();
        int outRank = 0;
        for (int i = 0; i < rank; i++) {
            if (reduced[i]) kept[i] = 1;
            else outRank++;
        }
        int[] out = keepDim ? kept : new int[outRank];
        if (!keepDim) for (int i = 0, j = 0; i < rank; i++) if (!reduced[i]) out[j++] = shape[i];
        return new Plan(perm, inverse, rows, rowLength, kept, out);
    }

    /** x (..., rows of n) summed over its rows into shape target (numel n), in double, outside autograd. */
    static Tensor sumRows(Tensor x, int[] target) {
        int n = Shapes.numel(target), rows = x.numel() / Math.max(1, n), off = x.offset();
        float[] a = x.data();
        float[] out = new float[n];
        // Split by columns: each column still sums its rows in order, so any split gives the same bits.
        Parallel.forRange(n, Math.max(16, (1 << 15) / Math.max(1, rows)), (lo, hi) -> {
            double[] acc = new double[hi - lo];
            for (int r = 0; r < rows; r++) {
                int base = off + r * n;
                for (int j = lo; j < hi; j++) acc[j - lo] += a[base + j];
            }
            for (int j = lo; j < hi; j++) out[j] = (float) acc[j - lo];
        });
        return Tensor.of(out, target);
    }

    static Tensor reduce(Kind kind, Tensor x, int[] dims, boolean keepDim, int correction) {
        String op = kind.name().toLowerCase();
        int[] shape = x.shape();
        Plan p = plan(op, shape, dims, keepDim);
        Tensor xp = x.detach().permute(p.perm).contiguous();
        float[] a = xp.data();
        int off = xp.offset(), R = p.rowLength;
        if (R == 0 && kind != Kind.SUM) throw new ShapeException(op + ": cannot reduce over an empty dim of shape " + Shapes.str(shape));
        float[] out = new float[p.rows];
        int[] argmax = kind == Kind.MAX ? new int[p.rows] : null;
        double denomVar = R - correction;
        Parallel.forRange(p.rows, Math.max(1, 4096 / Math.max(1, R)), (lo, hi) -> {
            for (int r = lo; r < hi; r++) {
                int base = off + r * R;
                switch (kind) {
                    case SUM, MEAN -> {
                        double s = 0;
                        for (int j = 0; j < R; j++) s += a[base + j];
                        out[r] = (float) (kind == Kind.SUM ? s : s / R);
                    }
                    case MAX -> {
                        int best = 0;
                        float m = a[base];
                        for (int j = 1; j < R; j++) {
                            if (a[base + j] > m || Float.isNaN(a[base + j]) && !Float.isNaN(m)) { m = a[base + j]; best = j; }
                        }
                        out[r] = m;
                        argmax[r] = best;
                    }
                    case VAR -> {
                        double mean = 0;
                        for (int j = 0; j < R; j++) mean += a[base + j];
                        mean /= R;
                        double ss = 0;
                        for (int j = 0; j < R; j++) { double d = a[base + j] - mean; ss += d * d; }
                        out[r] = (float) (ss / denomVar);
                    }
                }
            }
        });
        Tensor y = Tensor.of(out, p.outShape);
        return Tensor.record(y, op, g -> {
            float[] gv = g.contiguous().toArray();
            float[] gx = new float[p.rows * R];
            for (int r = 0; r < p.rows; r++) {
                int base = r * R;
                switch (kind) {
                    case SUM -> java.util.Arrays.fill(gx, base, base + R, gv[r]);
                    case MEAN -> java.util.Arrays.fill(gx, base, base + R, gv[r] / R);
                    case MAX -> gx[base + argmax[r]] = gv[r];
                    case VAR -> {
                        double mean = 0;
                        for (int j = 0; j < R; j++) mean += a[off + base + j];
                        mean /= R;
                        double scale = 2.0 * gv[r] / denomVar;
                        for (int j = 0; j < R; j++) gx[base + j] = (float) (scale * (a[off + base + j] - mean));
                    }
                }
            }
            int[] permutedShape = new int[shape.length];
            for (int i = 0; i < shape.length; i++) permutedShape[i] = shape[p.perm[i]];
            return new Tensor[] {Tensor.of(gx, permutedShape).permute(p.inverse).contiguous()};
        }, x);
    }

    static IntTensor argmax(Tensor x, int dim, boolean keepDim) {
        int[] shape = x.shape();
        Plan p = plan("argmax", shape, new int[] {dim}, keepDim);
        Tensor xp = x.detach().permute(p.perm).contiguous();
        float[] a = xp.data();
        int off = xp.offset(), R = p.rowLength;
        int[] out = new int[p.rows];
        for (int r = 0; r < p.rows; r++) {
            int base = off + r * R, best = 0;
            for (int j = 1; j < R; j++) if (a[base + j] > a[base + best]) best = j;
            out[r] = best;
        }
        return new IntTensor(out, p.outShape);
    }
}
