import dev.zerolm.bench.GemmCase;
import dev.zerolm.bench.PyTorchGemmTurns;
import dev.zerolm.bench.PyTorchReference;
import dev.zerolm.tensor.Parallel;
import dev.zerolm.tensor.kernels.Gemm;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

/**
 * ZeroLM's GEMM against PyTorch's, call by call, on a machine too noisy for separate runs: a PyTorch child process
 * (bench/pytorch_reference.py --turns, as `zerolm bench` uses it) and this JVM take turns on the same product, with a
 * pause between turns so the other side's threads are asleep, and the report is the median of the per-pair speed ratios: a slow
 * stretch of the machine hits both sides of a pair alike.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp target/zerolm.jar tools/ab/GemmVsTorch.java M K N NN|NT|TN PAIRS [THREADS]
 * </pre>
 */
public class GemmVsTorch {

    /** Idle time before each call: OpenBLAS's threads keep polling for a while after one (-Dpause=ms to change). */
    static final long PAUSE_MILLIS = Long.getLong("pause", 250);

    public static void main(String[] args) throws Exception {
        if (args.length < 5) {
            System.err.println("usage: GemmVsTorch M K N NN|NT|TN PAIRS [THREADS]");
            System.exit(2);
        }
        int M = Integer.parseInt(args[0]), K = Integer.parseInt(args[1]), N = Integer.parseInt(args[2]);
        String layout = args[3];
        boolean transA = layout.charAt(0) == 'T', transB = layout.charAt(1) == 'T';
        int pairs = Integer.parseInt(args[4]);
        int threads = args.length > 5 ? Integer.parseInt(args[5]) : Runtime.getRuntime().availableProcessors();
        Parallel.setThreads(threads);

        // PyTorch's side is the bench's: bench/pytorch_reference.py --turns, with the fair set-up.
        PyTorchGemmTurns torch = PyTorchGemmTurns.start(Path.of("/usr/bin/python3"), Path.of(PyTorchReference.SCRIPT), threads);
        System.out.println("pytorch: " + torch.info().version() + ", " + torch.info().blas());
        torch.row(new GemmCase(M, K, N, transA, transB).id());

        float[] A = random(M * K, 1), B = random(K * N, 2), C = new float[M * N];
        int lda = transA ? M : K, ldb = transB ? K : N;
        double gflop = 2.0 * M * N * K * 1e-9;
        double[] ours = new double[pairs], theirs = new double[pairs], ratio = new double[pairs];
        // Untimed turns first, for at least 5 s, as the bench warms up: the JIT compiles the kernels over seconds.
        long warmEnd = System.nanoTime() + 5_000_000_000L;
        for (int i = 0; i < 3 || System.nanoTime() < warmEnd; i++) {
            Gemm.gemm(transA, transB, M, N, K, 1f, A, 0, lda, B, 0, ldb, 0f, C, 0, N);
            torch.call();
        }
        for (int pair = 0; pair < pairs; pair++) {
            Thread.sleep(PAUSE_MILLIS);
            long t0 = System.nanoTime();
            Gemm.gemm(transA, transB, M, N, K, 1f, A, 0, lda, B, 0, ldb, 0f, C, 0, N);
            double mine = (System.nanoTime() - t0) * 1e-9;
            Thread.sleep(PAUSE_MILLIS);
            double other = torch.call();
            ours[pair] = gflop / mine;
            theirs[pair] = gflop / other;
            ratio[pair] = ours[pair] / theirs[pair];
        }
        torch.close();
        Arrays.sort(ours);
        Arrays.sort(theirs);
        Arrays.sort(ratio);
        System.out.printf("%dx%dx%d %s, %d threads, %d pairs: ZeroLM median %.1f GFLOP/s (max %.1f), PyTorch median %.1f"
                        + " (max %.1f) | ratio median %.3f (quartiles %.3f-%.3f)%n", M, K, N, layout, threads, pairs,
                ours[pairs / 2], ours[pairs - 1], theirs[pairs / 2], theirs[pairs - 1],
                ratio[pairs / 2], ratio[pairs / 4], ratio[3 * pairs / 4]);
        System.exit(0);                                        // the worker pool's threads would keep the JVM up
    }

    private static float[] random(int n, long seed) {
        Random rnd = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = rnd.nextFloat() - 0.5f;
        return x;
    }
}
