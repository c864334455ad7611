package dev.zerolm.train;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LrScheduleTest {

    @Test
    void warmupCosineEqualsNanoGptGetLrAtEveryStep() {
        SafetensorsF32 golden = SafetensorsF32.load("/golden/optim.safetensors");
        float[] expected = golden.tensor("cosine.lr").toArray();
        var schedule = new LrSchedule.WarmupCosine(
                Float.parseFloat(golden.meta("cosine.max_lr")), Float.parseFloat(golden.meta("cosine.min_lr")),
                Integer.parseInt(golden.meta("cosine.warmup_steps")), Integer.parseInt(golden.meta("cosine.total_steps")));
        for (int step = 0; step < expected.length; step++) {
            assertThat(schedule.lr(step)).as("step %d", step).isEqualTo(expected[step]);
        }
    }

    @Test
    void warmupCosineKeyStepsFollowTheFormula() {
        var s = new LrSchedule.WarmupCosine(1f, 0.1f, 9, 109);
        assertThat(s.lr(0)).isEqualTo(0.1f);            // (0 + 1) / (9 + 1): the first step is not zero
        assertThat(s.lr(8)).isEqualTo(0.9f);
        assertThat(s.lr(9)).isEqualTo(1f);              // warmup done: cosine starts at the top
        assertThat(s.lr(59)).isEqualTo(0.55f);          // half way: (max + min) / 2
        assertThat(s.lr(109)).isEqualTo(0.1f);
        assertThat(s.lr(5000)).isEqualTo(0.1f);
    }

    @Test
    void linearDecayWarmsUpThenFallsInAStraightLine() {
        var s = new LrSchedule.LinearDecay(1f, 0f, 4, 104);
        assertThat(s.lr(0)).isEqualTo(0.2f);
        assertThat(s.lr(4)).isEqualTo(1f);
        assertThat(s.lr(29)).isEqualTo(0.75f);
        assertThat(s.lr(54)).isEqualTo(0.5f);
        assertThat(s.lr(104)).isEqualTo(0f);
        assertThat(s.lr(200)).isEqualTo(0f);
    }

    @Test
    void constantIgnoresTheStep() {
        var s = new LrSchedule.Constant(3e-4f);
        assertThat(s.lr(0)).isEqualTo(3e-4f);
        assertThat(s.lr(1_000_000)).isEqualTo(3e-4f);
    }

    @Test
    void namedBuildsEachScheduleAndRejectsUnknownNames() {
        assertThat(LrSchedule.named("constant", 1f, 0f, 10, 100)).isEqualTo(new LrSchedule.Constant(1f));
        assertThat(LrSchedule.named("cosine", 1f, 0f, 10, 100)).isEqualTo(new LrSchedule.WarmupCosine(1f, 0f, 10, 100));
        assertThat(LrSchedule.named("linear", 1f, 0f, 10, 100)).isEqualTo(new LrSchedule.LinearDecay(1f, 0f, 10, 100));
        assertThatThrownBy(() -> LrSchedule.named("step", 1f, 0f, 10, 100))
                .hasMessageContaining("'step'").hasMessageContaining("cosine");
    }

    @Test
    void warmupLongerThanTheScheduleIsRejected() {
        assertThatThrownBy(() -> new LrSchedule.WarmupCosine(1f, 0f, 100, 100))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("warmup 100");
    }
}
