package dev.zerolm.tensor.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zerolm.autograd.GradMode;
import dev.zerolm.tensor.BufferPool;
import dev.zerolm.tensor.NNOps;
import dev.zerolm.tensor.Parallel;
import dev.zerolm.tensor.Rng;
import dev.zerolm.tensor.ShapeException;
import dev.zerolm.tensor.Tensor;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

class FlashAttentionTest {

    /** Largest difference allowed, relative to the largest magnitude of the reference. */
    private static final double TOLERANCE = 1e-5;

    private int savedThreads;

    @BeforeEach
    void saveThreads() {
        savedThreads = Parallel.threads();
    }

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(savedThreads);
    }

    /** The plain composition of ops the fused kernel replaces: softmax(q kᵀ / √hs, causal mask) v. */
    static Tensor composedAttention(Tensor q, Tensor k, Tensor v, boolean causal) {
        int Tq = q.size(2), Tk = k.size(2);
        float scale = (float) (1 / Math.sqrt(q.size(3)));
        Tensor scores = q.matmul(k.transpose(-2, -1)).mul(scale);         // (B, nh, Tq, Tk)
        if (causal) {
            float[] future = new float[Tq * Tk];                           // query i sits at position Tk - Tq + i
            for (int i = 0; i < Tq; i++) for (int j = Tk - Tq + i + 1; j < Tk; j++) future[i * Tk + j] = 1f;
            scores = scores.maskedFill(Tensor.of(future, Tq, Tk), Float.NEGATIVE_INFINITY);
        }
        return scores.softmax(-1).matmul(v);
    }

    /** The output and the gradients of q, k and v under the loss sum(out ∘ r). */
    private record Run(Tensor out, Tensor dq, Tensor dk, Tensor dv) {}

    private static Run run(boolean fused, int[] qShape, int[] kShape, boolean causal, long seed) {
        Rng rng = new Rng(seed);
        Tensor q = Tensor.randn(rng, qShape).requiresGrad(true);
        Tensor k = Tensor.randn(rng, kShape).requiresGrad(true);
        Tensor v = Tensor.randn(rng, kShape).requiresGrad(true);
        Tensor r = Tensor.randn(rng, qShape);
        Tensor out = fused ? NNOps.scaledDotProductAttention(q, k, v, causal) : composedAttention(q, k, v, causal);
        out.mul(r).sum().backward();
        return new Run(out.detach(), q.grad(), k.grad(), v.grad());
    }

    private static void assertCloseToReference(String what, Tensor actual, Tensor reference) {
        assertThat(actual.shape()).as(what + " shape").containsExactly(reference.shape());
        float[] a = actual.toArray(), b = reference.toArray();
        double maxDiff = 0, maxRef = 0;
        for (int i = 0; i < a.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
            maxRef = Math.max(maxRef, Math.abs(b[i]));
        }
        assertThat(maxDiff).as(what + ": max |fused - composed| relative to max |composed| = " + maxRef)
                .isLessThanOrEqualTo(TOLERANCE * Math.max(maxRef, 1e-30));
    }

    private static void assertFusedMatchesComposed(int B, int nh, int T, int hs, boolean causal, int threads) {
        Parallel.setThreads(threads);
        int[] shape = {B, nh, T, hs};
        String what = "(" + B + "," + nh + "," + T + "," + hs + ") causal=" + causal + " threads=" + threads;
        Run fused = run(true, shape, shape, causal, 42 + T);
        Run ref = run(false, shape, shape, causal, 42 + T);
        assertCloseToReference(what + " out", fused.out(), ref.out());
        assertCloseToReference(what + " dq", fused.dq(), ref.dq());
        assertCloseToReference(what + " dk", fused.dk(), ref.dk());
        assertCloseToReference(what + " dv", fused.dv(), ref.dv());
    }

    @Test
    void forwardAndGradientsMatchTheComposedOpsOnOddShapes() {
        int[][] shapes = {{1, 1, 1, 1}, {2, 3, 17, 5}, {1, 2, 3, 16}, {2, 1, 65, 24}, {1, 2, 130, 64}};
        for (int[] s : shapes) {
            for (boolean causal : new boolean[] {true, false}) {
                assertFusedMatchesComposed(s[0], s[1], s[2], s[3], causal, 1);
            }
        }
    }

    @Test
    void everyThreadCountGivesTheSameBits() {
        int[] shape = {1, 2, 130, 64};
        Run single = null;
        for (int threads = 1; threads <= 4; threads++) {
            for (boolean causal : new boolean[] {true, false}) assertFusedMatchesComposed(1, 2, 130, 64, causal, threads);
            Parallel.setThreads(threads);
            Run r = run(true, shape, shape, true, 7);
            if (single == null) {
                single = r;
                continue;
            }
            assertThat(r.out().toArray()).as("out, %d threads", threads).containsExactly(single.out().toArray());
            assertThat(r.dq().toArray()).as("dq, %d threads", threads).containsExactly(single.dq().toArray());
            assertThat(r.dk().toArray()).as("dk, %d threads", threads).containsExactly(single.dk().toArray());
            assertThat(r.dv().toArray()).as("dv, %d threads", threads).containsExactly(single.dv().toArray());
        }
    }

    @Test
    void queriesAfterACacheMatchTheComposedOpsAndTheLastRowsOfTheFullPass() {
        for (int[] c : new int[][] {{5, 12}, {1, 300}, {70, 200}}) {          // (new queries, keys so far)
            int Tq = c[0], Tk = c[1];
            Run fused = run(true, new int[] {2, 3, Tq, 16}, new int[] {2, 3, Tk, 16}, true, Tk);
            Run ref = run(false, new int[] {2, 3, Tq, 16}, new int[] {2, 3, Tk, 16}, true, Tk);
            assertCloseToReference("Tq=" + Tq + " Tk=" + Tk + " out", fused.out(), ref.out());
            assertCloseToReference("Tq=" + Tq + " Tk=" + Tk + " dq", fused.dq(), ref.dq());
            assertCloseToReference("Tq=" + Tq + " Tk=" + Tk + " dk", fused.dk(), ref.dk());
            assertCloseToReference("Tq=" + Tq + " Tk=" + Tk + " dv", fused.dv(), ref.dv());
        }
        Rng rng = new Rng(3);
        Tensor q = Tensor.randn(rng, 1, 2, 40, 8), k = Tensor.randn(rng, 1, 2, 40, 8), v = Tensor.randn(rng, 1, 2, 40, 8);
        Tensor full = NNOps.scaledDotProductAttention(q, k, v, true);
        Tensor lastSix = NNOps.scaledDotProductAttention(q.narrow(2, 34, 6), k, v, true);
        assertCloseToReference("last rows", lastSix, full.narrow(2, 34, 6));
    }

    @Test
    void crossAttentionShapesWithoutAMaskMatchTheComposedOps() {
        Run fused = run(true, new int[] {2, 2, 9, 12}, new int[] {2, 2, 70, 12}, false, 5);
        Run ref = run(false, new int[] {2, 2, 9, 12}, new int[] {2, 2, 70, 12}, false, 5);
        assertCloseToReference("out", fused.out(), ref.out());
        assertCloseToReference("dq", fused.dq(), ref.dq());
        assertCloseToReference("dk", fused.dk(), ref.dk());
        assertCloseToReference("dv", fused.dv(), ref.dv());
    }

    @Test
    void stridedViewsAsInputsGiveTheSameResultAsContiguousOnes() {
        Rng rng = new Rng(9);
        Tensor qkv = Tensor.randn(rng, 2, 10, 3, 2, 8).permute(2, 0, 3, 1, 4);   // (3, B, nh, T, hs) views
        Tensor q = qkv.select(0, 0), k = qkv.select(0, 1), v = qkv.select(0, 2);
        assertCloseToReference("views", NNOps.scaledDotProductAttention(q, k, v, true), composedAttention(q, k, v, true));
    }

    @Test
    @Tag("fresh-jvm")
    void longSequencesRunWithoutAllocatingAScoreMatrix() {
        Parallel.setThreads(1);                                           // all the work on this thread, where it is counted
        int T = 4096, hs = 64;
        long scoreMatrixBytes = 4L * T * T;                               // 64 MiB for one head
        // Until the JIT has compiled the kernel, every vector op is boxed (short-lived garbage). Warm it up on short
        // sequences first; once compiled, a pass allocates only its linear-size arrays: outputs, gradients,
        // transposed K and V. How long compilation takes depends on the machine's load, hence the loop.
        long warmUntil = System.nanoTime() + 20_000_000_000L;
        long linearBytesAt256 = 16L * 256 * hs * Float.BYTES;            // q, k, v, out, their gradients, copies: 1 MiB
        while (System.nanoTime() < warmUntil && forwardBackwardAllocatedBytes(256, hs) > 2 * linearBytesAt256) {
            for (int i = 0; i < 20; i++) forwardBackwardAllocatedBytes(256, hs);
        }
        long firstPass = forwardBackwardAllocatedBytes(T, hs);
        long compiledPass = firstPass;
        for (int pass = 0; pass < 4 && compiledPass >= scoreMatrixBytes / 4; pass++) {
            compiledPass = Math.min(compiledPass, forwardBackwardAllocatedBytes(T, hs));
        }
        assertThat(compiledPass).as("bytes allocated by forward + backward (first pass: %d)", firstPass)
                .isLessThan(scoreMatrixBytes / 4);
    }

    /** Bytes the calling thread allocates for one causal forward and backward pass at (1, 1, T, hs). */
    private static long forwardBackwardAllocatedBytes(int T, int hs) {
        Rng rng = new Rng(11);
        Tensor q = Tensor.randn(rng, 1, 1, T, hs).requiresGrad(true);
        Tensor k = Tensor.randn(rng, 1, 1, T, hs).requiresGrad(true);
        Tensor v = Tensor.randn(rng, 1, 1, T, hs).requiresGrad(true);
        Tensor dOut = Tensor.randn(rng, 1, 1, T, hs);
        var threadBean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threadBean.getCurrentThreadAllocatedBytes();
        Tensor out = NNOps.scaledDotProductAttention(q, k, v, true);
        out.backward(dOut, false);
        long allocated = threadBean.getCurrentThreadAllocatedBytes() - before;
        assertThat(out.toArray()).doesNotContain(Float.NaN);
        assertThat(q.grad().toArray()).doesNotContain(Float.NaN);
        return allocated;
    }

    /** Attention from a fused (B, T, 3C) projection the plain way: view, permute, select, compose, merge heads. */
    private static Tensor composedAttentionFromQkv(Tensor qkv, int nh, boolean causal) {
        int B = qkv.size(0), T = qkv.size(1), C = qkv.size(2) / 3;
        Tensor heads = qkv.view(B, T, 3, nh, C / nh).permute(2, 0, 3, 1, 4);   // (3, B, nh, T, hs)
        Tensor y = composedAttention(heads.select(0, 0), heads.select(0, 1), heads.select(0, 2), causal);
        return y.transpose(1, 2).reshape(B, T, C);
    }

    @Test
    void attentionFromQkvMatchesTheComposedOpsForwardAndBackward() {
        int[][] shapes = {{2, 37, 3, 5}, {1, 1, 1, 4}, {3, 65, 2, 16}, {1, 130, 4, 64}};   // B, T, nh, hs
        for (int threads = 1; threads <= 4; threads++) {
            Parallel.setThreads(threads);
            for (int[] s : shapes) {
                for (boolean causal : new boolean[] {true, false}) {
                    int B = s[0], T = s[1], nh = s[2], C = nh * s[3];
                    String what = "(B=" + B + ", T=" + T + ", nh=" + nh + ", hs=" + s[3] + ") causal=" + causal + " threads=" + threads;
                    Rng rng = new Rng(T + nh);
                    Tensor qkvFused = Tensor.randn(rng, B, T, 3 * C).requiresGrad(true);
                    Tensor qkvComposed = qkvFused.detach().contiguous().requiresGrad(true);
                    Tensor r = Tensor.randn(rng, B, T, C);
                    Tensor fused = NNOps.attentionFromQkv(qkvFused, nh, causal);
                    Tensor composed = composedAttentionFromQkv(qkvComposed, nh, causal);
                    fused.mul(r).sum().backward();
                    composed.mul(r).sum().backward();
                    assertCloseToReference(what + " out", fused.detach(), composed.detach());
                    assertCloseToReference(what + " dqkv", qkvFused.grad(), qkvComposed.grad());
                }
            }
        }
    }

    @Test
    void recycledArraysFullOfNaNDoNotLeakIntoTheOutput() {
        int B = 2, T = 70, nh = 2, C = nh * 8;
        Tensor qkv = Tensor.randn(new Rng(11), B, T, 3 * C);
        float[] expected = NNOps.attentionFromQkv(qkv, nh, true).toArray();     // grad on: fresh arrays
        BufferPool.clear();
        java.util.List<float[]> stale = new java.util.ArrayList<>();
        for (int n : new int[] {B * T * C, B * nh * T}) {                       // the sizes of the heads, out, logsumexp
            for (int i = 0; i < 6; i++) stale.add(BufferPool.take(n));
        }
        for (float[] a : stale) {
            java.util.Arrays.fill(a, Float.NaN);
            BufferPool.give(a);
        }
        try (var noGrad = GradMode.noGrad()) {
            assertThat(NNOps.attentionFromQkv(qkv, nh, true).toArray()).containsExactly(expected);
        }
    }

    @Test
    void attentionFromQkvRejectsAWidthThatIsNotThreeWholeHeadGroups() {
        assertThatThrownBy(() -> NNOps.attentionFromQkv(Tensor.zeros(1, 4, 20), 3, true))
                .isInstanceOf(ShapeException.class)
                .hasMessageContaining("(1,4,20)");
    }

    @Test
    void rejectsCausalAttentionWithMoreQueriesThanKeys() {
        assertThatThrownBy(() -> NNOps.scaledDotProductAttention(Tensor.zeros(1, 1, 5, 4), Tensor.zeros(1, 1, 3, 4),
                Tensor.zeros(1, 1, 3, 4), true))
                .isInstanceOf(ShapeException.class)
                .hasMessageContaining("5 queries over 3 keys");
    }

    @Test
    void rejectsMismatchedHeadSizes() {
        assertThatThrownBy(() -> NNOps.scaledDotProductAttention(Tensor.zeros(1, 2, 5, 4), Tensor.zeros(1, 2, 5, 8),
                Tensor.zeros(1, 2, 5, 8), false))
                .isInstanceOf(ShapeException.class)
                .hasMessageContaining("q (1,2,5,4) and k (1,2,5,8)");
    }
}
