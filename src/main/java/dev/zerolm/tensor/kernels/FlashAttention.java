package dev.zerolm.tensor.kernels;

import dev.zerolm.tensor.BufferPool;
import dev.zerolm.tensor.Parallel;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Fused attention, out = softmax(scale · Q Kᵀ) V, in the FlashAttention-2 style: queries and keys are walked in
 * tiles and the softmax is computed online, so no (Tq, Tk) score matrix is ever held, forward or backward, and
 * memory grows linearly with the sequence length. The forward pass keeps only each query row's logsumexp L; the
 * backward pass recomputes the scores of one tile at a time from it:
 *
 * <pre>
 * forward, per query tile i:              backward, per (query tile i, key tile j):
 *   for key tile j:                         S  = scale · Q_i K_jᵀ
 *     S = scale · Q_i K_jᵀ                  P  = exp(S − L_i)
 *     m' = max(m, rowmax S)                 dV_j += Pᵀ dO_i
 *     P = exp(S − m')                       dP = dO_i V_jᵀ
 *     l = l · exp(m − m') + rowsum P        dS = P ∘ (dP − D_i),  D = rowsum(dO ∘ O)
 *     O = O · exp(m − m') + P V_j           dQ_i += scale · dS K_j
 *   O /= l,  L = m + log l                  dK_j += scale · dSᵀ Q_i
 * </pre>
 *
 * Arrays are (heads, T, hs) row-major with heads = B·nh. With {@code causal}, the Tq queries are the last
 * positions [Tk − Tq, Tk) of the key sequence (Tq = Tk in training, Tq &lt; Tk when decoding after a KV cache),
 * each sees only keys at or before its own position, and key tiles wholly in a query tile's future are skipped.
 * Each query row and each key row is owned by exactly one task and summed in a fixed order, so results are the
 * same bits whatever the thread count.
 */
public final class FlashAttention {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    /** Floats per vector register: 16 with AVX-512, 8 with AVX2. */
    private static final int LANES = SPECIES.length();

    /** Queries per tile: a tile's (64, hs) rows of Q, dO and the output stay in L1/L2 while keys stream by. */
    static final int BLOCK_Q = 64;
    /** Keys per tile: the (64, 64) score tile is 16 KiB. A multiple of every vector length. */
    static final int BLOCK_K = 64;
    /** Below this much work (in flops) a thread is not worth waking. */
    private static final long MIN_FLOPS_PER_WORKER = 1L << 20;

    private FlashAttention() {}

    /** The shape of one call: {@code heads} independent problems of Tq queries over Tk keys, hs wide. */
    public record Dims(int heads, int queries, int keys, int headSize) {
        public Dims {
            if (heads < 0 || queries < 0 || keys < 1 || headSize < 1) {
                throw new IllegalArgumentException("flash attention: heads " + heads + ", queries " + queries
                        + ", keys " + keys + ", head size " + headSize + " (need at least one key and one dim)");
            }
        }

        int queryTiles() {
            return ceilDiv(queries, BLOCK_Q);
        }

        int keyTiles() {
            return ceilDiv(keys, BLOCK_K);
        }

        /**
         * Keys per head in the transposed copies of K and V: rounded up to whole vectors (zero padded), then to an odd
         * number of vectors, so the hs rows a tile reads do not all land in the same L1 sets (with T = 4096 a
         * power-of-two row stride of 16 KiB put every row of a tile in one 12-way set).
         */
        int paddedKeys() {
            int vectors = ceilDiv(keys, LANES);
            return (vectors | 1) * LANES;
        }
    }

    /** The forward result: out (heads, Tq, hs) and each query row's logsumexp of its scores (heads, Tq). */
    public record Forward(float[] out, float[] logSumExp) {}

    /** Gradients of the loss with respect to q (heads, Tq, hs), k and v (heads, Tk, hs). */
    public record Gradients(float[] dq, float[] dk, float[] dv) {}

    /** out = softmax(scale · q kᵀ) v; q (heads, Tq, hs), k and v (heads, Tk, hs), all row-major from index 0. */
    public static Forward forward(float[] q, float[] k, float[] v, Dims dims, boolean causal, float scale) {
        checkInputs("forward", q, k, v, dims, causal);
        int hs = dims.headSize(), Tq = dims.queries();
        // Pooled when recycling is on (each tile zeroes its own rows of out; every lse is written): the caller gives them
        // back when nothing will read them.
        float[] out = BufferPool.forOutput(dims.heads() * Tq * hs);
        float[] lse = BufferPool.forOutput(dims.heads() * Tq);
        float[] kT = transposePadded(k, dims);
        int tiles = dims.queryTiles();
        // Causal tiles late in the sequence see the most keys: hand those out first so the threads finish together.
        long tileFlops = 4L * Math.min(BLOCK_Q, Tq) * dims.keys() * hs;  // S and P V for one tile, at most
        forEachTask(dims.heads() * tiles, tileFlops, (task, scratch) -> {
            int head = task % dims.heads(), tile = causal ? tiles - 1 - task / dims.heads() : task / dims.heads();
            forwardTile(head, tile * BLOCK_Q, q, kT, v, out, lse, dims, causal, scale, scratch);
        });
        BufferPool.give(kT);
        return new Forward(out, lse);
    }

    /**
     * The gradients of q, k and v given dOut (heads, Tq, hs) and the forward pass's out and logSumExp. Key tiles
     * own dK and dV, query tiles own dQ: with many heads one task takes a whole head and computes all three in one
     * sweep; with fewer heads than threads can share, a key-tile sweep (dK, dV) and a query-tile sweep (dQ) run
     * separately, recomputing the scores once more. Both orders give the same bits.
     */
    public static Gradients backward(float[] q, float[] k, float[] v, float[] out, float[] dOut, float[] logSumExp,
                                     Dims dims, boolean causal, float scale) {
        checkInputs("backward", q, k, v, dims, causal);
        int rows = dims.heads() * dims.queries(), hs = dims.headSize();
        checkLength("backward", "out", out, rows * hs, dims);
        checkLength("backward", "dOut", dOut, rows * hs, dims);
        checkLength("backward", "logSumExp", logSumExp, rows, dims);
        // Gradient arrays, so callers done with them (or the autograd engine) can hand them back for reuse.
        float[] dq = zeroedGradient(q.length), dk = zeroedGradient(k.length), dv = zeroedGradient(v.length);
        float[] kT = transposePadded(k, dims), vT = transposePadded(v, dims);
        Backward b = new Backward(q, k, v, dOut, logSumExp, rowDots(dOut, out, rows, hs), kT, vT, dq, dk, dv, dims, causal, scale);
        int heads = dims.heads(), threads = Parallel.threads();
        long pairFlops = 10L * hs;                                     // S, dV, dP, dQ, dK per (query, key) pair
        if (threads == 1 || heads >= 2 * threads) {
            forEachTask(heads, pairFlops * dims.queries() * dims.keys(), (head, scratch) -> {
                for (int kt = 0; kt < dims.keyTiles(); kt++) b.keyTile(head, kt, true, scratch);
            });
        } else {
            int keyTiles = dims.keyTiles(), queryTiles = dims.queryTiles();
            // Causal: early key tiles are seen by the most queries, late query tiles see the most keys.
            forEachTask(heads * keyTiles, pairFlops * dims.queries() * Math.min(BLOCK_K, dims.keys()), (task, scratch) ->
                    b.keyTile(task % heads, task / heads, false, scratch));
            forEachTask(heads * queryTiles, pairFlops * Math.min(BLOCK_Q, dims.queries()) * dims.keys(), (task, scratch) ->
                    b.queryTile(task % heads, causal ? queryTiles - 1 - task / heads : task / heads, scratch));
        }
        BufferPool.give(kT);
        BufferPool.give(vT);
        BufferPool.give(b.rowDots());
        return new Gradients(dq, dk, dv);
    }

    // ------------------------------------------------------------------ forward

    /** One query tile of one head: streams the visible key tiles through an online softmax. */
    private static void forwardTile(int head, int i0, float[] q, float[] kT, float[] v, float[] out, float[] lse,
                                    Dims dims, boolean causal, float scale, Scratch s) {
        int Tq = dims.queries(), Tk = dims.keys(), hs = dims.headSize(), kPad = dims.paddedKeys();
        int nq = Math.min(BLOCK_Q, Tq - i0), firstPos = Tk - Tq;
        int qBase = (head * Tq + i0) * hs, kTBase = head * hs * kPad, vBase = head * Tk * hs;
        float[] p = s.scores, m = s.rowMax, l = s.rowSum;
        Arrays.fill(out, qBase, qBase + nq * hs, 0f);         // O accumulates from zero; the array may be recycled
        Arrays.fill(m, 0, nq, Float.NEGATIVE_INFINITY);
        Arrays.fill(l, 0, nq, 0f);
        int keyEnd = causal ? firstPos + i0 + nq : Tk;  // the last query of the tile sees keys [0, keyEnd)
        for (int j0 = 0; j0 < keyEnd; j0 += BLOCK_K) {
            int nk = Math.min(BLOCK_K, Tk - j0), width = roundUpToVector(nk);
            dotProducts(nq, width, hs, scale, q, qBase, hs, kT, kTBase + j0, kPad, p, BLOCK_K);  // S (nq, nk)
            for (int r = 0; r < nq; r++) {
                int row = r * BLOCK_K;
                int visible = causal ? Math.min(nk, firstPos + i0 + r + 1 - j0) : nk;
                if (visible <= 0) {                                   // this row's keys all lie in its future
                    Arrays.fill(p, row, row + width, 0f);
                    continue;
                }
                float mNew = Math.max(m[r], rowMax(p, row, visible));
                float correction = (float) Math.exp(m[r] - mNew);    // 0 on the first visible tile (m = -inf)
                l[r] = l[r] * correction + expInPlace(p, row, visible, width, mNew, s.lanes);
                if (correction != 1f) scaleRow(out, qBase + r * hs, hs, correction);
                m[r] = mNew;
            }
            accumulate(nq, nk, hs, 1f, p, 0, BLOCK_K, 1, v, vBase + j0 * hs, hs, out, qBase, hs);  // O += P V_j
        }
        for (int r = 0; r < nq; r++) {
            scaleRow(out, qBase + r * hs, hs, 1f / l[r]);
            lse[head * Tq + i0 + r] = m[r] + (float) Math.log(l[r]);
        }
    }

    // ------------------------------------------------------------------ backward

    /** The inputs, outputs and precomputed rows of one backward call, shared by its tile tasks. */
    private record Backward(float[] q, float[] k, float[] v, float[] dOut, float[] lse, float[] rowDots,
                            float[] kT, float[] vT, float[] dq, float[] dk, float[] dv,
                            Dims dims, boolean causal, float scale) {

        /** Key tile kt against every query tile that sees it: dK and dV of those keys, plus dQ when withDq. */
        void keyTile(int head, int kt, boolean withDq, Scratch s) {
            int j0 = kt * BLOCK_K, firstPos = dims.keys() - dims.queries();
            int firstQuery = causal ? Math.max(0, j0 - firstPos) : 0;   // queries before it see none of these keys
            for (int qt = firstQuery / BLOCK_Q; qt < dims.queryTiles(); qt++) tile(head, qt, kt, withDq, true, s);
        }

        /** Query tile qt against every key tile it sees: dQ of those queries. */
        void queryTile(int head, int qt, Scratch s) {
            int i0 = qt * BLOCK_Q, nq = Math.min(BLOCK_Q, dims.queries() - i0);
            int keyEnd = causal ? dims.keys() - dims.queries() + i0 + nq : dims.keys();
            for (int kt = 0; kt * BLOCK_K < keyEnd; kt++) tile(head, qt, kt, true, false, s);
        }

        /** Recomputes the probabilities of one (query tile, key tile) pair and adds its share of the gradients. */
        void tile(int head, int qt, int kt, boolean withDq, boolean withDkDv, Scratch s) {
            int Tq = dims.queries(), Tk = dims.keys(), hs = dims.headSize(), kPad = dims.paddedKeys();
            int i0 = qt * BLOCK_Q, j0 = kt * BLOCK_K, firstPos = Tk - Tq;
            int nq = Math.min(BLOCK_Q, Tq - i0), nk = Math.min(BLOCK_K, Tk - j0), width = roundUpToVector(nk);
            int qBase = (head * Tq + i0) * hs, kBase = (head * Tk + j0) * hs, kTBase = head * hs * kPad + j0;
            int rowBase = head * Tq + i0;
            float[] p = s.scores, ds = s.scoreGrads;
            dotProducts(nq, width, hs, scale, q, qBase, hs, kT, kTBase, kPad, p, BLOCK_K);          // S
            for (int r = 0; r < nq; r++) {                                                        // P = exp(S - L)
                int visible = causal ? Math.min(nk, firstPos + i0 + r + 1 - j0) : nk;
                int row = r * BLOCK_K;
                if (visible <= 0) Arrays.fill(p, row, row + width, 0f);
                else expInPlace(p, row, visible, width, lse[rowBase + r], null);   // the backward needs P, not its sum
            }
            if (withDkDv) accumulate(nk, nq, hs, 1f, p, 0, 1, BLOCK_K, dOut, qBase, hs, dv, kBase, hs); // dV += Pᵀ dO
            dotProducts(nq, width, hs, 1f, dOut, qBase, hs, vT, kTBase, kPad, ds, BLOCK_K);         // dP = dO Vᵀ
            for (int r = 0; r < nq; r++) softmaxGrad(p, ds, r * BLOCK_K, width, rowDots[rowBase + r]); // dS
            if (withDq) accumulate(nq, nk, hs, scale, ds, 0, BLOCK_K, 1, k, kBase, hs, dq, qBase, hs);     // dQ += dS K
            if (withDkDv) accumulate(nk, nq, hs, scale, ds, 0, 1, BLOCK_K, q, qBase, hs, dk, kBase, hs);   // dK += dSᵀ Q
        }
    }

    /** An array of n zeros from {@link BufferPool} (the sweeps add into it). */
    private static float[] zeroedGradient(int n) {
        float[] a = BufferPool.take(n);
        Parallel.forRange(n, 1 << 15, (lo, hi) -> Arrays.fill(a, lo, hi, 0f));
        return a;
    }

    /** D = rowsum(dO ∘ O) for every query row: the softmax gradient's correction term, Σ_j P_ij dP_ij. */
    private static float[] rowDots(float[] dOut, float[] out, int rows, int hs) {
        float[] d = BufferPool.take(rows);                       // every row written; given back after the sweeps
        Parallel.forRange(rows, Math.max(1, 4096 / hs), (lo, hi) -> {
            for (int r = lo; r < hi; r++) d[r] = dot(dOut, out, r * hs, hs);
        });
        return d;
    }

    // ------------------------------------------------------------------ scheduling

    /** Each thread's tile buffers, kept between calls (a task never starts another forEachTask). */
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /** Per-thread tile buffers: the (BLOCK_Q, BLOCK_K) scores or probabilities, their gradients, row statistics. */
    private static final class Scratch {
        final float[] scores = new float[BLOCK_Q * BLOCK_K];
        final float[] scoreGrads = new float[BLOCK_Q * BLOCK_K];
        final float[] rowMax = new float[BLOCK_Q];
        final float[] rowSum = new float[BLOCK_Q];
        final float[] lanes = new float[LANES];
    }

    @FunctionalInterface
    private interface Task {
        void run(int task, Scratch scratch);
    }

    /**
     * Runs tasks [0, count) on the shared pool, each worker pulling the next task from a counter, so uneven
     * (causal) tiles still keep every thread busy. Tasks write disjoint rows, so the schedule cannot change results.
     */
    private static void forEachTask(int count, long flopsPerTask, Task task) {
        AtomicInteger next = new AtomicInteger();
        long worthWaking = Math.max(1, count * flopsPerTask / MIN_FLOPS_PER_WORKER);
        int workers = (int) Math.min(Math.min(count, Parallel.threads()), worthWaking);
        Parallel.forRange(workers, 1, (lo, hi) -> {
            Scratch scratch = SCRATCH.get();
            for (int t; (t = next.getAndIncrement()) < count; ) task.run(t, scratch);
        });
    }

    // ------------------------------------------------------------------ tile kernels

    /**
     * out[r, c] = alpha · Σ_d a[r, d] · bT[d, c] for r &lt; rows, c &lt; width (a multiple of the vector length):
     * row r of a at aOff + r·lda, row d of bT at bTOff + d·ldb. Four rows by two vectors of columns at a time.
     */
    static void dotProducts(int rows, int width, int depth, float alpha, float[] a, int aOff, int lda,
                            float[] bT, int bTOff, int ldb, float[] out, int ldo) {
        int r = 0;
        for (; r + 4 <= rows; r += 4) {
            int a0 = aOff + r * lda, a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda;
            int c = 0;
            for (; c + 2 * LANES <= width; c += 2 * LANES) {
                FloatVector s00 = FloatVector.zero(SPECIES), s01 = s00, s10 = s00, s11 = s00;
                FloatVector s20 = s00, s21 = s00, s30 = s00, s31 = s00;
                for (int d = 0, b = bTOff + c; d < depth; d++, b += ldb) {
                    FloatVector b0 = FloatVector.fromArray(SPECIES, bT, b);
                    FloatVector b1 = FloatVector.fromArray(SPECIES, bT, b + LANES);
                    FloatVector x = FloatVector.broadcast(SPECIES, a[a0 + d]);
                    s00 = b0.fma(x, s00);
                    s01 = b1.fma(x, s01);
                    x = FloatVector.broadcast(SPECIES, a[a1 + d]);
                    s10 = b0.fma(x, s10);
                    s11 = b1.fma(x, s11);
                    x = FloatVector.broadcast(SPECIES, a[a2 + d]);
                    s20 = b0.fma(x, s20);
                    s21 = b1.fma(x, s21);
                    x = FloatVector.broadcast(SPECIES, a[a3 + d]);
                    s30 = b0.fma(x, s30);
                    s31 = b1.fma(x, s31);
                }
                int o = r * ldo + c;
                s00.mul(alpha).intoArray(out, o);
                s01.mul(alpha).intoArray(out, o + LANES);
                s10.mul(alpha).intoArray(out, o + ldo);
                s11.mul(alpha).intoArray(out, o + ldo + LANES);
                s20.mul(alpha).intoArray(out, o + 2 * ldo);
                s21.mul(alpha).intoArray(out, o + 2 * ldo + LANES);
                s30.mul(alpha).intoArray(out, o + 3 * ldo);
                s31.mul(alpha).intoArray(out, o + 3 * ldo + LANES);
            }
            for (; c < width; c += LANES) {
                FloatVector s0 = FloatVector.zero(SPECIES), s1 = s0, s2 = s0, s3 = s0;
                for (int d = 0, b = bTOff + c; d < depth; d++, b += ldb) {
                    FloatVector bv = FloatVector.fromArray(SPECIES, bT, b);
                    s0 = bv.fma(FloatVector.broadcast(SPECIES, a[a0 + d]), s0);
                    s1 = bv.fma(FloatVector.broadcast(SPECIES, a[a1 + d]), s1);
                    s2 = bv.fma(FloatVector.broadcast(SPECIES, a[a2 + d]), s2);
                    s3 = bv.fma(FloatVector.broadcast(SPECIES, a[a3 + d]), s3);
                }
                int o = r * ldo + c;
                s0.mul(alpha).intoArray(out, o);
                s1.mul(alpha).intoArray(out, o + ldo);
                s2.mul(alpha).intoArray(out, o + 2 * ldo);
                s3.mul(alpha).intoArray(out, o + 3 * ldo);
            }
        }
        for (; r < rows; r++) {
            int a0 = aOff + r * lda;
            for (int c = 0; c < width; c += LANES) {
                FloatVector s0 = FloatVector.zero(SPECIES);
                for (int d = 0, b = bTOff + c; d < depth; d++, b += ldb) {
                    s0 = FloatVector.fromArray(SPECIES, bT, b).fma(FloatVector.broadcast(SPECIES, a[a0 + d]), s0);
                }
                s0.mul(alpha).intoArray(out, r * ldo + c);
            }
        }
    }

    /**
     * out[o, :] += alpha · Σ_n a(o, n) · x[n, :] for o &lt; outRows, n &lt; depth, over width columns:
     * a(o, n) = a[aOff + o·aRowStride + n·aDepthStride] (strides let a be read transposed), row n of x at
     * xOff + n·ldx, row o of out at outOff + o·ldo. Four output rows by two vectors of columns at a time.
     */
    static void accumulate(int outRows, int depth, int width, float alpha, float[] a, int aOff, int aRowStride,
                           int aDepthStride, float[] x, int xOff, int ldx, float[] out, int outOff, int ldo) {
        int o = 0;
        for (; o + 4 <= outRows; o += 4) {
            int r0 = aOff + o * aRowStride, r1 = r0 + aRowStride, r2 = r1 + aRowStride, r3 = r2 + aRowStride;
            int y0 = outOff + o * ldo, y1 = y0 + ldo, y2 = y1 + ldo, y3 = y2 + ldo;
            int c = 0;
            for (; c + 2 * LANES <= width; c += 2 * LANES) {
                // Sums of unscaled products in fresh registers (a broadcast straight from memory), scaled once at the end.
                FloatVector s00 = FloatVector.zero(SPECIES), s01 = s00, s10 = s00, s11 = s00;
                FloatVector s20 = s00, s21 = s00, s30 = s00, s31 = s00;
                for (int n = 0, xr = xOff + c, an = 0; n < depth; n++, xr += ldx, an += aDepthStride) {
                    FloatVector x0 = FloatVector.fromArray(SPECIES, x, xr);
                    FloatVector x1 = FloatVector.fromArray(SPECIES, x, xr + LANES);
                    FloatVector w = FloatVector.broadcast(SPECIES, a[r0 + an]);
                    s00 = x0.fma(w, s00);
                    s01 = x1.fma(w, s01);
                    w = FloatVector.broadcast(SPECIES, a[r1 + an]);
                    s10 = x0.fma(w, s10);
                    s11 = x1.fma(w, s11);
                    w = FloatVector.broadcast(SPECIES, a[r2 + an]);
                    s20 = x0.fma(w, s20);
                    s21 = x1.fma(w, s21);
                    w = FloatVector.broadcast(SPECIES, a[r3 + an]);
                    s30 = x0.fma(w, s30);
                    s31 = x1.fma(w, s31);
                }
                FloatVector al = FloatVector.broadcast(SPECIES, alpha);
                s00.fma(al, FloatVector.fromArray(SPECIES, out, y0 + c)).intoArray(out, y0 + c);
                s01.fma(al, FloatVector.fromArray(SPECIES, out, y0 + c + LANES)).intoArray(out, y0 + c + LANES);
                s10.fma(al, FloatVector.fromArray(SPECIES, out, y1 + c)).intoArray(out, y1 + c);
                s11.fma(al, FloatVector.fromArray(SPECIES, out, y1 + c + LANES)).intoArray(out, y1 + c + LANES);
                s20.fma(al, FloatVector.fromArray(SPECIES, out, y2 + c)).intoArray(out, y2 + c);
                s21.fma(al, FloatVector.fromArray(SPECIES, out, y2 + c + LANES)).intoArray(out, y2 + c + LANES);
                s30.fma(al, FloatVector.fromArray(SPECIES, out, y3 + c)).intoArray(out, y3 + c);
                s31.fma(al, FloatVector.fromArray(SPECIES, out, y3 + c + LANES)).intoArray(out, y3 + c + LANES);
            }
            for (; c + LANES <= width; c += LANES) {
                FloatVector s0 = FloatVector.fromArray(SPECIES, out, y0 + c), s1 = FloatVector.fromArray(SPECIES, out, y1 + c);
                FloatVector s2 = FloatVector.fromArray(SPECIES, out, y2 + c), s3 = FloatVector.fromArray(SPECIES, out, y3 + c);
                for (int n = 0, xr = xOff + c, an = 0; n < depth; n++, xr += ldx, an += aDepthStride) {
                    FloatVector xv = FloatVector.fromArray(SPECIES, x, xr);
                    s0 = xv.fma(FloatVector.broadcast(SPECIES, alpha * a[r0 + an]), s0);
                    s1 = xv.fma(FloatVector.broadcast(SPECIES, alpha * a[r1 + an]), s1);
                    s2 = xv.fma(FloatVector.broadcast(SPECIES, alpha * a[r2 + an]), s2);
                    s3 = xv.fma(FloatVector.broadcast(SPECIES, alpha * a[r3 + an]), s3);
                }
                s0.intoArray(out, y0 + c);
                s1.intoArray(out, y1 + c);
                s2.intoArray(out, y2 + c);
                s3.intoArray(out, y3 + c);
            }
            for (; c < width; c++) {                                  // head sizes that are not whole vectors
                for (int n = 0, xr = xOff + c, an = 0; n < depth; n++, xr += ldx, an += aDepthStride) {
                    float xv = x[xr];
                    out[y0 + c] += alpha * a[r0 + an] * xv;
                    out[y1 + c] += alpha * a[r1 + an] * xv;
                    out[y2 + c] += alpha * a[r2 + an] * xv;
                    out[y3 + c] += alpha * a[r3 + an] * xv;
                }
            }
        }
        for (; o < outRows; o++) {
            int r0 = aOff + o * aRowStride, y0 = outOff + o * ldo;
            int c = 0;
            for (; c + LANES <= width; c += LANES) {
                FloatVector s0 = FloatVector.fromArray(SPECIES, out, y0 + c);
                for (int n = 0, xr = xOff + c, an = 0; n < depth; n++, xr += ldx, an += aDepthStride) {
                    s0 = FloatVector.fromArray(SPECIES, x, xr).fma(FloatVector.broadcast(SPECIES, alpha * a[r0 + an]), s0);
                }
                s0.intoArray(out, y0 + c);
            }
            for (; c < width; c++) {
                for (int n = 0, xr = xOff + c, an = 0; n < depth; n++, xr += ldx, an += aDepthStride) {
                    out[y0 + c] += alpha * a[r0 + an] * x[xr];
                }
            }
        }
    }

    /** The largest of s[off, off + n). */
    private static float rowMax(float[] s, int off, int n) {
        int c = 0;
        FloatVector mv = FloatVector.broadcast(SPECIES, Float.NEGATIVE_INFINITY);
        for (; c < SPECIES.loopBound(n); c += LANES) mv = mv.max(FloatVector.fromArray(SPECIES, s, off + c));
        float m = mv.reduceLanes(VectorOperators.MAX);
        for (; c < n; c++) m = Math.max(m, s[off + c]);
        return m;
    }

    /**
     * s[off + c] = exp(s[off + c] − shift) for c &lt; visible and 0 for visible ≤ c &lt; width (masked keys);
     * returns the sum of the exponentials (0 when lanes is null: the backward needs none), kept per lane as they are
     * made, then added lane by lane through the lanes array (LANES floats): a fixed order (reduceLanes(ADD) may add
     * in another order once compiled), and the vector never leaves the registers as an object, as it would if passed
     * to a method not inlined.
     */
    private static float expInPlace(float[] s, int off, int visible, int width, float shift, float[] lanes) {
        int c = 0;
        FloatVector sum = FloatVector.zero(SPECIES);
        for (; c < SPECIES.loopBound(visible); c += LANES) {
            FloatVector e = VectorMath.exp(FloatVector.fromArray(SPECIES, s, off + c).sub(shift));
            e.intoArray(s, off + c);
            sum = sum.add(e);
        }
        if (c < visible) {                                             // the vector that holds the last visible key
            VectorMask<Float> past = SPECIES.indexInRange(c, visible).not();
            FloatVector e = VectorMath.exp(FloatVector.fromArray(SPECIES, s, off + c).sub(shift)).blend(0f, past);
            e.intoArray(s, off + c);
            sum = sum.add(e);
            c += LANES;
        }
        for (; c < width; c += LANES) FloatVector.zero(SPECIES).intoArray(s, off + c);
        if (lanes == null) return 0f;
        sum.intoArray(lanes, 0);
        float total = 0f;
        for (int i = 0; i < LANES; i++) total += lanes[i];
        return total;
    }

    /** ds = p ∘ (ds − rowDot) over one row of width columns: dS from dP (in place) and P. */
    private static void softmaxGrad(float[] p, float[] ds, int off, int width, float rowDot) {
        for (int c = 0; c < width; c += LANES) {
            FloatVector pv = FloatVector.fromArray(SPECIES, p, off + c);
            pv.mul(FloatVector.fromArray(SPECIES, ds, off + c).sub(rowDot)).intoArray(ds, off + c);
        }
    }

    private static void scaleRow(float[] x, int off, int n, float factor) {
        int c = 0;
        for (; c < SPECIES.loopBound(n); c += LANES) FloatVector.fromArray(SPECIES, x, off + c).mul(factor).intoArray(x, off + c);
        for (; c < n; c++) x[off + c] *= factor;
    }

    private static float dot(float[] a, float[] b, int off, int n) {
        FloatVector acc = FloatVector.zero(SPECIES);
        int c = 0;
        for (; c < SPECIES.loopBound(n); c += LANES) {
            acc = FloatVector.fromArray(SPECIES, a, off + c).fma(FloatVector.fromArray(SPECIES, b, off + c), acc);
        }
        float sum = VectorMath.sumLanes(acc);
        for (; c < n; c++) sum += a[off + c] * b[off + c];
        return sum;
    }

    /**
     * (heads, Tk, hs) -> (heads, hs, paddedKeys): each head's keys (or values) as columns, zero padded to whole
     * vectors, so a tile of scores is a sum of rows of this copy scaled by one query element each. The array comes
     * from the pool; the caller gives it back when its sweep is done.
     */
    private static float[] transposePadded(float[] x, Dims dims) {
        int Tk = dims.keys(), hs = dims.headSize(), kPad = dims.paddedKeys();
        float[] t = BufferPool.take(dims.heads() * hs * kPad);
        Parallel.forRange(dims.heads(), Math.max(1, (1 << 14) / (Tk * hs)), (lo, hi) -> {
            for (int h = lo; h < hi; h++) {
                for (int j = 0; j < Tk; j++) {
                    int src = (h * Tk + j) * hs, dst = h * hs * kPad + j;
                    for (int d = 0; d < hs; d++) t[dst + d * kPad] = x[src + d];
                }
                if (kPad > Tk) for (int d = 0; d < hs; d++) Arrays.fill(t, h * hs * kPad + d * kPad + Tk, h * hs * kPad + (d + 1) * kPad, 0f);
            }
        });
        return t;
    }

    // ------------------------------------------------------------------ checks and small helpers

    private static void checkInputs(String pass, float[] q, float[] k, float[] v, Dims dims, boolean causal) {
        if (causal && dims.queries() > dims.keys()) {
            throw new IllegalArgumentException("flash attention " + pass + ": causal attention needs at least as many keys ("
                    + dims.keys() + ") as queries (" + dims.queries() + "): the queries are the last positions");
        }
        checkLength(pass, "q", q, dims.heads() * dims.queries() * dims.headSize(), dims);
        checkLength(pass, "k", k, dims.heads() * dims.keys() * dims.headSize(), dims);
        checkLength(pass, "v", v, dims.heads() * dims.keys() * dims.headSize(), dims);
    }

    private static void checkLength(String pass, String name, float[] a, int expected, Dims dims) {
        if (a.length != expected) {
            throw new IllegalArgumentException("flash attention " + pass + ": " + name + " holds " + a.length
                    + " floats, expected " + expected + " for " + dims);
        }
    }

    private static int roundUpToVector(int n) {
        return ceilDiv(n, LANES) * LANES;
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
