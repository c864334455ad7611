package dev.zerolm.tensor;

import dev.zerolm.autograd.Engine;
import dev.zerolm.autograd.GradMode;
import dev.zerolm.autograd.Node;

import java.util.Arrays;
import java.util.List;

/**
 * An n-dimensional float32 array: a {@link Storage}, an offset into it, a shape and strides (row-major when
 * contiguous). Views (transpose, narrow, expand, ...) share storage; ops return new contiguous tensors.
 * <p>Autograd is define-by-run, as in PyTorch: every op on a tensor that requires grad records a {@link Node},
 * and {@link #backward()} walks those nodes back to the leaves, accumulating into {@link #grad()}.
 */
public final class Tensor {

    private final Storage storage;
    private final int offset;
    private final int[] shape;
    private final int[] strides;

    private boolean requiresGrad;
    private boolean retainGrad;
    private Tensor grad;
    /** Runs after backward has finished this leaf's gradient (see {@link #setPostAccumulateGradHook}), or null. */
    private java.util.function.Consumer<Tensor> postAccumulateGradHook;
    private Node gradFn;

    public Tensor(Storage storage, int offset, int[] shape, int[] strides) {
        this.storage = storage;
        this.offset = offset;
        this.shape = shape;
        this.strides = strides;
    }

    // ---------------------------------------------------------------- creation

    /** A new contiguous tensor over the given array (not copied). */
    public static Tensor of(float[] data, int... shape) {
        if (Shapes.numel(shape) != data.length) {
            throw new ShapeException("Tensor.of: " + data.length + " values do not fill shape " + Shapes.str(shape));
        }
        return new Tensor(new HeapStorage(data), 0, shape.clone(), Shapes.contiguousStrides(shape));
    }

    public static Tensor scalar(float value) {
        return of(new float[] {value});
    }

    public static Tensor zeros(int... shape) {
        return of(new float[Shapes.numel(shape)], shape);
    }

    public static Tensor ones(int... shape) {
        return full(1f, shape);
    }

    public static Tensor full(float value, int... shape) {
        float[] d = new float[Shapes.numel(shape)];
        Arrays.fill(d, value);
        return of(d, shape);
    }

    public static Tensor zerosLike(Tensor t) {
        return zeros(t.shape);
    }

    /** [start, end) in steps of step, like torch.arange. */
    public static Tensor arange(float start, float end, float step) {
        if (step == 0 || (end - start) / step < 0) {
            throw new ShapeException("arange: cannot go from " + start + " to " + end + " in steps of " + step);
        }
        int n = (int) Math.ceil((end - start) / step);
        float[] d = new float[n];
        for (int i = 0; i < n; i++) d[i] = start + i * step;
        return of(d, n);
    }

    public static Tensor arange(int end) {
        return arange(0, end, 1);
    }

    /** Normal(mean, std) values drawn sequentially from rng. */
    public static Tensor randn(Rng rng, float mean, float std, int... shape) {
        float[] d = new float[Shapes.numel(shape)];
        for (int i = 0; i < d.length; i++) d[i] = (float) (mean + std * rng.nextGaussian());
        return of(d, shape);
    }

    public static Tensor randn(Rng rng, int... shape) {
        return randn(rng, 0f, 1f, shape);
    }

    /** Uniform values in [low, high) drawn sequentially from rng. */
    public static Tensor rand(Rng rng, float low, float high, int... shape) {
        float[] d = new float[Shapes.numel(shape)];
        for (int i = 0; i < d.length; i++) d[i] = low + (high - low) * rng.nextFloat();
        return of(d, shape);
    }

    // ---------------------------------------------------------------- metadata

    public int[] shape() {
        return shape.clone();
    }

    /** Size of one dim (negative counts from the end). */
    public int size(int dim) {
        return shape[Shapes.dim("size", dim, shape.length)];
    }

    public int[] strides() {
        return strides.clone();
    }

    public int rank() {
        return shape.length;
    }

    public int numel() {
        return Shapes.numel(shape);
    }

    public int offset() {
        return offset;
    }

    public Storage storage() {
        return storage;
    }

    /** True when the elements sit row-major and gap-free in storage (size-1 dims may have any stride). */
    public boolean isContiguous() {
        int expected = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] != 1 && strides[i] != expected) return false;
            expected *= shape[i];
        }
        return true;
    }

    /**
     * The backing array of a contiguous heap tensor (elements start at {@link #offset()}); kernels call
     * {@code contiguous().data()}.
     */
    public float[] data() {
        float[] a = storage.heapArray();
        if (a == null || !isContiguous()) {
            throw new IllegalStateException("data(): tensor " + Shapes.str(shape)
                    + " is not a contiguous heap tensor; call contiguous() first");
        }
        return a;
    }

    /** A copy of the elements in row-major order. */
    public float[] toArray() {
        Tensor c = contiguous();
        return Arrays.copyOfRange(c.data(), c.offset, c.offset + c.numel());
    }

    /** The element at a full index. */
    public float get(int... index) {
        return storage.get(flatOffset(index));
    }

    /** Writes one element in place (no autograd). */
    public void set(float value, int... index) {
        storage.set(flatOffset(index), value);
    }

    private int flatOffset(int[] index) {
        if (index.length != shape.length) {
            throw new ShapeException("get: index of rank " + index.length + " for a tensor of shape " + Shapes.str(shape));
        }
        int o = offset;
        for (int i = 0; i < index.length; i++) {
            if (index[i] < 0 || index[i] >= shape[i]) {
                throw new ShapeException("get: index " + Arrays.toString(index) + " is out of range for shape " + Shapes.str(shape));
            }
            o += index[i] * strides[i];
        }
        return o;
    }

    /** The single value of a one-element tensor. */
    public float item() {
        if (numel() != 1) throw new ShapeException("item: tensor of shape " + Shapes.str(shape) + " has " + numel() + " elements, not 1");
        int o = offset;
        return storage.get(o);
    }

    // ---------------------------------------------------------------- autograd

    public boolean requiresGrad() {
        return requiresGrad;
    }

    /** Marks a leaf tensor as a variable whose gradient backward() should compute. */
    public Tensor requiresGrad(boolean value) {
        if (gradFn != null && !value) {
            throw new IllegalStateException("requiresGrad(false) on a tensor computed by '" + gradFn.op() + "': use detach()");
        }
        this.requiresGrad = value;
        return this;
    }

    /** Keeps the gradient of a non-leaf tensor in {@link #grad()} (leaves always keep theirs). */
    public Tensor retainGrad() {
        this.retainGrad = true;
        if (gradFn != null) gradFn.retainGradOf(this);
        return this;
    }

    public boolean retainsGrad() {
        return retainGrad;
    }

    public Tensor grad() {
        return grad;
    }

    public void setGrad(Tensor g) {
        this.grad = g;
    }

    public Node gradFn() {
        return gradFn;
    }

    public boolean isLeaf() {
        return gradFn == null;
    }

    public void zeroGrad() {
        grad = null;
    }

    /**
     * Clears .grad and hands its array back to the gradient pool when it came from there: for a training loop that
     * owns the step, once the optimiser has applied the gradient and nothing will read it again.
     */
    public void releaseGrad() {
        if (grad != null && grad.offset == 0 && grad.isContiguous()) {
            float[] a = grad.storage().heapArray();
            if (a != null && a.length == grad.numel()) BufferPool.reclaim(a);
        }
        grad = null;
    }

    /** Adds g into .grad (allocating it on first use); gradients accumulate across backward calls. */
    public void accumulateGrad(Tensor g) {
        if (grad == null) {
            grad = g.detach().expand(shape).copy(); // a fresh buffer: the incoming gradient may be shared with other tensors
            return;
        }
        grad.addInPlace(g);
    }

    /**
     * Runs hook(this) each time a backward pass has added this leaf's complete gradient for that pass into
     * {@link #grad()} (PyTorch's register_post_accumulate_grad_hook): an optimiser can update the parameter there
     * and drop the gradient, so gradients never all exist at once. null removes the hook.
     */
    public void setPostAccumulateGradHook(java.util.function.Consumer<Tensor> hook) {
        if (gradFn != null) throw new IllegalStateException("a gradient hook goes on a leaf, not on a tensor computed by '" + gradFn.op() + "'");
        this.postAccumulateGradHook = hook;
    }

    /** Called by the autograd engine once this leaf's gradient for the current backward pass is complete. */
    public void gradAccumulated() {
        if (postAccumulateGradHook != null) postAccumulateGradHook.accept(this);
    }

    /** The same values with no graph behind them. Shares storage. */
    public Tensor detach() {
        return new Tensor(storage, offset, shape, strides);
    }

    /** Backpropagates from this scalar. */
    public void backward() {
        if (numel() != 1) {
            throw new ShapeException("backward: needs a scalar (one element) or an explicit gradient, got shape " + Shapes.str(shape));
        }
        Engine.backward(this, Tensor.ones(shape), false);
    }

    /** Backpropagates a given upstream gradient of this tensor's shape. */
    public void backward(Tensor gradient, boolean retainGraph) {
        if (!Arrays.equals(gradient.shape, shape)) {
            throw new ShapeException("backward: gradient of shape " + Shapes.str(gradient.shape)
                    + " for a tensor of shape " + Shapes.str(shape));
        }
        Engine.backward(this, gradient, retainGraph);
    }

    /**
     * Attaches a graph node to a freshly computed tensor when grad mode is on and any input requires grad.
     * Every op ends with this call.
     */
    public static Tensor record(Tensor out, String op, Node.Backward backward, Tensor... inputs) {
        if (!GradMode.isEnabled()) return out;
        boolean any = false;
        for (Tensor in : inputs) any |= in != null && in.requiresGrad;
        if (!any) return out;
        out.requiresGrad = true;
        out.gradFn = new Node(op, inputs, backward);
        return out;
    }

    /** {@link #record} for an op whose one input's gradient is sparse rows ({@link Node.ScatterBackward}). */
    public static Tensor recordScatter(Tensor out, String op, Node.ScatterBackward scatter, Tensor input) {
        if (!GradMode.isEnabled() || !input.requiresGrad) return out;
        out.requiresGrad = true;
        out.gradFn = Node.scattering(op, input, scatter);
        return out;
    }

    // ---------------------------------------------------------------- views (share storage)

    /** This tensor as a row-major contiguous one: itself when already so, else a copy. */
    public Tensor contiguous() {
        if (isContiguous() && storage.heapArray() != null) return this;
        return copy();
    }

    /** A contiguous copy (graph-connected: gradients flow back through it). */
    public Tensor copy() {
        Tensor out = zeros(shape);
        StridedCopy.copy(this, out.data(), 0);
        return record(out, "copy", g -> new Tensor[] {g}, this);
    }

    /** A new shape with the same elements; a view when strides allow, else a copy. -1 infers one dim. */
    public Tensor reshape(int... newShape) {
        int[] target = inferShape("reshape", newShape);
        Tensor src = isContiguous() ? this : contiguous();
        Tensor out = new Tensor(src.storage, src.offset, target, Shapes.contiguousStrides(target));
        final int[] from = shape;
        return record(out, "reshape", g -> new Tensor[] {g.reshape(from)}, src == this ? this : src);
    }

    /** Like reshape but refuses to copy, as torch.view does. */
    public Tensor view(int... newShape) {
        if (!isContiguous()) {
            throw new ShapeException("view: tensor of shape " + Shapes.str(shape) + " with strides " + Shapes.str(strides)
                    + " is not contiguous; use reshape() or contiguous() first");
        }
        return reshape(newShape);
    }

    private int[] inferShape(String op, int[] newShape) {
        int[] target = newShape.clone();
        int infer = -1, known = 1;
        for (int i = 0; i < target.length; i++) {
            if (target[i] == -1) {
                if (infer >= 0) throw new ShapeException(op + ": only one dim can be -1 in " + Shapes.str(newShape));
                infer = i;
            } else if (target[i] < 0) {
                throw new ShapeException(op + ": negative size in " + Shapes.str(newShape));
            } else {
                known *= target[i];
            }
        }
        int n = numel();
        if (infer >= 0) {
            if (known == 0 || n % known != 0) {
                throw new ShapeException(op + ": cannot reshape " + Shapes.str(shape) + " into " + Shapes.str(newShape));
            }
            target[infer] = n / known;
        }
        if (Shapes.numel(target) != n) {
            throw new ShapeException(op + ": cannot reshape " + Shapes.str(shape) + " (" + n + " elements) into "
                    + Shapes.str(newShape));
        }
        return target;
    }

    /** Swaps two dims (a view). */
    public Tensor transpose(int dim0, int dim1) {
        int a = Shapes.dim("transpose", dim0, rank()), b = Shapes.dim("transpose", dim1, rank());
        int[] perm = new int[rank()];
        for (int i = 0; i < perm.length; i++) perm[i] = i;
        perm[a] = b;
        perm[b] = a;
        return permute(perm);
    }

    /** Reorders dims (a view): out.shape[i] = shape[perm[i]]. */
    public Tensor permute(int... perm) {
        if (perm.length != rank()) {
            throw new ShapeException("permute: " + perm.length + " dims given for a tensor of shape " + Shapes.str(shape));
        }
        int[] ns = new int[perm.length], nst = new int[perm.length], inverse = new int[perm.length];
        boolean[] seen = new boolean[perm.length];
        for (int i = 0; i < perm.length; i++) {
            int p = Shapes.dim("permute", perm[i], rank());
            if (seen[p]) throw new ShapeException("permute: dim " + p + " repeated in " + Arrays.toString(perm));
            seen[p] = true;
            ns[i] = shape[p];
            nst[i] = strides[p];
            inverse[p] = i;
        }
        Tensor out = new Tensor(storage, offset, ns, nst);
        return record(out, "permute", g -> new Tensor[] {g.permute(inverse)}, this);
    }

    /** The 2-D transpose of a matrix (a view). */
    public Tensor t() {
        if (rank() != 2) throw new ShapeException("t: expects a 2-D tensor, got shape " + Shapes.str(shape));
        return transpose(0, 1);
    }

    /** Elements [start, start+length) along dim (a view), like torch.narrow. */
    public Tensor narrow(int dim, int start, int length) {
        int d = Shapes.dim("narrow", dim, rank());
        if (start < 0 || length < 0 || start + length > shape[d]) {
            throw new ShapeException("narrow: range [" + start + ", " + (start + length) + ") is out of bounds for dim "
                    + d + " of shape " + Shapes.str(shape));
        }
        int[] ns = shape.clone();
        ns[d] = length;
        Tensor out = new Tensor(storage, offset + start * strides[d], ns, strides);
        final int[] full = shape;
        return record(out, "narrow", g -> {
            Tensor gin = zeros(full);
            StridedCopy.copyInto(g, gin.narrowNoGrad(d, start, length));
            return new Tensor[] {gin};
        }, this);
    }

    private Tensor narrowNoGrad(int d, int start, int length) {
        int[] ns = shape.clone();
        ns[d] = length;
        return new Tensor(storage, offset + start * strides[d], ns, strides);
    }

    /** Python-style slice [start, end) along dim; negative bounds count from the end. */
    public Tensor slice(int dim, int start, int end) {
        int d = Shapes.dim("slice", dim, rank());
        int s = start < 0 ? start + shape[d] : start;
        int e = end < 0 ? end + shape[d] : Math.min(end, shape[d]);
        return narrow(d, s, Math.max(0, e - s));
    }

    /** The sub-tensor at position index of dim 0 (a view of rank-1). */
    public Tensor select(int dim, int index) {
        int d = Shapes.dim("select", dim, rank());
        if (index < 0 || index >= shape[d]) {
            throw new ShapeException("select: index " + index + " is out of range for dim " + d + " of shape " + Shapes.str(shape));
        }
        return narrow(d, index, 1).squeeze(d);
    }

    /** Broadcasts size-1 dims (and new leading dims) to the given shape without copying (stride 0). */
    public Tensor expand(int... newShape) {
        if (newShape.length < rank()) {
            throw new ShapeException("expand: cannot expand shape " + Shapes.str(shape) + " to fewer dims " + Shapes.str(newShape));
        }
        int lead = newShape.length - rank();
        int[] ns = new int[newShape.length], nst = new int[newShape.length];
        for (int i = 0; i < newShape.length; i++) {
            int target = newShape[i];
            if (i < lead) {
                if (target < 0) throw new ShapeException("expand: new leading dim cannot be -1 in " + Shapes.str(newShape));
                ns[i] = target;
                nst[i] = 0;
                continue;
            }
            int cur = shape[i - lead];
            if (target == -1 || target == cur) {
                ns[i] = cur;
                nst[i] = strides[i - lead];
            } else if (cur == 1) {
                ns[i] = target;
                nst[i] = 0;
            } else {
                throw new ShapeException("expand: cannot expand shape " + Shapes.str(shape) + " to " + Shapes.str(newShape));
            }
        }
        if (Arrays.equals(ns, shape)) return this;
        Tensor out = new Tensor(storage, offset, ns, nst);
        final int[] from = shape;
        return record(out, "expand", g -> new Tensor[] {g.sumToShape(from)}, this);
    }

    /** Removes a size-1 dim. */
    public Tensor squeeze(int dim) {
        int d = Shapes.dim("squeeze", dim, rank());
        if (shape[d] != 1) return this;
        int[] ns = new int[rank() - 1], nst = new int[rank() - 1];
        for (int i = 0, j = 0; i < rank(); i++) {
            if (i == d) continue;
            ns[j] = shape[i];
            nst[j++] = strides[i];
        }
        Tensor out = new Tensor(storage, offset, ns, nst);
        final int[] from = shape;
        return record(out, "squeeze", g -> new Tensor[] {g.reshape(from)}, this);
    }

    /** Inserts a size-1 dim at position dim (0..rank). */
    public Tensor unsqueeze(int dim) {
        int d = dim < 0 ? dim + rank() + 1 : dim;
        if (d < 0 || d > rank()) {
            throw new ShapeException("unsqueeze: dim " + dim + " is out of range for a tensor of rank " + rank());
        }
        int[] ns = new int[rank() + 1], nst = new int[rank() + 1];
        for (int i = 0, j = 0; i < ns.length; i++) {
            if (i == d) {
                ns[i] = 1;
                nst[i] = (j < rank() ? strides[j] * shape[j] : 1);
            } else {
                ns[i] = shape[j];
                nst[i] = strides[j++];
            }
        }
        Tensor out = new Tensor(storage, offset, ns, nst);
        final int[] from = shape;
        return record(out, "unsqueeze", g -> new Tensor[] {g.reshape(from)}, this);
    }

    /** Sums broadcast dims away so a gradient matches the shape of the tensor it belongs to. */
    public Tensor sumToShape(int[] target) {
        if (Arrays.equals(shape, target)) return this;
        if (!(requiresGrad && GradMode.isEnabled()) && target.length <= shape.length && Shapes.isTrailing(target, shape)
                && isContiguous() && storage.heapArray() != null) {
            return Reduce.sumRows(this, target);   // a bias gradient: one pass down the rows, no permuted copy
        }
        int lead = rank() - target.length;
        if (lead < 0) throw new ShapeException("sumToShape: cannot reduce " + Shapes.str(shape) + " to " + Shapes.str(target));
        Tensor r = this;
        for (int i = 0; i < lead; i++) r = r.sum(0, false);
        for (int i = 0; i < target.length; i++) {
            if (target[i] == 1 && r.shape[i] != 1) r = r.sum(i, true);
            else if (target[i] != r.shape[i]) {
                throw new ShapeException("sumToShape: cannot reduce " + Shapes.str(shape) + " to " + Shapes.str(target));
            }
        }
        return r;
    }

    // ---------------------------------------------------------------- element-wise math (broadcasting)

    public Tensor add(Tensor other) { return Pointwise.binary(Pointwise.Binary.ADD, this, other); }
    public Tensor sub(Tensor other) { return Pointwise.binary(Pointwise.Binary.SUB, this, other); }
    public Tensor mul(Tensor other) { return Pointwise.binary(Pointwise.Binary.MUL, this, other); }
    public Tensor div(Tensor other) { return Pointwise.binary(Pointwise.Binary.DIV, this, other); }
    public Tensor pow(Tensor exponent) { return Pointwise.binary(Pointwise.Binary.POW, this, exponent); }
    public Tensor maximum(Tensor other) { return Pointwise.binary(Pointwise.Binary.MAX, this, other); }

    public Tensor add(float s) { return Pointwise.scalar(Pointwise.Binary.ADD, this, s); }
    public Tensor sub(float s) { return Pointwise.scalar(Pointwise.Binary.SUB, this, s); }
    public Tensor mul(float s) { return Pointwise.scalar(Pointwise.Binary.MUL, this, s); }
    public Tensor div(float s) { return Pointwise.scalar(Pointwise.Binary.DIV, this, s); }
    public Tensor pow(float s) { return Pointwise.scalar(Pointwise.Binary.POW, this, s); }

    public Tensor neg() { return Pointwise.unary(Pointwise.Unary.NEG, this); }
    public Tensor exp() { return Pointwise.unary(Pointwise.Unary.EXP, this); }
    public Tensor log() { return Pointwise.unary(Pointwise.Unary.LOG, this); }
    public Tensor sqrt() { return Pointwise.unary(Pointwise.Unary.SQRT, this); }
    public Tensor rsqrt() { return Pointwise.unary(Pointwise.Unary.RSQRT, this); }
    public Tensor tanh() { return Pointwise.unary(Pointwise.Unary.TANH, this); }
    public Tensor sigmoid() { return Pointwise.unary(Pointwise.Unary.SIGMOID, this); }
    public Tensor relu() { return Pointwise.unary(Pointwise.Unary.RELU, this); }
    public Tensor silu() { return Pointwise.unary(Pointwise.Unary.SILU, this); }
    public Tensor abs() { return Pointwise.unary(Pointwise.Unary.ABS, this); }
    /** GELU with the tanh approximation (GPT-2's). */
    public Tensor gelu() { return Pointwise.unary(Pointwise.Unary.GELU_TANH, this); }
    /** GELU with the exact erf form (BERT's). */
    public Tensor geluExact() { return Pointwise.unary(Pointwise.Unary.GELU_ERF, this); }

    /** this += other (broadcast), in place, outside autograd: for optimisers and gradient accumulation. */
    public void addInPlace(Tensor other) {
        Pointwise.addInPlace(this, other, 1f);
    }

    /** this += alpha * other, in place, outside autograd. */
    public void addInPlace(Tensor other, float alpha) {
        Pointwise.addInPlace(this, other, alpha);
    }

    /** Copies other's values into this tensor (broadcasting), outside autograd. */
    public void copyFrom(Tensor other) {
        StridedCopy.copyInto(other.detach().expand(shape), this);
    }

    /** Sets every element to value, in place, outside autograd. */
    public void fill(float value) {
        if (isContiguous() && storage.heapArray() != null) {
            Arrays.fill(storage.heapArray(), offset, offset + numel(), value);
        } else {
            StridedCopy.copyInto(full(value, shape), this);
        }
    }

    // ---------------------------------------------------------------- reductions

    public Tensor sum() { return Reduce.sumAll(this); }
    public Tensor mean() { return sum().div(numel()); }
    public Tensor sum(int dim, boolean keepDim) { return Reduce.reduce(Reduce.Kind.SUM, this, new int[] {dim}, keepDim, 0); }
    public Tensor sum(int[] dims, boolean keepDim) { return Reduce.reduce(Reduce.Kind.SUM, this, dims, keepDim, 0); }
    public Tensor mean(int dim, boolean keepDim) { return Reduce.reduce(Reduce.Kind.MEAN, this, new int[] {dim}, keepDim, 0); }
    public Tensor mean(int[] dims, boolean keepDim) { return Reduce.reduce(Reduce.Kind.MEAN, this, dims, keepDim, 0); }
    public Tensor max(int dim, boolean keepDim) { return Reduce.reduce(Reduce.Kind.MAX, this, new int[] {dim}, keepDim, 0); }
    /** Variance over dim with the given correction (1 = unbiased, 0 = biased), like torch.var. */
    public Tensor var(int dim, boolean keepDim, int correction) {
        return Reduce.reduce(Reduce.Kind.VAR, this, new int[] {dim}, keepDim, correction);
    }
    public Tensor var(int[] dims, boolean keepDim, int correction) { return Reduce.reduce(Reduce.Kind.VAR, this, dims, keepDim, correction); }
    /** Index of the largest element along dim (first one on ties). */
    public IntTensor argmax(int dim, boolean keepDim) { return Reduce.argmax(this, dim, keepDim); }
    public float maxAll() { return Reduce.maxAll(this); }

    // ---------------------------------------------------------------- linear algebra and nn ops

    /** Matrix product: 2-D, batched N-D with broadcast batch dims, and 1-D vectors as in torch.matmul. */
    public Tensor matmul(Tensor other) { return MatMul.matmul(this, other); }

    public Tensor softmax(int dim) { return NNOps.softmax(this, dim); }
    public Tensor logSoftmax(int dim) { return NNOps.logSoftmax(this, dim); }

    /** Replaces elements where mask is non-zero (mask broadcasts to this shape). */
    public Tensor maskedFill(Tensor mask, float value) { return Indexing.maskedFill(this, mask, value); }

    /** cond != 0 ? a : b, element-wise with broadcasting. */
    public static Tensor where(Tensor cond, Tensor a, Tensor b) { return Indexing.where(cond, a, b); }

    public Tensor indexSelect(int dim, IntTensor index) { return Indexing.indexSelect(this, dim, index); }
    public Tensor gather(int dim, IntTensor index) { return Indexing.gather(this, dim, index); }

    public static Tensor cat(List<Tensor> tensors, int dim) { return Indexing.cat(tensors, dim); }
    public static Tensor stack(List<Tensor> tensors, int dim) { return Indexing.stack(tensors, dim); }
    /** Pieces of splitSize along dim (the last may be smaller); views. */
    public List<Tensor> split(int splitSize, int dim) { return Indexing.split(this, splitSize, dim); }
    /** chunks near-equal pieces along dim; views. */
    public List<Tensor> chunk(int chunks, int dim) { return Indexing.chunk(this, chunks, dim); }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Tensor").append(Shapes.str(shape));
        if (numel() <= 16) sb.append(' ').append(Arrays.toString(toArray()));
        if (gradFn != null) sb.append(" gradFn=").append(gradFn.op());
        else if (requiresGrad) sb.append(" requiresGrad");
        return sb.toString();
    }
}
