package dev.zerolm.tensor;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;

/**
 * The one shared thread pool every kernel uses. Its size comes from {@code --threads}, else the
 * {@code ZEROLM_THREADS} environment variable, else the number of cores.
 */
public final class Parallel {

    /** A body of work over the half-open range [start, end). */
    @FunctionalInterface
    public interface RangeBody {
        void run(int start, int end);
    }

    private static volatile int threads = defaultThreads();
    private static volatile ForkJoinPool pool;

    private Parallel() {}

    static int defaultThreads() {
        String env = System.getenv("ZEROLM_THREADS");
        if (env != null && !env.isBlank()) {
            try {
                int n = Integer.parseInt(env.trim());
                if (n > 0) return n;
            } catch (NumberFormatException ignored) {
                // fall through to all cores
            }
        }
        return Runtime.getRuntime().availableProcessors();
    }

    public static int threads() {
        return threads;
    }

    /** Sets the pool size; the old pool (if any) is shut down once its tasks finish. */
    public static synchronized void setThreads(int n) {
        if (n < 1) throw new IllegalArgumentException("--threads must be at least 1, got " + n);
        if (n == threads && pool != null) return;
        threads = n;
        ForkJoinPool old = pool;
        pool = null;
        if (old != null) old.shutdown();
    }

    private static ForkJoinPool pool() {
        ForkJoinPool p = pool;
        if (p == null) {
            synchronized (Parallel.class) {
                if (pool == null) pool = new ForkJoinPool(threads);
                p = pool;
            }
        }
        return p;
    }

    /**
     * Runs body over [0, n) split into at most {@code threads()} contiguous chunks of at least
     * {@code minChunk} items each; small ranges run on the calling thread with no hand-off cost.
     * The split depends only on n, minChunk and the thread count, so results are deterministic.
     */
    public static void forRange(int n, int minChunk, RangeBody body) {
        if (n <= 0) return;
        int t = threads;
        int chunks = Math.max(1, Math.min(t, n / Math.max(1, minChunk)));
        // Nested calls from inside a worker run inline: the pool is already busy with the outer split.
        if (chunks == 1 || Thread.currentThread() instanceof java.util.concurrent.ForkJoinWorkerThread w && w.getPool() == pool) {
            body.run(0, n);
            return;
        }
        ForkJoinPool p = pool();
        List<Future<?>> futures = new ArrayList<>(chunks - 1);
        int per = n / chunks, rem = n % chunks;
        int start = 0;
        int[] bounds = new int[chunks + 1];
        for (int c = 0; c < chunks; c++) {
            bounds[c] = start;
            start += per + (c < rem ? 1 : 0);
        }
        bounds[chunks] = n;
        for (int c = 1; c < chunks; c++) {
            final int s = bounds[c], e = bounds[c + 1];
            futures.add(p.submit(() -> body.run(s, e)));
        }
        body.run(bounds[0], bounds[1]);
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                throw new RuntimeException("interrupted while waiting for a parallel kernel", ie);
            } catch (ExecutionException ee) {
                Throwable cause = ee.getCause();
                if (cause instanceof RuntimeException re) throw re;
                if (cause instanceof Error err) throw err;
                throw new RuntimeException(cause);
            }
        }
    }
}
