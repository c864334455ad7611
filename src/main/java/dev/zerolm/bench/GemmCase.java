package dev.zerolm.bench;

import dev.zerolm.tensor.Rng;
import dev.zerolm.tensor.kernels.Gemm;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
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
        return Stats.ratesOf(flops() * 1e-9, plan.time(() -> { }, product()));
    }

    /** One call of ZeroLM's {@link Gemm#gemm} on this shape's random operands (made once, here). */
    private Runnable product() {
        Rng rng = new Rng(42);
        float[] a = random(rng, M * K), b = random(rng, K * N), c = new float[M * N];
        int lda = transA ? M : K;   // A stored (K, M) when transposed, else (M, K)
        int ldb = transB ? K : N;   // B stored (N, K) when transposed, else (K, N)
        return () -> Gemm.gemm(transA, transB, M, N, K, 1f, a, 0, lda, b, 0, ldb, 0f, c, 0, N);
    }

    /** ZeroLM's and PyTorch's GFLOP/s on this product, timed call for call in turns. */
    public record Turns(Stats zerolm, Stats pytorch) {}

    /**
     * Both sides of a row timed in turns, ZeroLM's calls then PyTorch's, so a slow stretch of a shared machine falls on
     * both alike; warm-up and timed calls by plan (the timed time counted on ZeroLM's calls). Before each turn the
     * other side's threads get {@link #PAUSE_MILLIS} to go to sleep; each turn is an untimed call and a timed one.
     */
    public Turns measureInTurns(TimingPlan plan, PyTorchGemmTurns torch) throws IOException, InterruptedException {
        torch.row(id());
        return inTurns(plan, PAUSE_MILLIS, product(), torch::call, flops());
    }

    /** One call of the other side's product; returns the seconds it took. */
    interface OtherCall {
        double seconds() throws IOException;
    }

    /** The turns of {@link #measureInTurns}: ours and theirs alternate, pauseMillis apart, each turn two calls. */
    static Turns inTurns(TimingPlan plan, long pauseMillis, Runnable ours, OtherCall theirs, double flops)
            throws IOException, InterruptedException {
        long warmEnd = System.nanoTime() + (long) (plan.minWarmupSeconds() * 1e9);
        for (int i = 0; i < plan.warmupSteps() || System.nanoTime() < warmEnd; i++) {
            ours.run();
            theirs.seconds();
        }
        double[] mine = new double[plan.maxTimedSteps()], other = new double[plan.maxTimedSteps()];
        double total = 0;
        int n = 0;
        while (n < plan.timedSteps() || (total < plan.minTimedSeconds() && n < plan.maxTimedSteps())) {
            Thread.sleep(pauseMillis);
            ours.run();                                  // untimed: wakes this side's threads and cores (see PAUSE_MILLIS)
            long t0 = System.nanoTime();
            ours.run();
            mine[n] = (System.nanoTime() - t0) * 1e-9;
            total += mine[n];
            Thread.sleep(pauseMillis);
            theirs.seconds();
            other[n++] = theirs.seconds();
        }
        double gflop = flops * 1e-9;
        return new Turns(Stats.ratesOf(gflop, Arrays.copyOf(mine, n)), Stats.ratesOf(gflop, Arrays.copyOf(other, n)));
    }

    /**
     * Idle time before each turn. OpenBLAS's worker threads keep polling for work (calling sched_yield) for a while
     * after a call, and ZeroLM's for 1 ms: until then they take cycles from the other side's next call. Measured
     * (tools/ab/GemmVsTorch.java -Dpause=..., 4096x768x768, 2 threads): ZeroLM's GEMM ran at 121-138 GFLOP/s with
     * pauses of 0, 50 and 100 ms, and at 179-199 with 150, 250 and 400 ms, so the window is 0.1-0.15 s here.
     * <p>
     * Each side then makes two calls back to back and only the second is timed: on a virtual machine the first call
     * after an idle spell is bimodal. On the 2-core AMD guest, 4096x768x768 calls after a 250 ms pause ran at 100-110
     * GFLOP/s (both threads at half speed, each on its own CPU) in 20-45% of turns, on both sides alike, against a
     * steady 190-205 back to back; the row's median then depended on how many turns fell slow (162-182 for ZeroLM,
     * 180-188 for PyTorch over six rows). A training step runs its products back to back, as the second call does.
     */
    static final long PAUSE_MILLIS = 250;

    private static float[] random(Rng rng, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = rng.nextFloat() - 0.5f;
        return x;
    }
}
