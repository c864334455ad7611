package dev.zerolm.tensor;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ParallelTest {

    private final int saved = Parallel.threads();

    @AfterEach
    void restore() {
        Parallel.beforeWorkerClaims = null;
        Parallel.setThreads(saved);
    }

    /** Every index of [0, n) is visited exactly once, for every thread count and chunk size. */
    @Test
    void everyIndexOnceForEveryThreadCount() {
        for (int threads = 1; threads <= 4; threads++) {
            Parallel.setThreads(threads);
            for (int n : new int[] {1, 2, 3, 7, 64, 1000}) {
                for (int minChunk : new int[] {1, 3, 100}) {
                    int[] visits = new int[n];
                    for (int rep = 0; rep < 50; rep++) {
                        Parallel.forRange(n, minChunk, (s, e) -> {
                            for (int i = s; i < e; i++) visits[i]++;
                        });
                    }
                    for (int i = 0; i < n; i++) {
                        assertThat(visits[i]).as("threads %d n %d minChunk %d index %d", threads, n, minChunk, i).isEqualTo(50);
                    }
                }
            }
        }
    }

    /** The chunks are the same however they are run, so a result never depends on timing. */
    @Test
    void chunksDependOnlyOnSizeAndThreadCount() {
        Parallel.setThreads(3);
        ConcurrentLinkedQueue<String> first = new ConcurrentLinkedQueue<>(), second = new ConcurrentLinkedQueue<>();
        Parallel.forRange(10, 1, (s, e) -> first.add(s + ".." + e));
        Parallel.forRange(10, 1, (s, e) -> second.add(s + ".." + e));
        assertThat(first).containsExactlyInAnyOrder("0..4", "4..7", "7..10");
        assertThat(second).containsExactlyInAnyOrderElementsOf(first);
    }

    /** A worker late to wake (here: 2 s) does not hold the caller up: the caller runs the worker's chunk, the same chunk. */
    @Test
    void theCallerRunsTheChunkOfAWorkerLateToWake() {
        Parallel.setThreads(2);
        Parallel.forRange(2, 1, (s, e) -> {});                            // the worker is up and waiting
        Parallel.beforeWorkerClaims = () -> {
            try {
                Thread.sleep(2000);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        };
        Thread caller = Thread.currentThread();
        ConcurrentLinkedQueue<String> chunks = new ConcurrentLinkedQueue<>();
        long t0 = System.nanoTime();
        Parallel.forRange(10, 1, (s, e) -> chunks.add(s + ".." + e + (Thread.currentThread() == caller ? " caller" : " worker")));
        long millis = (System.nanoTime() - t0) / 1_000_000;
        assertThat(chunks).containsExactlyInAnyOrder("0..5 caller", "5..10 caller");
        assertThat(millis).as("the caller did not wait for the worker").isLessThan(1500);
    }

    /** Dynamic chunks: every index once, in chunks of the grain, for every thread count. */
    @Test
    void dynamicChunksVisitEveryIndexOnce() {
        for (int threads = 1; threads <= 4; threads++) {
            Parallel.setThreads(threads);
            for (int n : new int[] {1, 2, 3, 7, 64, 1000}) {
                for (int grain : new int[] {1, 3, 100}) {
                    int[] visits = new int[n];
                    ConcurrentLinkedQueue<Integer> sizes = new ConcurrentLinkedQueue<>();
                    for (int rep = 0; rep < 20; rep++) {
                        Parallel.forDynamic(n, grain, (s, e) -> {
                            assertThat(s % grain).isZero();
                            sizes.add(e - s);
                            for (int i = s; i < e; i++) visits[i]++;
                        });
                    }
                    for (int i = 0; i < n; i++) {
                        assertThat(visits[i]).as("threads %d n %d grain %d index %d", threads, n, grain, i).isEqualTo(20);
                    }
                    assertThat(sizes).allMatch(size -> size == grain || size == n % grain);
                }
            }
        }
    }

    /** A slow thread takes fewer dynamic chunks: the others keep taking them instead of waiting. */
    @Test
    void dynamicChunksGoToWhoeverIsFree() {
        Parallel.setThreads(2);
        Thread caller = Thread.currentThread();
        int[] byCaller = new int[1];
        java.util.concurrent.atomic.AtomicInteger byWorker = new java.util.concurrent.atomic.AtomicInteger();
        Parallel.forDynamic(40, 1, (s, e) -> {
            if (Thread.currentThread() == caller) {
                byCaller[0]++;
                try {
                    Thread.sleep(20);                                      // the caller is the slow one
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
            } else {
                byWorker.incrementAndGet();
            }
        });
        assertThat(byCaller[0] + byWorker.get()).isEqualTo(40);
        assertThat(byWorker.get()).isGreaterThan(byCaller[0]);
    }

    @Test
    void aFailingDynamicChunkReachesTheCallerAndStopsTheRest() {
        Parallel.setThreads(2);
        java.util.concurrent.atomic.AtomicInteger ran = new java.util.concurrent.atomic.AtomicInteger();
        assertThatThrownBy(() -> Parallel.forDynamic(1000, 1, (s, e) -> {
            ran.incrementAndGet();
            if (s == 3) throw new IllegalStateException("chunk " + s + " failed");
            try {
                Thread.sleep(1);                 // the others take long enough for the failure to be seen (not a race)
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        })).isInstanceOf(IllegalStateException.class).hasMessage("chunk 3 failed");
        assertThat(ran.get()).isLessThan(1000);
        int[] sum = new int[4];
        Parallel.forDynamic(4, 1, (s, e) -> sum[s] = 1);
        assertThat(sum).containsExactly(1, 1, 1, 1);
    }

    @Test
    void aFailingChunkOnAWorkerReachesTheCaller() {
        Parallel.setThreads(2);
        assertThatThrownBy(() -> Parallel.forRange(2, 1, (s, e) -> {
            if (s == 1) throw new IllegalStateException("chunk " + s + " failed");
        })).isInstanceOf(IllegalStateException.class).hasMessage("chunk 1 failed");
        // The workers are still usable afterwards.
        int[] sum = new int[2];
        Parallel.forRange(2, 1, (s, e) -> sum[s] = 1);
        assertThat(sum).containsExactly(1, 1);
    }

    @Test
    void nestedCallsRunInline() {
        Parallel.setThreads(2);
        int[][] cells = new int[4][4];
        Parallel.forRange(4, 1, (s, e) -> {
            for (int i = s; i < e; i++) {
                int row = i;
                Parallel.forRange(4, 1, (s2, e2) -> {
                    for (int j = s2; j < e2; j++) cells[row][j]++;
                });
            }
        });
        for (int[] row : cells) assertThat(row).containsOnly(1);
    }

    /** Two threads launching kernels at once both get complete results (the second runs its chunks itself). */
    @Test
    void concurrentCallers() throws Exception {
        Parallel.setThreads(2);
        int n = 4096;
        AtomicReferenceArray<int[]> results = new AtomicReferenceArray<>(2);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch start = new CountDownLatch(1);
        Thread[] callers = new Thread[2];
        for (int c = 0; c < 2; c++) {
            int caller = c;
            callers[c] = new Thread(() -> {
                try {
                    start.await();
                    int[] visits = new int[n];
                    for (int rep = 0; rep < 2000; rep++) {
                        Parallel.forRange(n, 1, (s, e) -> {
                            for (int i = s; i < e; i++) visits[i]++;
                        });
                    }
                    results.set(caller, visits);
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            callers[c].start();
        }
        start.countDown();
        for (Thread t : callers) t.join(60_000);
        assertThat(failure.get()).isNull();
        for (int c = 0; c < 2; c++) assertThat(results.get(c)).containsOnly(2000);
    }
}
