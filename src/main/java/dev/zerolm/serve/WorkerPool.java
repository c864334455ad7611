package dev.zerolm.serve;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * A fixed number of worker threads and a bounded queue in front of them. A request that finds both full is refused
 * at once (the server answers 429); one that waits or runs past its deadline is cancelled, and a queued one that
 * never started is simply dropped.
 *
 * <p>Admission counts requests (running or waiting) against workers + queueSize, rather than leaving it to a bounded
 * queue: a burst that arrives before the idle workers have taken the first jobs off the queue would otherwise find
 * the queue full and get 429s with workers free.
 */
public final class WorkerPool implements AutoCloseable {

    private final ThreadPoolExecutor executor;
    private final int queueSize;
    private final int capacity;
    private final AtomicInteger admitted = new AtomicInteger();
    private final AtomicInteger busy = new AtomicInteger();

    public WorkerPool(int workers, int queueSize) {
        this.queueSize = queueSize;
        this.capacity = workers + queueSize;
        BlockingQueue<Runnable> queue = new LinkedBlockingQueue<>();    // bounded by admission, see above
        AtomicInteger ids = new AtomicInteger();
        executor = new ThreadPoolExecutor(workers, workers, 0, TimeUnit.SECONDS, queue, r -> {
            Thread t = new Thread(r, "zerolm-worker-" + ids.incrementAndGet());
            t.setDaemon(true);
            return t;
        }, new ThreadPoolExecutor.AbortPolicy());
        executor.prestartAllCoreThreads();
    }

    /** Requests waiting for a worker. */
    public int queueDepth() {
        return executor.getQueue().size();
    }

    /** Requests a worker is computing. */
    public int busy() {
        return busy.get();
    }

    /**
     * Runs work on a worker and waits for it until deadlineNanos (System.nanoTime). work receives a supplier that
     * turns true once the request is cancelled (deadline passed, or {@link Job#cancel}) and should then stop.
     * Throws 429 when the queue is full, 503 when the pool is shutting down, 504 after the deadline.
     */
    public <T> T run(Function<BooleanSupplier, T> work, long deadlineNanos, long timeoutSeconds) throws InterruptedException {
        if (executor.isShutdown()) throw ApiException.shuttingDown();
        if (admitted.incrementAndGet() > capacity) {
            admitted.decrementAndGet();
            throw ApiException.overloaded(queueSize);
        }
        Job<T> job = new Job<>(work, deadlineNanos);
        try {
            executor.execute(job);
        } catch (RejectedExecutionException e) {          // shut down since the check above
            job.release();
            throw ApiException.shuttingDown();
        }
        if (!job.done.await(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS)) {
            job.cancel();
            if (executor.remove(job)) job.release();         // never started
            else job.done.await();                          // running: it stops within one step
            if (job.error == null) throw ApiException.timeout(timeoutSeconds);
        }
        if (job.error instanceof CancellationException) throw ApiException.timeout(timeoutSeconds);
        if (job.error instanceof RuntimeException re) throw re;
        if (job.error instanceof Error err) throw err;
        if (job.error != null) throw new IllegalStateException(job.error);
        return job.result;
    }

    /** Stops taking work and waits up to the grace period for queued and running requests to finish. */
    public boolean drain(long graceSeconds) throws InterruptedException {
        executor.shutdown();
        return executor.awaitTermination(graceSeconds, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }

    /** One request's work, its result or error, and its cancellation flag. */
    private final class Job<T> implements Runnable {
        private final Function<BooleanSupplier, T> work;
        private final long deadlineNanos;
        private final AtomicBoolean cancelled = new AtomicBoolean(), released = new AtomicBoolean();
        private final CountDownLatch done = new CountDownLatch(1);
        private volatile T result;
        private volatile Throwable error;

        Job(Function<BooleanSupplier, T> work, long deadlineNanos) {
            this.work = work;
            this.deadlineNanos = deadlineNanos;
        }

        void cancel() {
            cancelled.set(true);
        }

        /** Gives its place back to the next request, once. */
        void release() {
            if (released.compareAndSet(false, true)) admitted.decrementAndGet();
        }

        @Override
        public void run() {
            busy.incrementAndGet();
            try {
                BooleanSupplier stop = () -> cancelled.get() || System.nanoTime() - deadlineNanos > 0;
                if (stop.getAsBoolean()) throw new CancellationException("the deadline passed while the request was queued");
                result = work.apply(stop);
            } catch (Throwable t) {
                error = t;
            } finally {
                busy.decrementAndGet();
                release();
                done.countDown();
            }
        }
    }
}
