package dev.zerolm.serve;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Admission: workers + queue requests are taken even when they all arrive at once; the next one gets 429. */
class WorkerPoolTest {

    private static final long FAR = Long.MAX_VALUE / 4;

    @Test
    void aBurstAsLargeAsWorkersPlusQueueIsAdmittedAndTheNextIsRefused() throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(4);
        try {
            for (int round = 0; round < 30; round++) {   // a bounded queue refused some of these bursts with workers idle
                try (WorkerPool pool = new WorkerPool(2, 2)) {
                    CountDownLatch release = new CountDownLatch(1);
                    CyclicBarrier together = new CyclicBarrier(4);
                    List<Future<Integer>> calls = new ArrayList<>();
                    for (int i = 0; i < 4; i++) {
                        int id = i;
                        calls.add(clients.submit(() -> {
                            together.await();
                            return pool.run(stop -> {
                                try {
                                    release.await();
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                }
                                return id;
                            }, System.nanoTime() + FAR, 60);
                        }));
                    }
                    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                    while (pool.busy() != 2 || pool.queueDepth() != 2) {     // both workers held, two waiting
                        assertThat(System.nanoTime()).as("four requests never got in").isLessThan(until);
                        for (Future<Integer> f : calls) {
                            if (f.isDone()) f.get();                    // surfaces a refusal as the failure
                        }
                        Thread.sleep(1);
                    }
                    assertThatThrownBy(() -> pool.run(stop -> 0, System.nanoTime() + FAR, 60))
                            .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(429));
                    release.countDown();
                    for (int i = 0; i < 4; i++) assertThat(calls.get(i).get(20, TimeUnit.SECONDS)).isEqualTo(i);
                    int after = pool.run(stop -> 7, System.nanoTime() + FAR, 60);
                    assertThat(after).as("places are given back").isEqualTo(7);
                }
            }
        } finally {
            clients.shutdownNow();
        }
    }

    @Test
    void aRequestThatTimesOutInTheQueueGivesItsPlaceBack() throws Exception {
        try (WorkerPool pool = new WorkerPool(1, 1)) {
            CountDownLatch release = new CountDownLatch(1);
            Thread holder = new Thread(() -> {
                try {
                    pool.run(stop -> {
                        try {
                            release.await();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        return 0;
                    }, System.nanoTime() + FAR, 60);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            holder.start();
            while (pool.busy() == 0) Thread.sleep(1);
            for (int i = 0; i < 3; i++) {                 // queued, times out, removed: its place must come back each time
                assertThatThrownBy(() -> pool.run(stop -> 0, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20), 1))
                        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(504));
            }
            release.countDown();
            holder.join();
            int after = pool.run(stop -> 5, System.nanoTime() + FAR, 60);
            assertThat(after).isEqualTo(5);
        }
    }
}
