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

    @Test
    void roundsCombineAsTheMedianOfTheirMediansAndTheirWholeRange() {
        Stats r = Stats.ofRounds(java.util.List.of(new Stats(100, 90, 110, 5), new Stats(60, 40, 70, 5), new Stats(95, 80, 99, 5)));
        assertThat(r).isEqualTo(new Stats(95, 40, 110, 15));
        assertThatThrownBy(() -> Stats.ofRounds(java.util.List.of())).hasMessageContaining("no rounds");
    }

    @Test
    void benchRoundsBecomeOneRowPerIdWithBothSidesCombinedAndEachNoteOnce() {
        var round1 = java.util.List.of(new BenchRow("forward.C", "forward C", "tok/s", new Stats(800, 700, 900, 5), new Stats(700, 650, 720, 5), "n"),
                new BenchRow("gen.C", "generate C", "tok/s", null, null, "ZeroLM failed: x"));
        var round2 = java.util.List.of(new BenchRow("forward.C", "forward C", "tok/s", new Stats(600, 500, 610, 5), new Stats(640, 600, 700, 5), "n"),
                new BenchRow("gen.C", "generate C", "tok/s", new Stats(30, 29, 31, 5), null, ""));
        var round3 = java.util.List.of(new BenchRow("forward.C", "forward C", "tok/s", new Stats(850, 800, 990, 5), new Stats(690, 680, 750, 5), "n"),
                new BenchRow("gen.C", "generate C", "tok/s", new Stats(32, 31, 33, 5), null, ""));
        var rows = Bench.combineRounds(java.util.List.of(round1, round2, round3));
        assertThat(rows).extracting(BenchRow::id).containsExactly("forward.C", "gen.C");
        assertThat(rows.get(0).zerolm()).isEqualTo(new Stats(800, 500, 990, 15));
        assertThat(rows.get(0).pytorch()).isEqualTo(new Stats(690, 600, 750, 15));
        assertThat(rows.get(0).ratio()).isCloseTo(800.0 / 690, within(1e-12));
        assertThat(rows.get(0).note()).isEqualTo("n");
        assertThat(rows.get(1).zerolm()).isEqualTo(new Stats(31, 29, 33, 10));
        assertThat(rows.get(1).pytorch()).isNull();
        assertThat(Bench.combineRounds(java.util.List.of(round1))).isEqualTo(round1);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
