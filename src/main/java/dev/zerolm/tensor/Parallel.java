package dev.zerolm.tensor;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The one shared set of worker threads every kernel uses. Its size comes from {@code --threads}, else the
 * {@code ZEROLM_THREADS} environment variable, else the number of cores.
 *
 * <p>A training step of a small model is hundreds of kernels of tens of microseconds each, so the hand-off
 * matters as much as the split. Workers wait for the next kernel by spinning for a short while before they
 * sleep (as OpenMP's active wait does): a kernel that follows another within that window starts on every core
 * at once, without the wake-up latency of a parked thread (about 10 µs per kernel with a ForkJoinPool).
 */
public final class Parallel {

    /** A body of work over the half-open range [start, end). */
    @FunctionalInterface
    public interface RangeBody {
        void run(int start, int end);
    }

    /**
     * How long an idle worker (or a caller waiting for the workers) spins before it parks. Waking a parked thread on
     * an idle core took 1.5-3 ms on a 2-core VM, so a wait that parks inside a kernel costs more than the kernel: GEMM
     * 1024x1024x1024 ran at 0.64 of PyTorch's speed after an idle pause with 0.1 ms, 0.94 with 1 ms.
     */
    static final long SPIN_NANOS = Long.getLong("zerolm.spinNanos", 1_000_000L);

    private static volatile int threads = defaultThreads();

    /** Tests: what a worker runs before it claims chunks of a kernel, to play one slow to wake. */
    static volatile Runnable beforeWorkerClaims;

    private static final int CORES = Runtime.getRuntime().availableProcessors();

    /**
     * One turn of a wait loop. With a core per thread, a spin hint: Thread.yield here made a parked worker take 1.8-2.9
     * ms to wake instead of 20 µs (Linux 6.18 guest; a task that yields often is queued behind the busy caller when it
     * wakes). With more threads than cores, a yield, so a waiter does not keep the thread it waits for off the core.
     */
    private static void pause() {
        if (threads > CORES) Thread.yield();
        else Thread.onSpinWait();
    }
    private static volatile Workers workers;

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

    /** Sets the number of threads; the old workers stop once their current kernel is done. */
    public static synchronized void setThreads(int n) {
        if (n < 1) throw new IllegalArgumentException("--threads must be at least 1, got " + n);
        if (n == threads && workers != null) return;
        threads = n;
        Workers old = workers;
        workers = null;
        if (old != null) old.shutdown();
    }

    private static Workers workers() {
        Workers w = workers;
        if (w == null) {
            synchronized (Parallel.class) {
                if (workers == null) workers = new Workers(threads);
                w = workers;
            }
        }
        return w;
    }

    /**
     * Runs body over [0, n) split into at most {@code threads()} contiguous chunks of at least
     * {@code minChunk} items each; small ranges run on the calling thread with no hand-off cost.
     * The split depends only on n, minChunk and the thread count, so results are deterministic. Which thread runs a
     * chunk does not: the caller takes the next unclaimed chunk when it is done with its own, so a worker slow to wake
     * costs a kernel no more than running that chunk on the caller would.
     */
    public static void forRange(int n, int minChunk, RangeBody body) {
        if (n <= 0) return;
        int chunks = Math.max(1, Math.min(threads, n / Math.max(1, minChunk)));
        if (chunks == 1) {
            body.run(0, n);
            return;
        }
        int[] bounds = new int[chunks + 1];
        int per = n / chunks, rem = n % chunks;
        for (int c = 0, start = 0; c < chunks; c++) {
            bounds[c] = start;
            start += per + (c < rem ? 1 : 0);
        }
        bounds[chunks] = n;
        Workers w = workers();
        // Nested calls (from inside a chunk) and calls from a second thread while the workers are busy run their
        // chunks one after another here: same chunks, so the same results.
        if (w.size() < chunks - 1 || !w.tryRun(new Job(body, bounds))) {
            for (int c = 0; c < chunks; c++) body.run(bounds[c], bounds[c + 1]);
        }
    }

    /**
     * Runs body over [0, n) in chunks of {@code grain} items that the caller and the workers take one after another
     * as they finish, so a thread that runs slower (its core shared with another busy machine) takes fewer of them and
     * nobody waits for it at the end. Chunks always cover the same items, but which thread runs one varies: only for
     * bodies whose results do not depend on the thread.
     */
    public static void forDynamic(int n, int grain, RangeBody body) {
        if (n <= 0) return;
        int g = Math.max(1, grain);
        int chunks = (int) ((n + (long) g - 1) / g);
        int participants = Math.min(threads, chunks);
        if (participants > 1) {
            Workers w = workers();
            if (w.size() >= participants - 1 && w.tryRun(new Job(body, n, g, participants))) return;
        }
        for (int start = 0; start < n; start += g) body.run(start, Math.min(n, start + g));
    }

    /**
     * One kernel handed to the workers: chunks that the caller and the woken workers claim one after another until none
     * is left. Fixed chunks ({@link #forRange}) have bounds computed up front, so a chunk covers the same items
     * whoever runs it; dynamic ones ({@link #forDynamic}) are grain items each. Either way a worker that is late to
     * wake (parked, or its core taken by another busy machine) finds its chunk already done by the caller instead of
     * holding the caller up.
     */
    private static final class Job {
        /** Dropped once every chunk has run: the pool keeps the latest job, and must not keep what it captured. */
        RangeBody body;
        /** Fixed chunk c is [bounds[c], bounds[c + 1]); null for dynamic chunks. */
        final int[] bounds;
        /** Dynamic chunks: grain items each over [0, n). */
        final int n, grain;
        final int chunks;
        /** The caller and the first participants − 1 workers take chunks. */
        final int participants;
        /** The next chunk to claim. */
        final AtomicInteger next = new AtomicInteger();
        /** Chunks claimed and not yet finished or skipped; the caller waits for zero once it has claimed the rest. */
        final AtomicInteger running = new AtomicInteger();
        volatile Throwable failure;
        volatile Thread waiter;

        Job(RangeBody body, int[] bounds) {
            this(body, bounds, 0, 0, bounds.length - 1, bounds.length - 1);
        }

        Job(RangeBody body, int n, int grain, int participants) {
            this(body, null, n, grain, (int) ((n + (long) grain - 1) / grain), participants);
        }

        private Job(RangeBody body, int[] bounds, int n, int grain, int chunks, int participants) {
            this.body = body;
            this.bounds = bounds;
            this.n = n;
            this.grain = grain;
            this.chunks = chunks;
            this.participants = participants;
        }

        /** Claims and runs chunks until none is left; after a failure the rest are claimed and skipped. */
        void runChunks() {
            while (true) {
                running.incrementAndGet();                        // before the claim: the caller never sees 0 too soon
                int c = next.getAndIncrement();
                try {
                    if (c >= chunks) return;
                    if (failure == null) {
                        if (bounds != null) body.run(bounds[c], bounds[c + 1]);
                        else body.run(c * grain, (int) Math.min(n, (long) c * grain + grain));
                    }
                } catch (Throwable t) {
                    failure = t;                                  // the rest are claimed and skipped; the caller throws it
                } finally {
                    finish();
                }
            }
        }

        private void finish() {
            if (running.decrementAndGet() == 0) {
                Thread w = waiter;
                if (w != null) LockSupport.unpark(w);
            }
        }

        /** Waits until every chunk is claimed (the caller has taken the last) and every claimed one has finished. */
        void await() {
            long spinUntil = System.nanoTime() + SPIN_NANOS;
            while (running.get() != 0) {
                if (System.nanoTime() < spinUntil) {
                    pause();
                } else {
                    waiter = Thread.currentThread();
                    if (running.get() != 0) LockSupport.park(this);
                }
            }
        }
    }

    /** threads − 1 daemon threads; the caller of a kernel runs its first chunk itself. */
    private static final class Workers {
        private final Worker[] threads;
        private final ReentrantLock owner = new ReentrantLock();
        /** The latest kernel; a worker runs its chunk of each new one once. */
        private volatile Job job;
        private volatile boolean stopped;

        Workers(int n) {
            threads = new Worker[n - 1];
            for (int i = 0; i < threads.length; i++) {
                threads[i] = new Worker(this, i);
                threads[i].start();
            }
        }

        int size() {
            return threads.length;
        }

        /** Runs the job's shares on the workers and this thread; false (nothing run) when the workers are taken. */
        boolean tryRun(Job j) {
            if (Thread.currentThread() instanceof Worker || owner.isHeldByCurrentThread() || !owner.tryLock()) return false;
            try {
                job = j;
                for (int i = 0; i < j.participants - 1; i++) threads[i].wake();
                j.runChunks();
                j.await();
                j.body = null;                                    // e.g. an optimiser step's gradient, 150 MB for GPT-2's wte
                Throwable t = j.failure;
                if (t instanceof RuntimeException re) throw re;
                if (t instanceof Error err) throw err;
                if (t != null) throw new RuntimeException(t);
                return true;
            } finally {
                owner.unlock();
            }
        }

        void shutdown() {
            stopped = true;
            for (Worker w : threads) LockSupport.unpark(w);
        }
    }

    /** Worker i: spins, then sleeps, until a new kernel is posted; takes chunks of it if it is one of its participants; repeats. */
    private static final class Worker extends Thread {
        private final Workers pool;
        private final int index;
        private volatile boolean parked;

        Worker(Workers pool, int index) {
            super("zerolm-worker-" + (index + 1));
            this.pool = pool;
            this.index = index;
            setDaemon(true);
        }

        void wake() {
            if (parked) LockSupport.unpark(this);
        }

        @Override
        public void run() {
            Job seen = null;                                          // no kernel was posted before this pool existed
            while (true) {
                long spinUntil = System.nanoTime() + SPIN_NANOS;
                Job next;
                while ((next = pool.job) == seen && !pool.stopped) {
                    if (System.nanoTime() < spinUntil) {
                        pause();
                    } else {
                        parked = true;
                        if (pool.job == seen && !pool.stopped) LockSupport.park(pool);
                        parked = false;
                    }
                }
                if (pool.stopped) return;
                seen = next;
                if (index + 1 < next.participants) {
                    Runnable delay = beforeWorkerClaims;
                    if (delay != null) delay.run();
                    next.runChunks();
                }
            }
        }
    }
}
