package dev.zerolm.bench;

import dev.zerolm.tensor.Rng;
import dev.zerolm.tensor.kernels.Gemm;

import java.util.ArrayList;
import java.util.List;

/**
 * One matrix product C (M, N) = op(A) (M, K) · op(B) (K, N) the transformer spends its time in. A linear layer's
 * forward is A·B; its backward needs A·Bᵀ (input gradient) and Aᵀ·B (weight gradient), so all three are timed.
 */
public record GemmCase(int M, int K, int N, boolean transA, boolean transB) {

    /** (4096, 768, 768): attention projection; (4096, 768, 3072) and (4096, 3072, 768): the MLP; 1024³: reference. */
    public static final int[][] SHAPES = {{4096, 768, 768}, {4096, 768, 3072}, {4096, 3072, 768}, {1024, 1024, 1024}};

    /** Every shape in the layouts A·B, A·Bᵀ and Aᵀ·B. */
    public static List<GemmCase> all() {
        List<GemmCase> out = new ArrayList<>();
        for (int[] s : SHAPES) {
            out.add(new GemmCase(s[0], s[1], s[2], false, false));
            out.add(new GemmCase(s[0], s[1], s[2], false, true));
            out.add(new GemmCase(s[0], s[1], s[2], true, false));
        }
        return out;
    }

    /** "NN", "NT" or "TN": which operand is stored transposed. */
    public String layout() {
        return (transA ? "T" : "N") + (transB ? "T" : "N");
    }

    /** Row id shared with the PyTorch script, e.g. "gemm.4096x768x768.NT". */
    public String id() {
        return "gemm." + M + "x" + K + "x" + N + "." + layout();
    }

    /** e.g. "GEMM 4096x768x768 A*B^T". */
    public String label() {
        return "GEMM " + M + "x" + K + "x" + N + " " + (transA ? "A^T" : "A") + "*" + (transB ? "B^T" : "B");
    }

    public double flops() {
        return 2.0 * M * N * K;
    }

    /** GFLOP/s of ZeroLM's {@link Gemm#gemm} on random operands, timed by plan. */
    public Stats measure(TimingPlan plan) {
        Rng rng = new Rng(42);
        float[] a = random(rng, M * K), b = random(rng, K * N), c = new float[M * N];
        int lda = transA ? M : K;   // A stored (K, M) when transposed, else (M, K)
        int ldb = transB ? K : N;   // B stored (N, K) when transposed, else (K, N)
        double[] seconds = plan.time(() -> { }, () -> Gemm.gemm(transA, transB, M, N, K, 1f, a, 0, lda, b, 0, ldb, 0f, c, 0, N));
        return Stats.ratesOf(flops() * 1e-9, seconds);
    }

    private static float[] random(Rng rng, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = rng.nextFloat() - 0.5f;
        return x;
    }
}
