package dev.zerolm.tensor;

import dev.zerolm.autograd.Node;
import dev.zerolm.tensor.kernels.Gelu;
import dev.zerolm.tensor.kernels.GeluErf;

import java.util.Arrays;

/** Element-wise ops, NumPy broadcasting, and their gradients. */
final class Pointwise {

    private Pointwise() {}

    /** Below this many elements an op runs on the calling thread: handing work to the pool costs more. */
    static final int PARALLEL_GRAIN = 1 << 15;

    private static final double SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
    private static final double GELU_C = 0.044715;
    private static final double INV_SQRT_2 = 1 / Math.sqrt(2);
    private static final double INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

    enum Unary {
        NEG, EXP, LOG, SQRT, RSQRT, TANH, SIGMOID, RELU, SILU, ABS, GELU_TANH, GELU_ERF;

        float apply(float xf) {
            double x = xf;
            return switch (this) {
                case NEG -> -xf;
                case EXP -> (float) Math.exp(x);
                case LOG -> (float) Math.log(x);
                case SQRT -> (float) Math.sqrt(x);
                case RSQRT -> (float) (1 / Math.sqrt(x));
                case TANH -> (float) tanh(x);
                case SIGMOID -> (float) sigmoid(x);
                case RELU -> xf > 0 ? xf : 0f;
                case SILU -> (float) (x * sigmoid(x));
                case ABS -> Math.abs(xf);
                case GELU_TANH -> (float) (0.5 * x * (1 + tanh(SQRT_2_OVER_PI * (x + GELU_C * x * x * x))));
                case GELU_ERF -> (float) (0.5 * x * (1 + Erf.erf(x * INV_SQRT_2)));
            };
        }

        /** d(out)/d(in) at input x with output y. */
        float derivative(float xf, float yf) {
            double x = xf, y = yf;
            return (float) switch (this) {
                case NEG -> -1;
                case EXP -> y;
                case LOG -> 1 / x;
                case SQRT -> 0.5 / y;
                case RSQRT -> -0.5 * y * y * y;
                case TANH -> 1 - y * y;
                case SIGMOID -> y * (1 - y);
                case RELU -> x > 0 ? 1 : 0;
                case SILU -> {
                    double s = sigmoid(x);
                    yield s * (1 + x * (1 - s));
                }
                case ABS -> Math.signum(x);
                case GELU_TANH -> {
                    double u = SQRT_2_OVER_PI * (x + GELU_C * x * x * x);
                    double t = tanh(u);
                    yield 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * SQRT_2_OVER_PI * (1 + 3 * GELU_C * x * x);
                }
                case GELU_ERF -> 0.5 * (1 + Erf.erf(x * INV_SQRT_2)) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x);
            };
        }

        String opName() {
            return name().toLowerCase();
        }
    }

    enum Binary {
        ADD, SUB, MUL, DIV, POW, MAX;

        float apply(float a, float b) {
            return switch (this) {
                case ADD -> a + b;
                case SUB -> a - b;
                case MUL -> a * b;
                case DIV -> a / b;
                case POW -> (float) Math.pow(a, b);
                case MAX -> Math.max(a, b);
            };
        }

        String opName() {
            return name().toLowerCase();
        }
    }

    /** tanh through exp, which the JIT turns into an intrinsic (Math.tanh is several times slower). */
    static double tanh(double u) {
        if (u > 20) return 1;
        if (u < -20) return -1;
        if (Math.abs(u) < 1e-4) return u - u * u * u / 3; // avoids cancellation near 0
        return 1 - 2 / (Math.exp(2 * u) + 1);
    }

    static double sigmoid(double x) {
        return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
    }

    // ------------------------------------------------------------------ unary

    static Tensor unary(Unary op, Tensor x) {
        if (op == Unary.GELU_TANH || op == Unary.GELU_ERF) return gelu(op, x);
        Tensor xc = x.contiguous();
        float[] in = xc.data();
        int off = xc.offset(), n = xc.numel();
        float[] out = BufferPool.forOutput(n);
        Parallel.forRange(n, PARALLEL_GRAIN, (s, e) -> {
            for (int i = s; i < e; i++) out[i] = op.apply(in[off + i]);
        });
        Tensor y = Tensor.of(out, x.shape());
        return Tensor.record(y, op.opName(), g -> {
            Tensor gc = g.contiguous();
            float[] ga = gc.data();
            int go = gc.offset();
            float[] gx = new float[n];
            Parallel.forRange(n, PARALLEL_GRAIN, (s, e) -> {
                for (int i = s; i < e; i++) gx[i] = ga[go + i] * op.derivative(in[off + i], out[i]);
            });
            return new Tensor[] {Tensor.of(gx, x.shape())};
        }, x);
    }

    // ------------------------------------------------------------------ binary with broadcasting

    /** GELU (tanh or exact erf form) through its vector kernel, forward and backward. */
    private static Tensor gelu(Unary op, Tensor x) {
        boolean tanhForm = op == Unary.GELU_TANH;
        Tensor xc = x.contiguous();
        float[] in = xc.data();
        int off = xc.offset(), n = xc.numel();
        float[] out = BufferPool.forOutput(n);
        Parallel.forRange(n, PARALLEL_GRAIN, (s, e) -> {
            if (tanhForm) Gelu.forward(in, off + s, out, s, e - s);
            else GeluErf.forward(in, off + s, out, s, e - s);
        });
        Tensor y = Tensor.of(out, x.shape());
        return Tensor.record(y, op.opName(), g -> {
            Tensor gc = g.contiguous();
            float[] ga = gc.data();
            int go = gc.offset();
            float[] gx = BufferPool.take(n);                  // every element written below
            Parallel.forRange(n, PARALLEL_GRAIN, (s, e) -> {
                if (tanhForm) Gelu.backward(in, off + s, ga, go + s, gx, s, e - s);
                else GeluErf.backward(in, off + s, ga, go + s, gx, s, e - s);
            });
            return new Tensor[] {Tensor.of(gx, x.shape())};
        }, x);
    }

    static Tensor binary(Binary op, Tensor a, Tensor b) {
        int[] outShape = Shapes.broadcast(op.opName(), a.shape(), b.shape());
        int n = Shapes.numel(outShape);
        float[] out = BufferPool.forOutput(n);                             // every branch below writes every element
        int period = repeatingRowLength(b, outShape);
        if (period > 0 && (op == Binary.ADD || op == Binary.SUB || op == Binary.MUL)
                && Arrays.equals(a.shape(), outShape) && a.isContiguous() && a.storage().heapArray() != null) {
            // b repeats along the rows of a (a bias, a scale): read it in place instead of expanding it.
            rowBroadcast(op, a.data(), a.offset(), b.data(), b.offset(), period, out);
        } else {
            float[] av = broadcastValues(a, outShape), bv = broadcastValues(b, outShape);
            switch (op) { // the common ops get their own loops so the JIT can vectorise them
                case ADD -> Parallel.forRange(n, PARALLEL_GRAIN, (s, e) -> { for (int i = s; i < e; i++) out[i] = av[i] + bv[i]; });
                case SUB -> Parallel.forRange(n, PARALLEL_GRAIN, (s, e) -> { for (int i = s; i < e; i++) out[i] = av[i] - bv[i]; });
                case MUL -> Parallel.forRange(n, PARALLEL_GRAIN, (s, e) -> { for (int i = s; i < e; i++) out[i] = av[i] * bv[i]; });
                default -> Parallel.forRange(n, PARALLEL_GRAIN, (s, e) -> { for (int i = s; i < e; i++) out[i] = op.apply(av[i], bv[i]); });
            }
        }
        Tensor y = Tensor.of(out, outShape);
        int[] sa = a.shape(), sb = b.shape();
        // Sums and differences need no values in backward: the rule holds neither a nor b, which can then be
        // freed before backward runs (a lambda that mentions a tensor keeps its storage alive).
        boolean aNeeds = a.requiresGrad(), bNeeds = b.requiresGrad();
        Node.Backward rule = op == Binary.ADD ? g -> new Tensor[] {aNeeds ? g.sumToShape(sa) : null,
                bNeeds ? g.sumToShape(sb) : null}
                : op == Binary.SUB ? g -> new Tensor[] {aNeeds ? g.sumToShape(sa) : null,
                bNeeds ? g.neg().sumToShape(sb) : null}
                : valuedBackward(op, a, b, outShape, out);
        return Tensor.record(y, op.opName(), rule, a, b);
    }

    /** The backward rule of an op whose gradient needs the operands' values (expanded to outShape when used). */
    private static Node.Backward valuedBackward(Binary op, Tensor a, Tensor b, int[] outShape, float[] out) {
        int n = Shapes.numel(outShape);
        int[] sa = a.shape(), sb = b.shape();
        Tensor aSaved = a.detach(), bSaved = b.detach();
        boolean aNeeds = a.requiresGrad(), bNeeds = b.requiresGrad();
        return g -> {
            float[] av = broadcastValues(aSaved, outShape), bv = broadcastValues(bSaved, outShape);
            Tensor ga = null, gb = null;
            Tensor A = Tensor.of(av, outShape), B = Tensor.of(bv, outShape);
            switch (op) {
                case MUL -> { ga = g.mul(B); gb = g.mul(A); }
                case DIV -> { ga = g.div(B); gb = g.mul(Tensor.of(out, outShape)).div(B).neg(); }
                case POW -> {
                    float[] da = new float[n], db = new float[n];
                    for (int i = 0; i < n; i++) {
                        da[i] = (float) (bv[i] * Math.pow(av[i], bv[i] - 1));
                        db[i] = av[i] > 0 ? (float) (out[i] * Math.log(av[i])) : 0f;
                    }
                    ga = g.mul(Tensor.of(da, outShape));
                    gb = g.mul(Tensor.of(db, outShape));
                }
                case MAX -> {
                    float[] ma = new float[n], mb = new float[n];
                    for (int i = 0; i < n; i++) {
                        ma[i] = av[i] >= bv[i] ? 1 : 0;
                        mb[i] = 1 - ma[i];
                    }
                    ga = g.mul(Tensor.of(ma, outShape));
                    gb = g.mul(Tensor.of(mb, outShape));
                }
                default -> throw new IllegalStateException(op + " has a value-free backward");
            }
            return new Tensor[] {aNeeds ? ga.sumToShape(sa) : null, bNeeds ? gb.sumToShape(sb) : null};
        };
    }

    /**
     * The length of the row that t repeats to fill shape when t is a contiguous heap tensor whose shape is a proper
     * suffix of it (a bias (C) against (B, T, C)); 0 when it is not such a tensor.
     */
    private static int repeatingRowLength(Tensor t, int[] shape) {
        int period = t.numel();
        boolean repeats = period > 0 && period < Shapes.numel(shape) && Shapes.isTrailing(t.shape(), shape)
                && t.isContiguous() && t.storage().heapArray() != null;
        return repeats ? period : 0;
    }

    /** out[r, j] = a[r, j] op row[j] for every row r of out (period columns each). */
    private static void rowBroadcast(Binary op, float[] a, int aOff, float[] row, int rowOff, int period, float[] out) {
        int rows = out.length / period;
        Parallel.forRange(rows, Math.max(1, PARALLEL_GRAIN / period), (lo, hi) -> {
            for (int r = lo; r < hi; r++) {
                int o = r * period, ai = aOff + o;
                switch (op) {
                    case ADD -> { for (int j = 0; j < period; j++) out[o + j] = a[ai + j] + row[rowOff + j]; }
                    case SUB -> { for (int j = 0; j < period; j++) out[o + j] = a[ai + j] - row[rowOff + j]; }
                    case MUL -> { for (int j = 0; j < period; j++) out[o + j] = a[ai + j] * row[rowOff + j]; }
                    default -> throw new IllegalStateException(op + " has no row-broadcast loop");
                }
            }
        });
    }

    /** x op scalar. */
    static Tensor scalar(Binary op, Tensor x, float s) {
        Tensor xc = x.contiguous();
        float[] in = xc.data();
        int off = xc.offset(), n = xc.numel();
        float[] out = new float[n];
        switch (op) {
            case ADD -> Parallel.forRange(n, PARALLEL_GRAIN, (lo, hi) -> { for (int i = lo; i < hi; i++) out[i] = in[off + i] + s; });
            case MUL -> Parallel.forRange(n, PARALLEL_GRAIN, (lo, hi) -> { for (int i = lo; i < hi; i++) out[i] = in[off + i] * s; });
            default -> Parallel.forRange(n, PARALLEL_GRAIN, (lo, hi) -> { for (int i = lo; i < hi; i++) out[i] = op.apply(in[off + i], s); });
        }
        Tensor y = Tensor.of(out, x.shape());
        // Only POW and MAX read x in backward; the other rules must not mention it, or its values would stay alive.
        int[] shape = x.shape();
        Node.Backward rule = switch (op) {
            case ADD, SUB -> g -> new Tensor[] {g};
            case MUL -> g -> new Tensor[] {g.mul(s)};
            case DIV -> g -> new Tensor[] {g.div(s)};
            case POW -> g -> {
                float[] d = new float[n];
                for (int i = 0; i < n; i++) d[i] = (float) (s * Math.pow(in[off + i], s - 1));
                return new Tensor[] {g.mul(Tensor.of(d, shape))};
            };
            case MAX -> g -> {
                float[] d = new float[n];
                for (int i = 0; i < n; i++) d[i] = in[off + i] >= s ? 1 : 0;
                return new Tensor[] {g.mul(Tensor.of(d, shape))};
            };
        };
        return Tensor.record(y, op.opName() + "_scalar", rule, x);
    }

    /** t's values broadcast to shape, as a row-major array (t's own array when no work is needed). */
    static float[] broadcastValues(Tensor t, int[] shape) {
        int n = Shapes.numel(shape);
        if (Arrays.equals(t.shape(), shape) && t.isContiguous() && t.storage().heapArray() != null) {
            float[] a = t.data();
            if (t.offset() == 0 && a.length == n) return a;
            return Arrays.copyOfRange(a, t.offset(), t.offset() + n);
        }
        // A contiguous t whose shape is a suffix of the target repeats with period t.numel() (e.g. a bias).
        Tensor tc = t.detach();
        int period = tc.numel();
        if (Shapes.isTrailing(tc.shape(), shape) && tc.isContiguous() && tc.storage().heapArray() != null && period > 0) {
            float[] src = tc.data();
            float[] out = new float[n];
            for (int o = 0; o < n; o += period) System.arraycopy(src, tc.offset(), out, o, period);
            return out;
        }
        float[] out = new float[n];
        StridedCopy.copy(tc.expand(shape), out, 0);
        return out;
    }


    /** dst += alpha * src (src broadcast to dst's shape). dst must be a contiguous heap tensor. */
    static void addInPlace(Tensor dst, Tensor src, float alpha) {
        float[] d = dst.data();
        int off = dst.offset(), n = dst.numel();
        float[] s = broadcastValues(src, dst.shape());
        int soff = (s == src.storage().heapArray()) ? src.offset() : 0;
        Parallel.forRange(n, PARALLEL_GRAIN, (lo, hi) -> {
            if (alpha == 1f) for (int i = lo; i < hi; i++) d[off + i] += s[soff + i];
            else for (int i = lo; i < hi; i++) d[off + i] += alpha * s[soff + i];
        });
    }
}
