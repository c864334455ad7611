package dev.zerolm.bench;

import dev.zerolm.tensor.Parallel;
import dev.zerolm.tensor.kernels.Gemm;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Throughput of {@link Gemm#gemm} on the transformer's big shapes (M, K, N). The "gflop" counter in
 * JMH's output is GFLOP/s (2*M*N*K per call).
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp target/zerolm.jar org.openjdk.jmh.Main GemmBenchmark -f 1 -wi 2 -i 3
 * java --add-modules jdk.incubator.vector -cp target/zerolm.jar dev.zerolm.bench.GemmBenchmark [threads] [shapes] [layouts]
 *   e.g. ... GemmBenchmark 2 4096x768x3072,48*256x64x256 NN,NT
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
public class GemmBenchmark {

    /** M x K x N. */
    @Param({"4096x768x768", "4096x768x3072", "4096x3072x768", "1024x1024x1024"})
    public String shape;

    /** "NN" = A·B, "NT" = A·Bᵀ, "TN" = Aᵀ·B, "TT" = Aᵀ·Bᵀ. */
    @Param({"NN", "NT", "TN"})
    public String layout;

    @Param({"1", "2"})
    public int threads;

    private Problem problem;

    /** Reports GFLOP/s next to the raw call rate. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Flops {
        public double gflop;

        @Setup(Level.Iteration)
        public void reset() {
            gflop = 0;
        }
    }

    @Setup
    public void setup() {
        Parallel.setThreads(threads);
        problem = Problem.parse(shape, layout);
    }

    @Benchmark
    public float gemm(Flops flops) {
        problem.run();
        flops.gflop += problem.flops() * 1e-9;
        return problem.C[0];
    }

    /** batch independent (M, K, N) products in a given layout, with random operands. */
    record Problem(int batch, int M, int K, int N, boolean transA, boolean transB, float[] A, float[] B, float[] C) {

        /** Parses "MxKxN" or "batch*MxKxN" (e.g. "48*256x64x256" for attention scores). */
        static Problem parse(String shape, String layout) {
            int star = shape.indexOf('*');
            int batch = star < 0 ? 1 : Integer.parseInt(shape.substring(0, star));
            String[] dims = shape.substring(star + 1).split("x");
            int M = Integer.parseInt(dims[0]), K = Integer.parseInt(dims[1]), N = Integer.parseInt(dims[2]);
            Random rnd = new Random(42);
            return new Problem(batch, M, K, N, layout.charAt(0) == 'T', layout.charAt(1) == 'T',
                    random(rnd, batch * M * K), random(rnd, batch * K * N), new float[batch * M * N]);
        }

        private static float[] random(Random rnd, int n) {
            float[] x = new float[n];
            for (int i = 0; i < n; i++) x[i] = rnd.nextFloat() - 0.5f;
            return x;
        }

        double flops() {
            return 2.0 * batch * M * N * K;
        }

        void run() {
            int lda = transA ? M : K, ldb = transB ? K : N;
            if (batch == 1) {
                Gemm.gemm(transA, transB, M, N, K, 1f, A, 0, lda, B, 0, ldb, 0f, C, 0, N);
            } else {
                Gemm.gemmBatched(transA, transB, M, N, K, 1f, A, 0, lda, B, 0, ldb, 0f, C, 0, N,
                        batch, (long) M * K, (long) K * N, (long) M * N);
            }
        }
    }

    /** A quick timer without JMH: prints GFLOP/s for each shape/layout, best of a few runs. */
    public static void main(String[] args) {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : Parallel.threads();
        String[] shapes = args.length > 1 ? args[1].split(",")
                : new String[] {"4096x768x768", "4096x768x3072", "4096x3072x768", "1024x1024x1024"};
        String[] layouts = args.length > 2 ? args[2].split(",") : new String[] {"NN", "NT", "TN", "TT"};
        Parallel.setThreads(threads);
        for (String shape : shapes) {
            for (String layout : layouts) {
                Problem p = Problem.parse(shape, layout);
                double seconds = 2.0; // warm-up, then measure for about this long
                long warmEnd = System.nanoTime() + (long) (1e9 * seconds / 2);
                while (System.nanoTime() < warmEnd) p.run();
                double best = Double.MAX_VALUE;
                long end = System.nanoTime() + (long) (1e9 * seconds);
                while (System.nanoTime() < end) {
                    long t0 = System.nanoTime();
                    p.run();
                    best = Math.min(best, (System.nanoTime() - t0) * 1e-9);
                }
                System.out.printf("threads=%d %-18s %s  %8.3f ms  %7.1f GFLOP/s%n",
                        threads, shape, layout, best * 1e3, p.flops() / best * 1e-9);
            }
        }
        System.exit(0);
    }
}
