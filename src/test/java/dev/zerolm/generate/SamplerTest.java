package dev.zerolm.generate;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class SamplerTest {

    private static final float[] LOGITS = {1f, 3f, 2f, 0f, -1f};

    @Test
    void greedyPicksTheLargestLogit() {
        assertThat(new Sampler(SamplingConfig.greedy(1)).next(LOGITS)).isEqualTo(1);
    }

    @Test
    void topKOneIsGreedyWhateverTheTemperature() {
        Sampler s = new Sampler(new SamplingConfig(1, 5f, 1, 1f, List.of(), 3));
        for (int i = 0; i < 50; i++) assertThat(s.next(LOGITS)).isEqualTo(1);
    }

    @Test
    void topKRestrictsToTheKMostLikely() {
        Sampler s = new Sampler(new SamplingConfig(1, 1f, 2, 1f, List.of(), 3));
        for (int i = 0; i < 200; i++) assertThat(s.next(LOGITS)).isIn(1, 2);
    }

    @Test
    void topPKeepsTheSmallestNucleus() {
        // softmax(LOGITS): token 1 has ~0.63, tokens 1+2 ~0.86: top-p 0.7 keeps exactly {1, 2}
        Sampler s = new Sampler(new SamplingConfig(1, 1f, 0, 0.7f, List.of(), 4));
        for (int i = 0; i < 200; i++) assertThat(s.next(LOGITS)).isIn(1, 2);
    }

    @Test
    void samplingFrequenciesFollowTheSoftmax() {
        Sampler s = new Sampler(new SamplingConfig(1, 1f, 0, 1f, List.of(), 5));
        int n = 20000, ones = 0;
        for (int i = 0; i < n; i++) if (s.next(LOGITS) == 1) ones++;
        double z = 0;
        for (float l : LOGITS) z += Math.exp(l);
        assertThat(ones / (double) n).isCloseTo(Math.exp(3) / z, within(0.02));
    }

    @Test
    void sameSeedSameSamples() {
        Sampler a = new Sampler(new SamplingConfig(1, 1f, 0, 1f, List.of(), 9));
        Sampler b = new Sampler(new SamplingConfig(1, 1f, 0, 1f, List.of(), 9));
        for (int i = 0; i < 100; i++) assertThat(a.next(LOGITS)).isEqualTo(b.next(LOGITS));
    }

    @Test
    void invalidSettingsAreRejectedWithTheirName() {
        assertThatThrownBy(() -> new SamplingConfig(1, -1f, 0, 1f, List.of(), 0)).hasMessageContaining("temperature");
        assertThatThrownBy(() -> new SamplingConfig(1, 1f, 0, 0f, List.of(), 0)).hasMessageContaining("top-p");
    }
}
