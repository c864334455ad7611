package dev.zerolm.bench;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Median and spread of samples, and the warm-up/timing loop that produces them. */
class StatsTest {

    @Test
    void medianOfAnOddCountIsTheMiddleValueWhateverTheOrder() {
        Stats s = Stats.of(9, 1, 5, 3, 7);
        assertThat(s.median()).isEqualTo(5);
        assertThat(s.min()).isEqualTo(1);
        assertThat(s.max()).isEqualTo(9);
        assertThat(s.samples()).isEqualTo(5);
    }

    @Test
    void medianOfAnEvenCountIsTheMeanOfTheMiddleTwo() {
        assertThat(Stats.of(4, 1, 2, 10).median()).isEqualTo(3);
    }

    @Test
    void oneOutlierMovesTheSpreadButNotTheMedian() {
        Stats s = Stats.of(100, 101, 99, 100, 20);
        assertThat(s.median()).isEqualTo(100);
        assertThat(s.min()).isEqualTo(20);
    }

    @Test
    void ratesDivideTheWorkByEachDuration() {
        Stats s = Stats.ratesOf(1000, new double[] {0.5, 2.0, 1.0});
        assertThat(s.median()).isEqualTo(1000);
        assertThat(s.min()).isEqualTo(500);
        assertThat(s.max()).isEqualTo(2000);
    }

    @Test
    void aSingleReadingHasNoSpread() {
        Stats s = Stats.single(412.5);
        assertThat(s.min()).isEqualTo(s.max()).isEqualTo(s.median()).isEqualTo(412.5);
        assertThat(s.samples()).isOne();
    }

    @Test
    void noSamplesOrAMedianOutsideTheSpreadIsRejected() {
        assertThatThrownBy(Stats::of).hasMessageContaining("no samples");
        assertThatThrownBy(() -> new Stats(5, 6, 7, 3)).hasMessageContaining("min <= median <= max");
    }

    @Test
    void planRunsTheWarmupUntimedThenTheTimedStepsEachAfterItsPreparation() {
        AtomicInteger prepared = new AtomicInteger(), stepped = new AtomicInteger();
        TimingPlan plan = new TimingPlan(2, 3, 0, 0, 10);
        double[] seconds = plan.time(prepared::incrementAndGet, stepped::incrementAndGet);
        assertThat(seconds).hasSize(3);
        for (double s : seconds) assertThat(s).isGreaterThanOrEqualTo(0);
        assertThat(stepped).hasValue(5);
        assertThat(prepared).hasValue(5);
        // The hook between warm-up and timing (where the bench reads its allocation and GC counters) runs once, there.
        AtomicInteger stepsBeforeHook = new AtomicInteger(-1), steps = new AtomicInteger();
        plan.time(() -> { }, steps::incrementAndGet, () -> stepsBeforeHook.compareAndSet(-1, steps.get()));
        assertThat(stepsBeforeHook).hasValue(2);
        assertThat(steps).hasValue(5);
    }

    @Test
    void planKeepsTimingQuickStepsUntilTheMinimumTimeButNotPastTheMaximumCount() {
        TimingPlan plan = new TimingPlan(0, 2, 0, 10.0, 6);   // 10 s would take far more than 6 steps of 1 ms
        double[] seconds = plan.time(() -> { }, () -> sleep(1));
        assertThat(seconds).hasSize(6);
        assertThat(seconds[0]).isCloseTo(0.001, within(0.05));
    }

    @Test
    void planRejectsFewerMaxStepsThanTimedSteps() {
        assertThatThrownBy(() -> new TimingPlan(1, 5, 0, 0, 3)).hasMessageContaining("timed 5, max 3");
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
