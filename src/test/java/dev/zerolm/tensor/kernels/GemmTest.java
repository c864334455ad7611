package dev.zerolm.tensor.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zerolm.tensor.Parallel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

class GemmTest {

    private static final boolean[] BOOLS = {false, true};

    private int savedThreads;

    @BeforeEach
    void saveThreads() {
        savedThreads = Parallel.threads();
    }

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(savedThreads);
    }

    /**
     * One product with random operands stored at an offset and with padded leading dimensions,
     * plus its reference result computed in double.
     */
    private record Problem(boolean transA, boolean transB, int M, int N, int K, float alpha, float beta,
                           float[] A, int offA, int lda, float[] B, int offB, int ldb,
                           float[] C0, int offC, int ldc) {

        static Problem random(Random rnd, boolean transA, boolean transB, int M, int N, int K,
                              float alpha, float beta, int offset, int pad) {
            int aRows = transA ? K : M, aCols = transA ? M : K;
            int bRows = transB ? N : K, bCols = transB ? K : N;
            int lda = aCols + pad, ldb = bCols + pad, ldc = N + pad;
            return new Problem(transA, transB, M, N, K, alpha, beta,
                    randomArray(rnd, offset + aRows * lda), offset, lda,
                    randomArray(rnd, offset + bRows * ldb), offset, ldb,
                    randomArray(rnd, offset + M * ldc), offset, ldc);
        }

        float a(int i, int k) {
            return transA ? A[offA + k * lda + i] : A[offA + i * lda + k];
        }

        float b(int k, int j) {
            return transB ? B[offB + j * ldb + k] : B[offB + k * ldb + j];
        }

        /** Runs Gemm on a fresh copy of C and returns it. */
        float[] run() {
            float[] C = C0.clone();
            Gemm.gemm(transA, transB, M, N, K, alpha, A, offA, lda, B, offB, ldb, beta, C, offC, ldc);
            return C;
        }

        /** Asserts C matches the double-precision reference inside the block and is untouched outside. */
        void check(float[] C, String context) {
            double[] aRow = new double[K];
            for (int i = 0; i < M; i++) {
                for (int k = 0; k < K; k++) aRow[k] = a(i, k);
                for (int j = 0; j < N; j++) {
                    double sum = 0, magnitude = 0;
                    for (int k = 0; k < K; k++) {
                        double p = aRow[k] * b(k, j);
                        sum += p;
                        magnitude += Math.abs(p);
                    }
                    double old = beta == 0f ? 0 : beta * (double) C0[offC + i * ldc + j];
                    double expected = alpha * sum + old;
                    double tolerance = 2e-7 * (K + 10) * (Math.abs(alpha) * magnitude + Math.abs(old)) + 1e-30;
                    float got = C[offC + i * ldc + j];
                    if (!(Math.abs(got - expected) <= tolerance)) {
                        throw new AssertionError(describe(context) + ": C[" + i + "," + j + "] = " + got
                                + ", expected " + expected + " within " + tolerance);
                    }
                }
            }
            for (int idx = 0; idx < C.length; idx++) {
                int rel = idx - offC;
                boolean inside = rel >= 0 && rel / ldc < M && rel % ldc < N;
                if (!inside && Float.floatToRawIntBits(C[idx]) != Float.floatToRawIntBits(C0[idx])) {
                    throw new AssertionError(describe(context) + ": wrote outside C at index " + idx);
                }
            }
        }

        String describe(String context) {
            return String.format("%s%s M=%d N=%d K=%d alpha=%s beta=%s lda=%d ldb=%d ldc=%d off=%d (%s)",
                    transA ? "T" : "N", transB ? "T" : "N", M, N, K, alpha, beta, lda, ldb, ldc, offA, context);
        }
    }

    private static float[] randomArray(Random rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = rnd.nextFloat() * 2 - 1;
        return x;
    }

    /** (M, N, K) triples covering the unpacked (skinny) path, every edge case of the packed path and blocking. */
    private static List<int[]> shapes(Random rnd) {
        List<int[]> shapes = new ArrayList<>();
        int[] small = {1, 3, 17, 31, 64};
        for (int m : small) for (int n : small) for (int k : small) shapes.add(new int[] {m, n, k});
        int[][] fixed = {
            {100, 129, 100}, {129, 100, 31}, {129, 129, 129}, {3, 1000, 17}, {1000, 3, 17}, {17, 31, 1000},
            {300, 40, 600},  // several MC blocks, a partial KC block (KC is 256 or 512 by CPU)
            {7, 3100, 20},   // more columns than one NC block (768 or 1536)
            {145, 33, 70},   // one row past whole MC blocks (72 rows each)
            {768, 40, 30},   // 64 row tiles: 11 blocks of 60-72 rows on one thread, 12 on two to four
            {577, 40, 50},   // transposed A: one row past two blocks of 288 rows
            {120, 3500, 40}, // wide and shallow: threads split columns (less packing), past one NC block per thread
            {400, 1700, 400}, // rows split, two or three B blocks of equal width (the last one narrower), a partial KC block
            {40, 3200, 1030}, // rows split, three B blocks at either NC, three KC blocks at either KC (the last partial)
            {200, 4100, 400}, // few rows, many B blocks per thread: A packed once per K block (an LM head's shape)
            {6, 32, 256}, {12, 64, 512}, {150, 70, 257},
            {1, 2304, 96}, {2, 300, 200}, {4, 129, 257}, {7, 200, 100}, {16, 70, 300}, {17, 200, 100},   // skinny (generation), just past it
        };
        shapes.addAll(Arrays.asList(fixed));
        for (int r = 0; r < 12; r++) {
            shapes.add(new int[] {1 + rnd.nextInt(200), 1 + rnd.nextInt(200), 1 + rnd.nextInt(300)});
        }
        return shapes;
    }

    @Test
    void matchesNaiveProductForAllLayoutsAndManyShapes() {
        Random rnd = new Random(1);
        for (int[] s : shapes(rnd)) {
            for (boolean ta : BOOLS) {
                for (boolean tb : BOOLS) {
                    Problem p = Problem.random(rnd, ta, tb, s[0], s[1], s[2], 1f, 0f, 0, 0);
                    p.check(p.run(), "plain");
                }
            }
        }
    }

    @Test
    void honoursOffsetsAndLeadingDimensionsLargerThanRows() {
        Random rnd = new Random(2);
        int[][] shapes = {{5, 7, 3}, {33, 65, 17}, {70, 45, 300}, {13, 200, 129}};
        for (int[] s : shapes) {
            for (boolean ta : BOOLS) {
                for (boolean tb : BOOLS) {
                    Problem p = Problem.random(rnd, ta, tb, s[0], s[1], s[2], 1f, 0f, 11, 5);
                    p.check(p.run(), "offset 11, padding 5");
                }
            }
        }
    }

    @Test
    void appliesAlphaAndBetaToProductAndExistingC() {
        Random rnd = new Random(3);
        float[][] scalars = {{0.5f, 1f}, {-2f, 0.25f}, {1.5f, -1f}, {1f, 1f}, {0f, 3f}};
        int[][] shapes = {{4, 5, 6}, {50, 70, 90}, {131, 33, 300}};
        for (float[] ab : scalars) {
            for (int[] s : shapes) {
                for (boolean ta : BOOLS) {
                    for (boolean tb : BOOLS) {
                        Problem p = Problem.random(rnd, ta, tb, s[0], s[1], s[2], ab[0], ab[1], 3, 2);
                        p.check(p.run(), "alpha/beta");
                    }
                }
            }
        }
    }

    @Test
    void betaZeroOverwritesNaNGarbageInC() {
        Random rnd = new Random(4);
        int[][] shapes = {{3, 3, 3}, {40, 50, 60}, {129, 100, 31}};
        for (int[] s : shapes) {
            for (boolean ta : BOOLS) {
                for (boolean tb : BOOLS) {
                    Problem p = Problem.random(rnd, ta, tb, s[0], s[1], s[2], 1f, 0f, 0, 0);
                    Arrays.fill(p.C0(), Float.NaN);
                    float[] C = p.run();
                    for (int i = 0; i < s[0] * s[1]; i++) assertThat(C[i]).isFinite();
                    p.check(C, "NaN garbage");
                }
            }
        }
    }

    @Test
    void resultIsBitIdenticalForAnyThreadCount() {
        Random rnd = new Random(5);
        int[][] shapes = {{300, 200, 400}, {5, 700, 300}, {130, 70, 50}, {1000, 17, 64}, {1, 2000, 300}, {4, 700, 150}, {11, 900, 100}, {120, 3500, 40}, {200, 4100, 400},
                {130, 384, 768}, {130, 40, 768}, {384, 128, 768}};  // weight-gradient shapes: row blocks shrink for the threads
        for (int[] s : shapes) {
            for (boolean ta : BOOLS) {
                for (boolean tb : BOOLS) {
                    Problem p = Problem.random(rnd, ta, tb, s[0], s[1], s[2], 0.75f, 0.5f, 1, 3);
                    Parallel.setThreads(1);
                    float[] single = p.run();
                    p.check(single, "1 thread");
                    for (int t = 2; t <= 4; t++) {
                        Parallel.setThreads(t);
                        assertThat(p.run()).as("%s with %d threads", p.describe(""), t).isEqualTo(single);
                    }
                }
            }
        }
    }

    @Test
    @Tag("fresh-jvm")
    void resultsDoNotChangeOnceTheJitHasCompiledTheKernels() {
        // The first calls run interpreted, later ones compiled; a horizontal sum whose order depends on which (the
        // Vector API's reduceLanes) once made a LoRA layer with B = 0 change a model's outputs in the last bit.
        Random rnd = new Random(11);
        List<Problem> problems = new ArrayList<>();
        for (int[] s : new int[][] {{1, 40, 70}, {4, 33, 100}, {16, 20, 45}, {20, 30, 40}, {3, 5, 7}}) {
            for (boolean tb : BOOLS) problems.add(Problem.random(rnd, false, tb, s[0], s[1], s[2], 1f, 0f, 0, 0));
        }
        List<float[]> cold = new ArrayList<>();
        for (Problem p : problems) cold.add(p.run());
        for (int rep = 0; rep < 3000; rep++) for (Problem p : problems) p.run();        // enough calls for C2
        for (int i = 0; i < problems.size(); i++) {
            assertThat(problems.get(i).run()).as(problems.get(i).describe("compiled")).isEqualTo(cold.get(i));
        }
    }

    @Test
    void batchedMatchesOneGemmPerMatrix() {
        Random rnd = new Random(6);
        // (B, nh, T, hs)-style: att = q @ kᵀ then y = att @ v, batched over B*nh.
        int[][] cases = {{12, 64, 64, 16}, {3, 100, 100, 32}, {1, 50, 40, 30}, {5, 7, 9, 11}};
        for (int threads : new int[] {1, 2, 3}) {
            Parallel.setThreads(threads);
            for (int[] c : cases) {
                int batch = c[0], M = c[1], N = c[2], K = c[3];
                for (boolean ta : BOOLS) {
                    for (boolean tb : BOOLS) {
                        int strideA = M * K + 3, strideB = K * N + 1, strideC = M * N + 2;
                        float[] A = randomArray(rnd, batch * strideA), B = randomArray(rnd, batch * strideB);
                        float[] C0 = randomArray(rnd, batch * strideC);
                        int lda = ta ? M : K, ldb = tb ? K : N;
                        float[] batched = C0.clone();
                        Gemm.gemmBatched(ta, tb, M, N, K, 1.25f, A, 0, lda, B, 0, ldb, 0.5f, batched, 0, N,
                                batch, strideA, strideB, strideC);
                        float[] oneByOne = C0.clone();
                        for (int b = 0; b < batch; b++) {
                            Gemm.gemm(ta, tb, M, N, K, 1.25f, A, b * strideA, lda, B, b * strideB, ldb,
                                    0.5f, oneByOne, b * strideC, N);
                        }
                        assertThat(batched).as("batch=%d M=%d N=%d K=%d ta=%s tb=%s threads=%d",
                                batch, M, N, K, ta, tb, threads).isEqualTo(oneByOne);
                    }
                }
            }
        }
    }

    @Test
    void emptyInnerDimensionOnlyScalesC() {
        float[] C = {1, 2, 3, 4, Float.NaN, 6};
        Gemm.gemm(false, false, 2, 3, 0, 1f, new float[0], 0, 1, new float[0], 0, 3, 2f, C, 0, 3);
        assertThat(C).containsExactly(2, 4, 6, 8, Float.NaN, 12);
        Gemm.gemm(false, false, 2, 3, 0, 1f, new float[0], 0, 1, new float[0], 0, 3, 0f, C, 0, 3);
        assertThat(C).containsOnly(0f);
        Gemm.gemm(false, false, 0, 0, 5, 1f, null, 0, 5, null, 0, 1, 0f, null, 0, 1);
    }

    @Test
    void rejectsOperandsThatDoNotFitTheirArrays() {
        float[] A = new float[6], B = new float[6], C = new float[4];
        assertThatThrownBy(() -> Gemm.gemm(false, false, 2, 2, 4, 1f, A, 0, 4, B, 0, 2, 0f, C, 0, 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("gemm: stored A (2, 4)")
                .hasMessageContaining("array has length 6");
        assertThatThrownBy(() -> Gemm.gemm(false, true, 2, 2, 3, 1f, A, 0, 3, B, 0, 2, 0f, C, 0, 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ldb=2 is less than the 3 columns of stored B (2, 3)");
        assertThatThrownBy(() -> Gemm.gemm(false, false, -1, 2, 3, 1f, A, 0, 3, B, 0, 2, 0f, C, 0, 2))
                .hasMessageContaining("M=-1");
        assertThatThrownBy(() -> Gemm.gemmBatched(false, false, 2, 2, 3, 1f, A, 0, 3, B, 0, 2, 0f, C, 0, 2,
                2, 0, 0, 4))
                .hasMessageContaining("stored C (2, 2)")
                .hasMessageContaining("batch=2 stride=4");
    }
}
