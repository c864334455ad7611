package dev.zerolm.tensor.kernels;

import dev.zerolm.tensor.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Single-precision matrix multiply, {@code C = alpha * op(A) · op(B) + beta * C}, over plain row-major
 * arrays with explicit offsets and leading dimensions. This is the one place ZeroLM spends most of its
 * FLOPs, so it follows the classic Goto/BLIS recipe:
 *
 * <pre>
 * for jc in N step NC                 B block (KC, NC) is packed once and shared by every MC block
 *   for pc in K step KC
 *     pack B[pc:pc+KC, jc:jc+NC]      into NR-wide column panels, zero padded; in L2 or L3 (see KC, NC)
 *     for ic in M step MC
 *       pack A[ic:ic+MC, pc:pc+KC]    into MR-tall row panels, zero padded
 *       for ir in MC step MR          one (KC, MR) A panel stays in L1 ...
 *         for jr in NC step NR        ... while MR x NR tiles of C are computed in registers
 *           micro-kernel
 * </pre>
 *
 * The innermost loop walks along C's rows, so the tiles it loads and stores follow each other in memory and the
 * hardware prefetcher streams them in. With the two tile loops the other way round (a B panel in L1, tiles down
 * C's columns) C's lines came in cold: wide products such as the LM head's and the MLP's up projection ran up to
 * 20% slower (one B panel per tile now comes from L2 instead, which keeps up).
 *
 * Transposition is absorbed by the packing routines, so no transposed copy is ever materialised.
 * Threads split the rows of C (or its columns when C is short and wide); every element of C always
 * sees the same sequence of floating point operations, so results do not depend on the thread count.
 */
public final class Gemm {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    /** Floats per vector register: 16 with AVX-512, 8 with AVX2. */
    private static final int LANES = SPECIES.length();

    /**
     * Rows of C per micro-kernel tile. With AVX-512's 32 vector registers a 12-row tile (24 accumulators, 2 B
     * vectors, 1 broadcast) fits and halves the loads of B per multiply-add; AVX2's 16 registers hold 6 rows.
     */
    static final int MR = LANES >= 16 ? 12 : 6;
    /** Selects the first MR lanes of a vector (all of them on hardware narrower than MR). */
    private static final VectorMask<Float> FIRST_MR = SPECIES.indexInRange(0, MR);
    /** Columns of C per micro-kernel tile: two vector registers. */
    static final int NR = 2 * LANES;
    /**
     * The block sizes below were measured per CPU family, on the machines we had: they differ because the caches do.
     * On AMD Zen 4 (32 KiB L1 and 1 MiB L2 a core, 32 MiB of L3 shared) blocks of 512 x 1536 streamed from L3 ran
     * 3-10% faster than 256 x 768 (fewer passes over C and fewer repacks of A outweigh L2 misses on B); on an Intel
     * Xeon (48 KiB L1, 2 MiB L2) the smaller blocks won. The gemm.kc, gemm.nc, gemm.mc and gemm.mcT properties
     * override them.
     */
    private static final boolean LARGE_BLOCKS = CpuInfo.field("vendor_id").equals("AuthenticAMD");

    /**
     * Depth of one packed block. Intel: the micro-kernel's (KC, NR) B panel and (KC, MR) A panel fit in L1 together
     * (32 + 12 KiB of 48 with AVX-512); at 384 the B panel alone (48 KiB) filled L1 and products ran 2-8% slower.
     */
    static final int KC = Integer.getInteger("gemm.kc", LARGE_BLOCKS ? 512 : 256);
    /** Rows of A per packed block: a (MC, KC) block of A fits in L2. Multiple of MR. */
    static final int MC = Math.max(MR, Integer.getInteger("gemm.mc", 72) / MR * MR);
    /**
     * Rows per packed block when A is read transposed (weight gradients, Aᵀ·B): each of A's KC rows is then read
     * MC floats at a time, far apart in memory, and runs of 288 instead of 72 made these products 2-11% faster.
     */
    static final int MC_TRANSPOSED = Math.max(MR, Integer.getInteger("gemm.mcT", 288) / MR * MR);
    /**
     * Columns of B per packed block, at most. Intel: a (KC, NC) block, 768 KiB, stays in L2; 768 covers a model's
     * 768-wide products in one block, so A is packed once per K block (512 and 1024 were slower). AMD: 1536 (3 MiB at
     * KC 512, from L3) halves the packing of A on the 3072-wide products.
     */
    static final int NC = Math.max(NR, Integer.getInteger("gemm.nc", LARGE_BLOCKS ? 1536 : 768) / NR * NR);

    /** Up to this many rows per thread (1.1 MiB of A at KC 256, 2.3 at 512), A may be packed once per K block for all B blocks. */
    static final int FEW_ROWS = Integer.getInteger("gemm.fewRows", 1152);

    /** Whether the row split shares packed B between threads ({@link #sharedB}); false: each thread packs its own. */
    static final boolean SHARED_B = Boolean.parseBoolean(System.getProperty("gemm.sharedB", "true"));

    /** Below this many multiply-adds the packing overhead outweighs its benefit. */
    static final long SMALL_MACS = 32 * 32 * 32;
    /**
     * Up to this many rows of C, products skip packing and stream each row (or column) of B once for all rows:
     * generation multiplies one token's vector by every weight matrix, where packing the weights would cost more
     * than the product.
     */
    static final int SKINNY_ROWS = 16;
    /** Columns of C per task on the skinny path. */
    private static final int SKINNY_COLS = 64;
    /** Below this many multiply-adds a problem is not worth handing to another thread. */
    private static final long MIN_MACS_PER_THREAD = 1L << 20;

    /** Per-thread packing buffers, reused across calls so the hot path allocates nothing. */
    private static final class Workspace {
        final float[] packedA = new float[Math.max(MC, MC_TRANSPOSED) * KC];
        float[] packedB = new float[0];
        /** All of a thread's rows of A for one K block, when they are few (see {@link #FEW_ROWS}). */
        float[] packedRows = new float[0];
        final float[] tile = new float[MR * NR];

        /** Gather offsets into A (its rows) and into a stored (N, K) B (its rows, op(B)'s columns). */
        final RowOffsets aRows = new RowOffsets(Math.min(MR, LANES)), bRows = new RowOffsets(LANES);

        float[] packedB(int size) {
            if (packedB.length < size) packedB = new float[size];
            return packedB;
        }

        float[] packedRows(int size) {
            if (packedRows.length < size) packedRows = new float[size];
            return packedRows;
        }
    }

    /**
     * Lane i &lt; rows holds i * ld, where consecutive rows of a matrix start, to gather one element of each; lanes past
     * rows hold 0 (the library checks even masked-off lanes). Rebuilt when ld changes.
     */
    private static final class RowOffsets {
        private final int[] offsets = new int[LANES];
        private final int rows;
        private int ld = -1;

        RowOffsets(int rows) {
            this.rows = rows;
        }

        int[] of(int ld) {
            if (ld != this.ld) {
                for (int i = 0; i < LANES; i++) offsets[i] = i < rows ? i * ld : 0;
                this.ld = ld;
            }
            return offsets;
        }
    }

    private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);

    private Gemm() {}

    /**
     * C[M,N] = alpha * op(A)[M,K] · op(B)[K,N] + beta * C. op(A) is A stored (M, K) with row i at
     * offA + i*lda, or, when transA, A stored (K, M) and read transposed; likewise for B. With beta == 0
     * the old contents of C are never read, so garbage (even NaN) there is overwritten.
     */
    public static void gemm(boolean transA, boolean transB, int M, int N, int K, float alpha,
                            float[] A, int offA, int lda, float[] B, int offB, int ldb,
                            float beta, float[] C, int offC, int ldc) {
        checkShapes("gemm", transA, transB, M, N, K, A, offA, lda, 0, B, offB, ldb, 0, C, offC, ldc, 0, 1);
        multiply(transA, transB, M, N, K, alpha, A, offA, lda, B, offB, ldb, beta, null, 0, C, offC, ldc, true);
    }

    /**
     * C[M,N] = alpha * op(A)[M,K] · op(B)[K,N] + bias, with bias[biasOff + j] added to every row's column j: a
     * Linear layer's x·Wᵀ + b in one pass, the bias added as each tile of C leaves the registers.
     */
    public static void gemmBias(boolean transA, boolean transB, int M, int N, int K, float alpha,
                                float[] A, int offA, int lda, float[] B, int offB, int ldb,
                                float[] bias, int biasOff, float[] C, int offC, int ldc) {
        checkShapes("gemmBias", transA, transB, M, N, K, A, offA, lda, 0, B, offB, ldb, 0, C, offC, ldc, 0, 1);
        if (biasOff < 0 || (long) biasOff + N > bias.length) {
            throw new IllegalArgumentException("gemmBias: bias of " + bias.length + " floats from offset " + biasOff
                    + " does not hold N = " + N + " values");
        }
        multiply(transA, transB, M, N, K, alpha, A, offA, lda, B, offB, ldb, 0f, bias, biasOff, C, offC, ldc, true);
    }

    /**
     * Runs {@link #gemm} on {@code batch} independent matrices, the b-th starting at offA + b*strideA,
     * offB + b*strideB and offC + b*strideC, e.g. (B, nh, T, hs) attention products with
     * batch = B*nh. Threads take whole matrices when there are enough of them, else split each one.
     */
    public static void gemmBatched(boolean transA, boolean transB, int M, int N, int K, float alpha,
                                   float[] A, int offA, int lda, float[] B, int offB, int ldb,
                                   float beta, float[] C, int offC, int ldc,
                                   int batch, long strideA, long strideB, long strideC) {
        if (batch < 0) throw new IllegalArgumentException("gemmBatched: batch must be >= 0, got " + batch);
        checkShapes("gemmBatched", transA, transB, M, N, K, A, offA, lda, strideA, B, offB, ldb, strideB,
                C, offC, ldc, strideC, batch);
        if (batch == 0) return;
        int threads = Parallel.threads();
        long macs = (long) M * N * K;
        boolean acrossBatch = batch >= 4 * threads || batch % threads == 0 || macs < MIN_MACS_PER_THREAD;
        if (threads > 1 && batch > 1 && acrossBatch) {
            int minChunk = (int) Math.max(1, Math.min(batch, MIN_MACS_PER_THREAD / Math.max(1, macs)));
            Parallel.forRange(batch, minChunk, (start, end) -> {
                for (int b = start; b < end; b++) {
                    multiply(transA, transB, M, N, K, alpha, A, (int) (offA + b * strideA), lda,
                            B, (int) (offB + b * strideB), ldb, beta, null, 0, C, (int) (offC + b * strideC), ldc, false);
                }
            });
        } else {
            for (int b = 0; b < batch; b++) {
                multiply(transA, transB, M, N, K, alpha, A, (int) (offA + b * strideA), lda,
                        B, (int) (offB + b * strideB), ldb, beta, null, 0, C, (int) (offC + b * strideC), ldc, true);
            }
        }
    }

    /** Dispatches one validated product to the trivial, skinny or packed path. bias (or null) goes with beta == 0. */
    private static void multiply(boolean transA, boolean transB, int M, int N, int K, float alpha,
                                 float[] A, int offA, int lda, float[] B, int offB, int ldb,
                                 float beta, float[] bias, int biasOff, float[] C, int offC, int ldc, boolean parallel) {
        if (M == 0 || N == 0) return;
        if (K == 0 || alpha == 0f) {
            if (bias != null) fillRows(M, N, bias, biasOff, C, offC, ldc);
            else scale(M, N, beta, C, offC, ldc);
            return;
        }
        long macs = (long) M * N * K;
        if (macs <= SMALL_MACS || M <= SKINNY_ROWS) {   // packing would cost more than it saves
            skinny(transA, transB, M, N, K, alpha, A, offA, lda, B, offB, ldb, beta, bias, biasOff, C, offC, ldc, parallel);
            return;
        }
        int threads = parallel ? Parallel.threads() : 1;
        if (threads == 1 || macs < 2 * MIN_MACS_PER_THREAD) {
            blocked(transA, transB, 0, M, 0, N, K, alpha, A, offA, lda, B, offB, ldb, beta, bias, biasOff, C, offC, ldc);
            return;
        }
        int rowTiles = ceilDiv(M, MR), colTiles = ceilDiv(N, NR);
        // C row ranges (or column ranges) are disjoint and each thread packs its own copy of what it reads, so threads
        // share nothing but A, B reads. A row split packs all of B on every thread, a column split all of A (once
        // per NC block): split the way that packs less, e.g. columns for an LM head's (T, C) x (C, 50257).
        long rowSplitPacking = threads * (long) K * N + (long) M * K * ceilDiv(N, NC);
        long colSplitPacking = (long) K * N + threads * (long) M * K * ceilDiv(ceilDiv(N, threads), NC);
        boolean enoughColumns = colTiles >= 4 * threads;
        if (rowTiles >= colTiles ? !enoughColumns || rowSplitPacking <= colSplitPacking
                : rowTiles >= 4 * threads && rowSplitPacking <= colSplitPacking) {
            boolean fewRowsPath = ceilDiv(M, threads) <= FEW_ROWS && N >= 4 * blockWidth(N);
            if (SHARED_B && !fewRowsPath) {
                sharedB(transA, transB, M, N, K, alpha, A, offA, lda, B, offB, ldb, beta, bias, biasOff, C, offC, ldc);
                return;
            }
            int minChunk = (int) Math.max(1, MIN_MACS_PER_THREAD / ((long) MR * N * K));
            Parallel.forRange(rowTiles, minChunk, (start, end) ->
                    blocked(transA, transB, start * MR, Math.min(M, end * MR), 0, N, K, alpha,
                            A, offA, lda, B, offB, ldb, beta, bias, biasOff, C, offC, ldc));
        } else {
            int minChunk = (int) Math.max(1, MIN_MACS_PER_THREAD / ((long) M * NR * K));
            Parallel.forRange(colTiles, minChunk, (start, end) ->
                    blocked(transA, transB, 0, M, start * NR, Math.min(N, end * NR), K, alpha,
                            A, offA, lda, B, offB, ldb, beta, bias, biasOff, C, offC, ldc));
        }
    }

    /** Every row of C (M, N) = bias[biasOff..biasOff + N). */
    private static void fillRows(int M, int N, float[] bias, int biasOff, float[] C, int offC, int ldc) {
        for (int i = 0; i < M; i++) System.arraycopy(bias, biasOff, C, offC + i * ldc, N);
    }

    /** C = beta * C, with beta == 0 writing zeros whatever C held. */
    private static void scale(int M, int N, float beta, float[] C, int offC, int ldc) {
        if (beta == 1f) return;
        for (int i = 0; i < M; i++) {
            int row = offC + i * ldc;
            for (int j = 0; j < N; j++) C[row + j] = beta == 0f ? 0f : beta * C[row + j];
        }
    }

    /**
     * A small product, or one with at most SKINNY_ROWS rows: no packing, columns of C split across threads (small
     * products stay on the calling thread), each row or column of B streamed once for every row of A.
     */
    private static void skinny(boolean transA, boolean transB, int M, int N, int K, float alpha,
                               float[] A, int offA, int lda, float[] B, int offB, int ldb,
                               float beta, float[] bias, int biasOff, float[] C, int offC, int ldc, boolean parallel) {
        int tasks = ceilDiv(N, SKINNY_COLS);
        Parallel.RangeBody body = (start, end) -> skinnyColumns(transA, transB, M, K, alpha, A, offA, lda, B, offB, ldb,
                beta, bias, biasOff, C, offC, ldc, start * SKINNY_COLS, Math.min(N, end * SKINNY_COLS));
        if (!parallel || Parallel.threads() == 1) {
            body.run(0, tasks);
        } else {
            int minChunk = (int) Math.max(1, MIN_MACS_PER_THREAD / ((long) M * SKINNY_COLS * K));
            Parallel.forRange(tasks, minChunk, body);
        }
    }

    /** C[:, j0:j1] = alpha * op(A) · op(B)[:, j0:j1] + beta * C[:, j0:j1] (or + bias), straight vector loops. */
    private static void skinnyColumns(boolean transA, boolean transB, int M, int K, float alpha,
                                      float[] A, int offA, int lda, float[] B, int offB, int ldb,
                                      float beta, float[] bias, int biasOff, float[] C, int offC, int ldc, int j0, int j1) {
        int aRow = transA ? 1 : lda, aCol = transA ? lda : 1; // a(i,k) = A[offA + i*aRow + k*aCol]
        if (bias != null) fillRows(M, j1 - j0, bias, biasOff + j0, C, offC + j0, ldc);
        else scale(M, j1 - j0, beta, C, offC + j0, ldc);
        if (transB) {
            // B stored (N, K): C[i,j] += alpha * dot(a(i,:), B[j,:]); B's row j is read once and stays in L1 for every i.
            int vecEnd = transA ? 0 : SPECIES.loopBound(K);
            float[] lanes = new float[LANES];
            for (int j = j0; j < j1; j++) {
                int b = offB + j * ldb;
                int i = 0;
                for (; i + 4 <= M; i += 4) {                          // four rows share each load of B
                    int a0 = offA + i * aRow, a1 = a0 + aRow, a2 = a1 + aRow, a3 = a2 + aRow;
                    FloatVector acc0 = FloatVector.zero(SPECIES), acc1 = acc0, acc2 = acc0, acc3 = acc0;
                    int k = 0;
                    for (; k < vecEnd; k += LANES) {
                        FloatVector bv = FloatVector.fromArray(SPECIES, B, b + k);
                        acc0 = FloatVector.fromArray(SPECIES, A, a0 + k).fma(bv, acc0);
                        acc1 = FloatVector.fromArray(SPECIES, A, a1 + k).fma(bv, acc1);
                        acc2 = FloatVector.fromArray(SPECIES, A, a2 + k).fma(bv, acc2);
                        acc3 = FloatVector.fromArray(SPECIES, A, a3 + k).fma(bv, acc3);
                    }
                    C[offC + i * ldc + j] += alpha * dotTail(acc0, lanes, A, a0, aCol, B, b, k, K);
                    C[offC + (i + 1) * ldc + j] += alpha * dotTail(acc1, lanes, A, a1, aCol, B, b, k, K);
                    C[offC + (i + 2) * ldc + j] += alpha * dotTail(acc2, lanes, A, a2, aCol, B, b, k, K);
                    C[offC + (i + 3) * ldc + j] += alpha * dotTail(acc3, lanes, A, a3, aCol, B, b, k, K);
                }
                for (; i < M; i++) {
                    int a = offA + i * aRow;
                    FloatVector acc = FloatVector.zero(SPECIES);
                    int k = 0;
                    for (; k < vecEnd; k += LANES) {
                        acc = FloatVector.fromArray(SPECIES, A, a + k).fma(FloatVector.fromArray(SPECIES, B, b + k), acc);
                    }
                    C[offC + i * ldc + j] += alpha * dotTail(acc, lanes, A, a, aCol, B, b, k, K);
                }
            }
        } else {
            // B stored (K, N): C[i, j0:j1] += alpha * a(i,k) * B[k, j0:j1]; each B row segment is loaded once for every i.
            int vecEnd = j0 + SPECIES.loopBound(j1 - j0);
            for (int k = 0; k < K; k++) {
                int b = offB + k * ldb;
                for (int i = 0; i < M; i++) {
                    float a = alpha * A[offA + i * aRow + k * aCol];
                    FloatVector av = FloatVector.broadcast(SPECIES, a);
                    int c = offC + i * ldc, j = j0;
                    for (; j < vecEnd; j += LANES) {
                        av.fma(FloatVector.fromArray(SPECIES, B, b + j), FloatVector.fromArray(SPECIES, C, c + j)).intoArray(C, c + j);
                    }
                    for (; j < j1; j++) C[c + j] = Math.fma(a, B[b + j], C[c + j]);   // fused like the lanes: any split, same bits
                }
            }
        }
    }

    /**
     * The lanes of acc summed in lane order, plus a(k..K) · B[b + k..K] for the last elements that fill no vector.
     * Not reduceLanes: its order of additions differs between the interpreter and compiled code, and a result must
     * not change with the JIT's progress. lanes is scratch space of LANES floats.
     */
    private static float dotTail(FloatVector acc, float[] lanes, float[] A, int a, int aCol, float[] B, int b, int k, int K) {
        acc.intoArray(lanes, 0);
        float sum = 0f;
        for (float v : lanes) sum += v;
        for (; k < K; k++) sum += A[a + k * aCol] * B[b + k];
        return sum;
    }

    /** The packed path for the block C[rowStart:rowEnd, colStart:colEnd] on the calling thread. */
    private static void blocked(boolean transA, boolean transB, int rowStart, int rowEnd, int colStart, int colEnd,
                                int K, float alpha, float[] A, int offA, int lda, float[] B, int offB, int ldb,
                                float beta, float[] bias, int biasOff, float[] C, int offC, int ldc) {
        Workspace ws = WORKSPACE.get();
        float[] packedA = ws.packedA;
        // The micro-kernel only knows C = acc or C += acc: alpha is folded into packed A and any
        // other beta is applied up front, once, to this thread's block of C.
        if (beta != 0f && beta != 1f) {
            scale(rowEnd - rowStart, colEnd - colStart, beta, C, offC + rowStart * ldc + colStart, ldc);
        }
        int cols = colEnd - colStart, rows = rowEnd - rowStart;
        int blockWidth = blockWidth(cols), blockHeight = transA ? MC_TRANSPOSED : MC;
        float[] packedB = ws.packedB(KC * blockWidth);
        if (rows <= FEW_ROWS && cols >= 4 * blockWidth) {
            // Few rows and many B blocks (an LM head's (T, C) x (C, V): ~50 per thread): pack all of A once per K block
            // rather than once per B block (3-6% faster there; with 2 blocks it was no faster). Every tile of C still
            // sees its K blocks in order, so results are the same.
            float[] packedRows = ws.packedRows(ceilDiv(rows, MR) * MR * KC);
            for (int pc = 0; pc < K; pc += KC) {
                int kc = Math.min(KC, K - pc);
                packA(transA, alpha, A, offA, lda, rowStart, rows, pc, kc, packedRows, ws.aRows.of(lda));
                for (int jc = colStart; jc < colEnd; jc += blockWidth) {
                    int nc = Math.min(blockWidth, colEnd - jc);
                    packB(transB, B, offB, ldb, pc, kc, jc, nc, packedB, ws.bRows.of(ldb));
                    tiles(kc, packedRows, rowStart, rows, packedB, jc, nc, pc > 0 || beta != 0f, bias, biasOff, C, offC, ldc, ws.tile);
                }
            }
            return;
        }
        for (int jc = colStart; jc < colEnd; jc += blockWidth) {
            int nc = Math.min(blockWidth, colEnd - jc);
            for (int pc = 0; pc < K; pc += KC) {
                int kc = Math.min(KC, K - pc);
                packB(transB, B, offB, ldb, pc, kc, jc, nc, packedB, ws.bRows.of(ldb));
                for (int ic = rowStart; ic < rowEnd; ic += blockHeight) {
                    int mc = Math.min(blockHeight, rowEnd - ic);
                    packA(transA, alpha, A, offA, lda, ic, mc, pc, kc, packedA, ws.aRows.of(lda));
                    tiles(kc, packedA, ic, mc, packedB, jc, nc, pc > 0 || beta != 0f, bias, biasOff, C, offC, ldc, ws.tile);
                }
            }
        }
    }

    /**
     * The packed path on every thread, split by blocks of rows with B shared: for each (KC, NC) block of B, the threads
     * pack its panels together, then take MC-row blocks of C one after another as they finish ({@link
     * Parallel#forDynamic}), each packing its own A block. B is packed once rather than once per thread, and a thread
     * slowed down (its core shared with another busy machine) takes fewer row blocks instead of holding up the call.
     * Every tile of C sees its K blocks in order, so results are the same as on one thread.
     */
    private static void sharedB(boolean transA, boolean transB, int M, int N, int K, float alpha,
                                float[] A, int offA, int lda, float[] B, int offB, int ldb,
                                float beta, float[] bias, int biasOff, float[] C, int offC, int ldc) {
        if (beta != 0f && beta != 1f) {
            Parallel.forRange(M, Math.max(1, (int) (MIN_MACS_PER_THREAD / N)), (s, e) -> scale(e - s, N, beta, C, offC + s * ldc, ldc));
        }
        int blockWidth = blockWidth(N), threads = Parallel.threads();
        // Row blocks of near-equal height (whole MR tiles, at most MC rows), as many as full-height ones would take
        // rounded up to a multiple of the thread count: 768 rows make 12 blocks of 60-72 rows, not 11 of 72 (one
        // thread waiting a block's time for the other), and 128 rows of a weight gradient two blocks, not one of 288.
        // The block height does not change what any element of C sums, or in which order.
        int tiles = ceilDiv(M, MR), maxTiles = (transA ? MC_TRANSPOSED : MC) / MR;
        int rowBlocks = Math.min(tiles, ceilDiv(ceilDiv(tiles, maxTiles), threads) * threads);
        float[] packedB = WORKSPACE.get().packedB(KC * blockWidth);  // the caller's buffer; the workers read it too
        for (int jc = 0; jc < N; jc += blockWidth) {
            int nc = Math.min(blockWidth, N - jc), panels = ceilDiv(nc, NR);
            for (int pc = 0; pc < K; pc += KC) {
                int kc = Math.min(KC, K - pc), j0 = jc, k0 = pc;
                boolean accumulate = pc > 0 || beta != 0f;
                // Each forRange/forDynamic returns when every thread is done: B is whole before anyone reads it, and
                // no one packs the next block while another still reads this one.
                Parallel.forRange(panels, 1, (s, e) -> packB(transB, B, offB, ldb, k0, kc, j0 + s * NR,
                        Math.min(nc, e * NR) - s * NR, packedB, s * NR * kc, WORKSPACE.get().bRows.of(ldb)));
                Parallel.forDynamic(rowBlocks, 1, (s, e) -> {
                    Workspace ws = WORKSPACE.get();
                    for (int blk = s; blk < e; blk++) {
                        int ic = firstTile(blk, tiles, rowBlocks) * MR, mc = Math.min(M, firstTile(blk + 1, tiles, rowBlocks) * MR) - ic;
                        packA(transA, alpha, A, offA, lda, ic, mc, k0, kc, ws.packedA, ws.aRows.of(lda));
                        tiles(kc, ws.packedA, ic, mc, packedB, j0, nc, accumulate, bias, biasOff, C, offC, ldc, ws.tile);
                    }
                });
            }
        }
    }

    /**
     * C[ic:ic+mc, jc:jc+nc] from packed A rows (from ic) and a packed B block (from jc), one K block deep: set (plus
     * the bias, when given and not accumulating) or, when accumulating, added onto C.
     */
    private static void tiles(int kc, float[] packedA, int ic, int mc, float[] packedB, int jc, int nc, boolean accumulate,
                              float[] bias, int biasOff, float[] C, int offC, int ldc, float[] tile) {
        boolean addBias = !accumulate && bias != null;
        for (int ir = 0; ir < mc; ir += MR) {
            int mr = Math.min(MR, mc - ir);
            int aPanel = ir * kc;
            for (int jr = 0; jr < nc; jr += NR) {
                int nr = Math.min(NR, nc - jr);
                int bPanel = jr * kc; // (jr / NR) panels of kc * NR floats
                int c = offC + (ic + ir) * ldc + jc + jr;
                if (mr == MR && nr == NR) {
                    if (accumulate) kernel(kc, packedA, aPanel, packedB, bPanel, C, c, ldc, C, c, ldc);
                    else if (addBias) kernel(kc, packedA, aPanel, packedB, bPanel, C, c, ldc, bias, biasOff + jc + jr, 0);
                    else kernel(kc, packedA, aPanel, packedB, bPanel, C, c, ldc, null, 0, 0);
                } else {
                    edgeTile(kc, packedA, aPanel, packedB, bPanel, tile, mr, nr, C, c, ldc,
                            accumulate, addBias ? bias : null, biasOff + jc + jr);
                }
            }
        }
    }

    /**
     * Packs op(B)[pc:pc+kc, jc:jc+nc] as consecutive (kc, NR) panels: panel p holds columns
     * jc+p*NR.., each k row of NR floats contiguous. Columns past nc are zero.
     */
    static void packB(boolean transB, float[] B, int offB, int ldb, int pc, int kc, int jc, int nc,
                              float[] dst, int[] columnStarts) {
        packB(transB, B, offB, ldb, pc, kc, jc, nc, dst, 0, columnStarts);
    }

    /** As above, the panels written from dst[dstOff]. */
    static void packB(boolean transB, float[] B, int offB, int ldb, int pc, int kc, int jc, int nc,
                      float[] dst, int dstOff, int[] columnStarts) {
        for (int jr = 0; jr < nc; jr += NR) {
            int nr = Math.min(NR, nc - jr);
            int panel = dstOff + jr * kc;
            int col = jc + jr;
            if (!transB) {
                // Rows of B are contiguous: copy NR floats per k.
                int src = offB + pc * ldb + col;
                if (nr == NR) {
                    for (int p = 0; p < kc; p++, src += ldb) {
                        int d = panel + p * NR;
                        FloatVector.fromArray(SPECIES, B, src).intoArray(dst, d);
                        FloatVector.fromArray(SPECIES, B, src + LANES).intoArray(dst, d + LANES);
                    }
                } else {
                    for (int p = 0; p < kc; p++, src += ldb) {
                        int d = panel + p * NR;
                        for (int j = 0; j < nr; j++) dst[d + j] = B[src + j];
                        for (int j = nr; j < NR; j++) dst[d + j] = 0f;
                    }
                }
            } else if (nr == NR) {
                // B is stored (N, K): column j of op(B) is row j of B. Gather each k's NR values, a vector at a time.
                int src = offB + col * ldb + pc, half = LANES * ldb;
                for (int p = 0; p < kc; p++) {
                    int d = panel + p * NR;
                    FloatVector.fromArray(SPECIES, B, src + p, columnStarts, 0).intoArray(dst, d);
                    FloatVector.fromArray(SPECIES, B, src + half + p, columnStarts, 0).intoArray(dst, d + LANES);
                }
            } else {
                // B is stored (N, K): column j of op(B) is row j of B, contiguous in k.
                for (int j = 0; j < nr; j++) {
                    int src = offB + (col + j) * ldb + pc;
                    for (int p = 0; p < kc; p++) dst[panel + p * NR + j] = B[src + p];
                }
                for (int j = nr; j < NR; j++) {
                    for (int p = 0; p < kc; p++) dst[panel + p * NR + j] = 0f;
                }
            }
        }
    }

    /**
     * Packs alpha * op(A)[ic:ic+mc, pc:pc+kc] as consecutive (kc, MR) panels: panel p holds rows
     * ic+p*MR.., the MR values of each k contiguous. Rows past mc are zero.
     */
    static void packA(boolean transA, float alpha, float[] A, int offA, int lda, int ic, int mc, int pc, int kc,
                              float[] dst, int[] rowStarts) {
        if (transA) {
            // A is stored (K, M): read each k row once across all mc columns, dealing them out to the
            // panels (panel by panel would revisit each cache line MR/16 at a time).
            FloatVector alphas = FloatVector.broadcast(SPECIES, alpha);
            boolean scaled = alpha != 1f;
            for (int p = 0; p < kc; p++) {
                int src = offA + (pc + p) * lda + ic;
                int ir = 0;
                if (LANES >= MR) {
                    // One vector move per panel: its MR values sit side by side in both places. A whole-vector store
                    // spills LANES - MR floats into the panel's next k slot, written right after; the last k and
                    // reads that would run past A take masked moves.
                    boolean spillOk = p + 1 < kc;
                    for (; ir + MR <= mc; ir += MR) {
                        int from = src + ir, to = ir * kc + p * MR;
                        if (spillOk && from + LANES <= A.length) {
                            FloatVector v = FloatVector.fromArray(SPECIES, A, from);
                            (scaled ? v.mul(alphas) : v).intoArray(dst, to);
                        } else {
                            FloatVector.fromArray(SPECIES, A, from, FIRST_MR).mul(alphas).intoArray(dst, to, FIRST_MR);
                        }
                    }
                }
                for (; ir < mc; ir += MR) {
                    int mr = Math.min(MR, mc - ir), d = ir * kc + p * MR;
                    for (int r = 0; r < mr; r++) dst[d + r] = alpha * A[src + ir + r];
                }
            }
        }
        for (int ir = 0; ir < mc; ir += MR) {
            int mr = Math.min(MR, mc - ir);
            int panel = ir * kc;
            int src = offA + (ic + ir) * lda + pc;
            if (!transA && mr == MR && LANES >= MR) {
                // A is stored (M, K): one masked gather per k collects the MR rows' values, one masked store writes them.
                FloatVector alphas = FloatVector.broadcast(SPECIES, alpha);
                for (int p = 0; p < kc; p++) {
                    FloatVector.fromArray(SPECIES, A, src + p, rowStarts, 0, FIRST_MR).mul(alphas)
                            .intoArray(dst, panel + p * MR, FIRST_MR);
                }
            } else if (!transA && mr == MR) {
                // A is stored (M, K): walk six rows side by side, writing each k's six values together.
                for (int r0 = 0; r0 < MR; r0 += 6) {
                    int s0 = src + r0 * lda, s1 = s0 + lda, s2 = s1 + lda, s3 = s2 + lda, s4 = s3 + lda, s5 = s4 + lda;
                    for (int p = 0; p < kc; p++) {
                        int d = panel + p * MR + r0;
                        dst[d] = alpha * A[s0 + p];
                        dst[d + 1] = alpha * A[s1 + p];
                        dst[d + 2] = alpha * A[s2 + p];
                        dst[d + 3] = alpha * A[s3 + p];
                        dst[d + 4] = alpha * A[s4 + p];
                        dst[d + 5] = alpha * A[s5 + p];
                    }
                }
            } else if (!transA) {
                for (int r = 0; r < mr; r++, src += lda) {
                    for (int p = 0; p < kc; p++) dst[panel + p * MR + r] = alpha * A[src + p];
                }
            }
            for (int r = mr; r < MR; r++) {
                for (int p = 0; p < kc; p++) dst[panel + p * MR + r] = 0f;
            }
        }
    }

    /**
     * A partial tile: run the full kernel into a scratch tile, then write back only the valid mr x nr part, added
     * onto C when accumulating or onto bias[b..] when one is given (the same additions the kernel makes).
     */
    private static void edgeTile(int kc, float[] packedA, int aPanel, float[] packedB, int bPanel, float[] tile,
                                 int mr, int nr, float[] C, int c, int ldc, boolean accumulate, float[] bias, int b) {
        kernel(kc, packedA, aPanel, packedB, bPanel, tile, 0, NR, null, 0, 0);
        for (int r = 0; r < mr; r++) {
            int row = c + r * ldc;
            for (int j = 0; j < nr; j++) {
                float t = tile[r * NR + j];
                C[row + j] = accumulate ? t + C[row + j] : bias != null ? t + bias[b + j] : t;
            }
        }
    }

    /**
     * The micro-kernel: a (MR, NR) tile of C held in vector registers, updated by kc rank-1 products of a packed
     * A column (broadcast) and a packed B row (two vectors), then stored into C, after adding init (when not null):
     * row r of the tile adds init[io + r * ild ..], i.e. C itself when accumulating, or a bias row with ild = 0. One method per tile height, each kept small on purpose: C2 stops inlining vector operations past a node
     * budget, and anything left un-inlined would box the accumulators.
     */
    private static void kernel(int kc, float[] a, int aPanel, float[] b, int bPanel,
                               float[] C, int c, int ldc, float[] init, int io, int ild) {
        if (MR == 12) kernel12(kc, a, aPanel, b, bPanel, C, c, ldc, init, io, ild);
        else kernel6(kc, a, aPanel, b, bPanel, C, c, ldc, init, io, ild);
    }

    /** The 6-row micro-kernel: 12 accumulators, for 16-register (AVX2) hardware. */
    private static void kernel6(int kc, float[] a, int aPanel, float[] b, int bPanel,
                               float[] C, int c, int ldc, float[] init, int io, int ild) {
        FloatVector c00 = FloatVector.zero(SPECIES), c01 = c00;
        FloatVector c10 = c00, c11 = c00;
        FloatVector c20 = c00, c21 = c00;
        FloatVector c30 = c00, c31 = c00;
        FloatVector c40 = c00, c41 = c00;
        FloatVector c50 = c00, c51 = c00;
        for (int p = 0; p < kc; p++) {
            int ai = aPanel + p * MR, bi = bPanel + p * NR;
            FloatVector b0 = FloatVector.fromArray(SPECIES, b, bi);
            FloatVector b1 = FloatVector.fromArray(SPECIES, b, bi + LANES);
            FloatVector x = FloatVector.broadcast(SPECIES, a[ai]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(SPECIES, a[ai + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(SPECIES, a[ai + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(SPECIES, a[ai + 3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(SPECIES, a[ai + 4]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(SPECIES, a[ai + 5]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
        }
        int c1 = c + ldc, c2 = c1 + ldc, c3 = c2 + ldc, c4 = c3 + ldc, c5 = c4 + ldc;
        if (init != null) {
            int i1 = io + ild, i2 = i1 + ild, i3 = i2 + ild, i4 = i3 + ild, i5 = i4 + ild;
            c00 = c00.add(FloatVector.fromArray(SPECIES, init, io));
            c01 = c01.add(FloatVector.fromArray(SPECIES, init, io + LANES));
            c10 = c10.add(FloatVector.fromArray(SPECIES, init, i1));
            c11 = c11.add(FloatVector.fromArray(SPECIES, init, i1 + LANES));
            c20 = c20.add(FloatVector.fromArray(SPECIES, init, i2));
            c21 = c21.add(FloatVector.fromArray(SPECIES, init, i2 + LANES));
            c30 = c30.add(FloatVector.fromArray(SPECIES, init, i3));
            c31 = c31.add(FloatVector.fromArray(SPECIES, init, i3 + LANES));
            c40 = c40.add(FloatVector.fromArray(SPECIES, init, i4));
            c41 = c41.add(FloatVector.fromArray(SPECIES, init, i4 + LANES));
            c50 = c50.add(FloatVector.fromArray(SPECIES, init, i5));
            c51 = c51.add(FloatVector.fromArray(SPECIES, init, i5 + LANES));
        }
        c00.intoArray(C, c);
        c01.intoArray(C, c + LANES);
        c10.intoArray(C, c1);
        c11.intoArray(C, c1 + LANES);
        c20.intoArray(C, c2);
        c21.intoArray(C, c2 + LANES);
        c30.intoArray(C, c3);
        c31.intoArray(C, c3 + LANES);
        c40.intoArray(C, c4);
        c41.intoArray(C, c4 + LANES);
        c50.intoArray(C, c5);
        c51.intoArray(C, c5 + LANES);
    }

    /** The 12-row micro-kernel: 24 accumulators, for 32-register (AVX-512) hardware. */
    private static void kernel12(int kc, float[] a, int aPanel, float[] b, int bPanel,
                                 float[] C, int c, int ldc, float[] init, int io, int ild) {
        FloatVector c00 = FloatVector.zero(SPECIES), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
        FloatVector c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
        FloatVector c60 = c00, c61 = c00, c70 = c00, c71 = c00, c80 = c00, c81 = c00;
        FloatVector c90 = c00, c91 = c00, ca0 = c00, ca1 = c00, cb0 = c00, cb1 = c00;
        for (int p = 0; p < kc; p++) {
            int ai = aPanel + p * 12, bi = bPanel + p * NR;
            FloatVector b0 = FloatVector.fromArray(SPECIES, b, bi);
            FloatVector b1 = FloatVector.fromArray(SPECIES, b, bi + LANES);
            FloatVector x = FloatVector.broadcast(SPECIES, a[ai]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(SPECIES, a[ai + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(SPECIES, a[ai + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(SPECIES, a[ai + 3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(SPECIES, a[ai + 4]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(SPECIES, a[ai + 5]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
            x = FloatVector.broadcast(SPECIES, a[ai + 6]);
            c60 = x.fma(b0, c60);
            c61 = x.fma(b1, c61);
            x = FloatVector.broadcast(SPECIES, a[ai + 7]);
            c70 = x.fma(b0, c70);
            c71 = x.fma(b1, c71);
            x = FloatVector.broadcast(SPECIES, a[ai + 8]);
            c80 = x.fma(b0, c80);
            c81 = x.fma(b1, c81);
            x = FloatVector.broadcast(SPECIES, a[ai + 9]);
            c90 = x.fma(b0, c90);
            c91 = x.fma(b1, c91);
            x = FloatVector.broadcast(SPECIES, a[ai + 10]);
            ca0 = x.fma(b0, ca0);
            ca1 = x.fma(b1, ca1);
            x = FloatVector.broadcast(SPECIES, a[ai + 11]);
            cb0 = x.fma(b0, cb0);
            cb1 = x.fma(b1, cb1);
        }
        if (init != null) {
            c00 = c00.add(FloatVector.fromArray(SPECIES, init, io));
            c01 = c01.add(FloatVector.fromArray(SPECIES, init, io + LANES));
            c10 = c10.add(FloatVector.fromArray(SPECIES, init, io + 1 * ild));
            c11 = c11.add(FloatVector.fromArray(SPECIES, init, io + 1 * ild + LANES));
            c20 = c20.add(FloatVector.fromArray(SPECIES, init, io + 2 * ild));
            c21 = c21.add(FloatVector.fromArray(SPECIES, init, io + 2 * ild + LANES));
            c30 = c30.add(FloatVector.fromArray(SPECIES, init, io + 3 * ild));
            c31 = c31.add(FloatVector.fromArray(SPECIES, init, io + 3 * ild + LANES));
            c40 = c40.add(FloatVector.fromArray(SPECIES, init, io + 4 * ild));
            c41 = c41.add(FloatVector.fromArray(SPECIES, init, io + 4 * ild + LANES));
            c50 = c50.add(FloatVector.fromArray(SPECIES, init, io + 5 * ild));
            c51 = c51.add(FloatVector.fromArray(SPECIES, init, io + 5 * ild + LANES));
            c60 = c60.add(FloatVector.fromArray(SPECIES, init, io + 6 * ild));
            c61 = c61.add(FloatVector.fromArray(SPECIES, init, io + 6 * ild + LANES));
            c70 = c70.add(FloatVector.fromArray(SPECIES, init, io + 7 * ild));
            c71 = c71.add(FloatVector.fromArray(SPECIES, init, io + 7 * ild + LANES));
            c80 = c80.add(FloatVector.fromArray(SPECIES, init, io + 8 * ild));
            c81 = c81.add(FloatVector.fromArray(SPECIES, init, io + 8 * ild + LANES));
            c90 = c90.add(FloatVector.fromArray(SPECIES, init, io + 9 * ild));
            c91 = c91.add(FloatVector.fromArray(SPECIES, init, io + 9 * ild + LANES));
            ca0 = ca0.add(FloatVector.fromArray(SPECIES, init, io + 10 * ild));
            ca1 = ca1.add(FloatVector.fromArray(SPECIES, init, io + 10 * ild + LANES));
            cb0 = cb0.add(FloatVector.fromArray(SPECIES, init, io + 11 * ild));
            cb1 = cb1.add(FloatVector.fromArray(SPECIES, init, io + 11 * ild + LANES));
        }
        c00.intoArray(C, c);
        c01.intoArray(C, c + LANES);
        c10.intoArray(C, c + 1 * ldc);
        c11.intoArray(C, c + 1 * ldc + LANES);
        c20.intoArray(C, c + 2 * ldc);
        c21.intoArray(C, c + 2 * ldc + LANES);
        c30.intoArray(C, c + 3 * ldc);
        c31.intoArray(C, c + 3 * ldc + LANES);
        c40.intoArray(C, c + 4 * ldc);
        c41.intoArray(C, c + 4 * ldc + LANES);
        c50.intoArray(C, c + 5 * ldc);
        c51.intoArray(C, c + 5 * ldc + LANES);
        c60.intoArray(C, c + 6 * ldc);
        c61.intoArray(C, c + 6 * ldc + LANES);
        c70.intoArray(C, c + 7 * ldc);
        c71.intoArray(C, c + 7 * ldc + LANES);
        c80.intoArray(C, c + 8 * ldc);
        c81.intoArray(C, c + 8 * ldc + LANES);
        c90.intoArray(C, c + 9 * ldc);
        c91.intoArray(C, c + 9 * ldc + LANES);
        ca0.intoArray(C, c + 10 * ldc);
        ca1.intoArray(C, c + 10 * ldc + LANES);
        cb0.intoArray(C, c + 11 * ldc);
        cb1.intoArray(C, c + 11 * ldc + LANES);
    }

    /** Rejects negative sizes, short leading dimensions and any index that would fall outside an array. */
    private static void checkShapes(String op, boolean transA, boolean transB, int M, int N, int K,
                                    float[] A, int offA, int lda, long strideA, float[] B, int offB, int ldb,
                                    long strideB, float[] C, int offC, int ldc, long strideC, int batch) {
        if (M < 0 || N < 0 || K < 0) {
            throw new IllegalArgumentException(op + ": sizes must be >= 0, got M=" + M + " N=" + N + " K=" + K);
        }
        // Stored shapes: A is (M, K) or (K, M) when transposed; B is (K, N) or (N, K).
        checkOperand(op, "A", A, offA, lda, strideA, batch, transA ? K : M, transA ? M : K);
        checkOperand(op, "B", B, offB, ldb, strideB, batch, transB ? N : K, transB ? K : N);
        checkOperand(op, "C", C, offC, ldc, strideC, batch, M, N);
    }

    private static void checkOperand(String op, String name, float[] x, int off, int ld, long stride, int batch,
                                     int rows, int cols) {
        if (ld < Math.max(1, cols)) {
            throw new IllegalArgumentException(op + ": ld" + name.toLowerCase() + "=" + ld + " is less than the "
                    + cols + " columns of stored " + name + " (" + rows + ", " + cols + ")");
        }
        if (rows == 0 || cols == 0 || batch == 0) return;
        if (x == null) throw new IllegalArgumentException(op + ": " + name + " is null");
        if (off < 0 || stride < 0) {
            throw new IllegalArgumentException(op + ": " + name + " offset " + off + " and stride " + stride
                    + " must be >= 0");
        }
        long last = off + (batch - 1) * stride + (long) (rows - 1) * ld + (cols - 1);
        if (last >= x.length) {
            throw new IllegalArgumentException(op + ": stored " + name + " (" + rows + ", " + cols + ") with ld="
                    + ld + " offset=" + off + (batch > 1 ? " batch=" + batch + " stride=" + stride : "")
                    + " needs index " + last + " but the array has length " + x.length);
        }
    }

    /** Width of the B blocks for cols columns: as many blocks as NC-wide ones take, of equal width (a multiple of NR). */
    static int blockWidth(int cols) {
        int blocks = ceilDiv(cols, NC);
        return ceilDiv(ceilDiv(cols, blocks), NR) * NR;
    }

    /** First tile of block blk when tiles are split into that many near-equal blocks (in long: blk * tiles can pass 2^31). */
    private static int firstTile(int blk, int tiles, int blocks) {
        return (int) ((long) blk * tiles / blocks);
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
