package dev.zerolm.tensor;

import java.util.ArrayList;
import java.util.List;

/** Selection and assembly: masked_fill, where, index_select, gather, cat, stack, split, chunk. */
final class Indexing {

    private Indexing() {}

    static Tensor maskedFill(Tensor x, Tensor mask, float value) {
        int[] shape = x.shape();
        Shapes.broadcast("masked_fill", shape, mask.shape());
        float[] m = Pointwise.broadcastValues(mask.detach(), shapeOrFail("masked_fill", shape, mask.shape()));
        float[] out = x.detach().contiguous().toArray();
        for (int i = 0; i < out.length; i++) if (m[i] != 0f) out[i] = value;
        Tensor y = Tensor.of(out, shape);
        return Tensor.record(y, "masked_fill", g -> {
            float[] gv = g.contiguous().toArray();
            for (int i = 0; i < gv.length; i++) if (m[i] != 0f) gv[i] = 0f;
            return new Tensor[] {Tensor.of(gv, shape)};
        }, x);
    }

    /** The mask must broadcast to x's shape without growing it. */
    private static int[] shapeOrFail(String op, int[] xShape, int[] maskShape) {
        int[] b = Shapes.broadcast(op, xShape, maskShape);
        if (!java.util.Arrays.equals(b, xShape)) {
            throw new ShapeException(op + ": mask of shape " + Shapes.str(maskShape) + " would grow input "
                    + Shapes.str(xShape) + " to " + Shapes.str(b));
        }
        return xShape;
    }

    static Tensor where(Tensor cond, Tensor a, Tensor b) {
        int[] shape = Shapes.broadcast("where", Shapes.broadcast("where", cond.shape(), a.shape()), b.shape());
        float[] c = Pointwise.broadcastValues(cond.detach(), shape);
        float[] av = Pointwise.broadcastValues(a.detach(), shape), bv = Pointwise.broadcastValues(b.detach(), shape);
        float[] out = new float[c.length];
        for (int i = 0; i < out.length; i++) out[i] = c[i] != 0f ? av[i] : bv[i];
        Tensor y = Tensor.of(out, shape);
        int[] sa = a.shape(), sb = b.shape();
        return Tensor.record(y, "where", g -> {
            float[] gv = g.contiguous().toArray();
            float[] ga = new float[gv.length], gb = new float[gv.length];
            for (int i = 0; i < gv.length; i++) {
                if (c[i] != 0f) ga[i] = gv[i];
                else gb[i] = gv[i];
            }
            return new Tensor[] {null, Tensor.of(ga, shape).sumToShape(sa), Tensor.of(gb, shape).sumToShape(sb)};
        }, cond, a, b);
    }

    /** Picks entries index[i] along dim: out.shape[dim] = index.numel(). */
    static Tensor indexSelect(Tensor x, int dim, IntTensor index) {
        int d = Shapes.dim("index_select", dim, x.rank());
        if (index.shape().length != 1) {
            throw new ShapeException("index_select: index must be 1-D, got shape " + Shapes.str(index.shape()));
        }
        int size = x.size(d);
        for (int i : index.data()) {
            if (i < 0 || i >= size) {
                throw new ShapeException("index_select: index " + i + " is out of range for dim " + d + " of shape " + Shapes.str(x.shape()));
            }
        }
        // (outer, size, inner) -> (outer, n, inner)
        int[] shape = x.shape();
        int outer = 1, inner = 1;
        for (int i = 0; i < d; i++) outer *= shape[i];
        for (int i = d + 1; i < shape.length; i++) inner *= shape[i];
        Tensor xc = x.detach().contiguous();
        float[] a = xc.data();
        int off = xc.offset(), n = index.numel();
        int[] idx = index.data();
        float[] out = new float[outer * n * inner];
        for (int o = 0; o < outer; o++) {
            for (int k = 0; k < n; k++) {
                System.arraycopy(a, off + (o * size + idx[k]) * inner, out, (o * n + k) * inner, inner);
            }
        }
        int[] outShape = shape.clone();
        outShape[d] = n;
        Tensor y = Tensor.of(out, outShape);
        final int fOuter = outer, fInner = inner;
        return Tensor.record(y, "index_select", g -> {
            float[] gv = g.contiguous().toArray();
            float[] gx = new float[fOuter * size * fInner];
            for (int o = 0; o < fOuter; o++) {
                for (int k = 0; k < n; k++) {
                    int src = (o * n + k) * fInner, dst = (o * size + idx[k]) * fInner;
                    for (int j = 0; j < fInner; j++) gx[dst + j] += gv[src + j];
                }
            }
            return new Tensor[] {Tensor.of(gx, shape)};
        }, x);
    }

    /** out[i][j][k] = x[index[i][j][k]][j][k] for dim 0 (and likewise for other dims), as torch.gather. */
    static Tensor gather(Tensor x, int dim, IntTensor index) {
        int d = Shapes.dim("gather", dim, x.rank());
        int[] xs = x.shape(), is = index.shape();
        if (is.length != xs.length) {
            throw new ShapeException("gather: index of shape " + Shapes.str(is) + " must have the rank of input " + Shapes.str(xs));
        }
        for (int i = 0; i < xs.length; i++) {
            if (i != d && is[i] > xs[i]) {
                throw new ShapeException("gather: index shape " + Shapes.str(is) + " exceeds input shape " + Shapes.str(xs) + " at dim " + i);
            }
        }
        Tensor xc = x.detach().contiguous();
        float[] a = xc.data();
        int off = xc.offset();
        int[] xStrides = Shapes.contiguousStrides(xs);
        int n = index.numel();
        int[] srcPos = new int[n];
        int[] counter = new int[is.length];
        int[] idx = index.data();
        for (int i = 0; i < n; i++) {
            int v = idx[i];
            if (v < 0 || v >= xs[d]) {
                throw new ShapeException("gather: index " + v + " is out of range for dim " + d + " of shape " + Shapes.str(xs));
            }
            int p = 0;
            for (int k = 0; k < is.length; k++) p += (k == d ? v : counter[k]) * xStrides[k];
            srcPos[i] = p;
            for (int k = is.length - 1; k >= 0; k--) {
                if (++counter[k] < is[k]) break;
                counter[k] = 0;
            }
        }
        float[] out = new float[n];
        for (int i = 0; i < n; i++) out[i] = a[off + srcPos[i]];
        Tensor y = Tensor.of(out, is);
        return Tensor.record(y, "gather", g -> {
            float[] gv = g.contiguous().toArray();
            float[] gx = new float[Shapes.numel(xs)];
            for (int i = 0; i < n; i++) gx[srcPos[i]] += gv[i];
            return new Tensor[] {Tensor.of(gx, xs)};
        }, x);
    }

    static Tensor cat(List<Tensor> tensors, int dim) {
        if (tensors.isEmpty()) throw new ShapeException("cat: needs at least one tensor");
        Tensor first = tensors.get(0);
        int d = Shapes.dim("cat", dim, first.rank());
        int[] shape = first.shape();
        int total = 0;
        for (Tensor t : tensors) {
            int[] s = t.shape();
            boolean ok = s.length == shape.length;
            for (int i = 0; ok && i < s.length; i++) ok = i == d || s[i] == shape[i];
            if (!ok) {
                throw new ShapeException("cat: shapes " + Shapes.str(shape) + " and " + Shapes.str(s)
                        + " differ outside dim " + d);
            }
            total += s[d];
        }
        int[] outShape = shape.clone();
        outShape[d] = total;
        Tensor out = Tensor.zeros(outShape);
        int[] starts = new int[tensors.size()];
        int at = 0;
        for (int i = 0; i < tensors.size(); i++) {
            Tensor t = tensors.get(i);
            starts[i] = at;
            StridedCopy.copyInto(t.detach(), out.detach().narrow(d, at, t.size(d)));
            at += t.size(d);
        }
        Tensor[] inputs = tensors.toArray(new Tensor[0]);
        return Tensor.record(out, "cat", g -> {
            Tensor[] grads = new Tensor[inputs.length];
            for (int i = 0; i < inputs.length; i++) grads[i] = g.narrow(d, starts[i], inputs[i].size(d)).contiguous();
            return grads;
        }, inputs);
    }

    static Tensor stack(List<Tensor> tensors, int dim) {
        if (tensors.isEmpty()) throw new ShapeException("stack: needs at least one tensor");
        List<Tensor> expanded = new ArrayList<>(tensors.size());
        int[] shape = tensors.get(0).shape();
        for (Tensor t : tensors) {
            if (!java.util.Arrays.equals(t.shape(), shape)) {
                throw new ShapeException("stack: shapes " + Shapes.str(shape) + " and " + Shapes.str(t.shape()) + " differ");
            }
            expanded.add(t.unsqueeze(dim));
        }
        return cat(expanded, dim);
    }

    static List<Tensor> split(Tensor x, int splitSize, int dim) {
        int d = Shapes.dim("split", dim, x.rank());
        if (splitSize <= 0) throw new ShapeException("split: split size must be positive, got " + splitSize);
        List<Tensor> parts = new ArrayList<>();
        for (int s = 0; s < x.size(d); s += splitSize) parts.add(x.narrow(d, s, Math.min(splitSize, x.size(d) - s)));
        return parts;
    }

    static List<Tensor> chunk(Tensor x, int chunks, int dim) {
        int d = Shapes.dim("chunk", dim, x.rank());
        if (chunks <= 0) throw new ShapeException("chunk: number of chunks must be positive, got " + chunks);
        int size = (x.size(d) + chunks - 1) / chunks;
        return split(x, Math.max(1, size), d);
    }
}
