package dev.zerolm.bench;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** The GEMM rows' turns: each side makes two calls a turn and only the second is timed. */
class GemmTurnsTest {

    /** Sleeps long on odd calls (a turn's first, once warm-up is done) and short on even ones. */
    private static void slowThenFast(AtomicInteger calls) {
        int c = calls.incrementAndGet();
        try {
            Thread.sleep(c % 2 == 1 ? 60 : 5);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void eachTurnTimesTheSecondOfTwoCallsOnBothSides() throws Exception {
        AtomicInteger ours = new AtomicInteger(), theirs = new AtomicInteger();
        // 2 warm-up calls each (even), then 3 turns of two calls each; no minimum times
        TimingPlan plan = new TimingPlan(2, 3, 0, 0, 3);
        GemmCase.Turns t = GemmCase.inTurns(plan, 1, () -> slowThenFast(ours), () -> {
            long t0 = System.nanoTime();
            slowThenFast(theirs);
            return (System.nanoTime() - t0) * 1e-9;
        }, 1e9);
        assertThat(ours.get()).isEqualTo(2 + 2 * 3);
        assertThat(theirs.get()).isEqualTo(2 + 2 * 3);
        // 1 GFLOP over a 5 ms call is 200 GFLOP/s; a timed 60 ms call would show as ~17
        assertThat(t.zerolm().samples()).isEqualTo(3);
        assertThat(t.zerolm().min()).isGreaterThan(30);
        assertThat(t.pytorch().samples()).isEqualTo(3);
        assertThat(t.pytorch().min()).isGreaterThan(30);
    }
}
