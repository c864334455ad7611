import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Random;

/**
 * Compares the GEMM of two (or more) ZeroLM jars inside one JVM, on a machine too noisy for separate runs: each jar
 * gets its own class loader, the calls alternate (A, B, A, B, ...), and the report is the median of the per-pair
 * speed ratios, so a slow stretch of the machine hits both sides of a pair alike.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector tools/ab/GemmAB.java M K N NN|NT|TN PAIRS old.jar new.jar[:gemm.nc=512,...]
 * </pre>
 * A jar may carry system properties for its Gemm, e.g. {@code new.jar:gemm.nc=384}: they are set just before its class
 * is loaded and stay set for the jars listed after it.
 * <p>Each jar also has its own worker pool, and while one jar runs the other's workers go to sleep. Products that
 * take a few milliseconds (1024x768x768) then read up to half as fast as they run alone (measured: median 150-270
 * GFLOP/s here, 300 with one pool): their ratio still compares the jars, their GFLOP/s do not.
 */
public class GemmAB {

    public static void main(String[] args) throws Throwable {
        if (args.length < 7) {
            System.err.println("usage: GemmAB M K N NN|NT|TN PAIRS JAR[:prop=value,...] JAR[:prop=value,...] ...");
            System.exit(2);
        }
        int M = Integer.parseInt(args[0]), K = Integer.parseInt(args[1]), N = Integer.parseInt(args[2]);
        boolean transA = args[3].charAt(0) == 'T', transB = args[3].charAt(1) == 'T';
        int pairs = Integer.parseInt(args[4]);
        int variants = args.length - 5;
        MethodHandle[] gemm = new MethodHandle[variants];
        for (int v = 0; v < variants; v++) gemm[v] = loadGemm(args[5 + v]);

        float[] A = random(M * K, 1), B = random(K * N, 2), C = new float[M * N];
        int lda = transA ? M : K, ldb = transB ? K : N;
        double flop = 2.0 * M * N * K;
        double[][] gflops = new double[variants][pairs];
        for (int pair = -3; pair < pairs; pair++) {                  // three untimed rounds for the JIT
            for (int v = 0; v < variants; v++) {
                long t0 = System.nanoTime();
                gemm[v].invoke(transA, transB, M, N, K, 1f, A, 0, lda, B, 0, ldb, 0f, C, 0, N);
                long t1 = System.nanoTime();
                if (pair >= 0) gflops[v][pair] = flop / (t1 - t0);
            }
        }
        for (int v = 0; v < variants; v++) {
            System.out.printf("%dx%dx%d %s  %-40s %s%n", M, K, N, args[3], args[5 + v],
                    AbJars.summary(gflops[v], gflops[0], "%6.1f", "GFLOP/s"));
        }
    }

    /** Gemm.gemm of one jar, in a class loader of its own, after setting the properties that follow the jar's path. */
    private static MethodHandle loadGemm(String spec) throws Exception {
        Class<?> gemm = Class.forName("dev.zerolm.tensor.kernels.Gemm", true, AbJars.load(spec));
        MethodType type = MethodType.methodType(void.class, boolean.class, boolean.class, int.class, int.class, int.class,
                float.class, float[].class, int.class, int.class, float[].class, int.class, int.class, float.class,
                float[].class, int.class, int.class);
        return MethodHandles.publicLookup().findStatic(gemm, "gemm", type);
    }

    private static float[] random(int n, long seed) {
        Random rnd = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = rnd.nextFloat() * 2 - 1;
        return x;
    }
}
