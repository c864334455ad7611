package dev.zerolm.train;

import dev.zerolm.models.GPT;
import dev.zerolm.models.GPTConfig;
import dev.zerolm.tensor.IntTensor;
import dev.zerolm.tensor.Rng;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class PerplexityTest {

    private static final GPT MODEL = new GPT(GPTConfig.gpt2(30, 8, 1, 2, 8), new Rng(1));

    private static int[] tokens(int n) {
        Rng rng = new Rng(2);
        int[] t = new int[n];
        for (int i = 0; i < n; i++) t[i] = rng.nextInt(30);
        return t;
    }

    @Test
    void lossIsTheMeanOverEveryPredictedTokenWhateverTheBatching() {
        int[] t = tokens(30); // 29 predicted: 3 windows of 8 and one of 5
        var a = Perplexity.evaluate(MODEL, t, 8, 1);
        var b = Perplexity.evaluate(MODEL, t, 8, 3);
        assertThat(a.predictedTokens()).isEqualTo(29);
        assertThat(a.windows()).isEqualTo(4);
        assertThat(b.loss()).isCloseTo(a.loss(), within(1e-5));
        // By hand: the windows' summed losses.
        double sum = 0;
        for (int s = 0; s < 29; s += 8) {
            int T = Math.min(8, 29 - s);
            int[] x = java.util.Arrays.copyOfRange(t, s, s + T), y = java.util.Arrays.copyOfRange(t, s + 1, s + T + 1);
            sum += MODEL.loss(IntTensor.of(x, 1, T), IntTensor.of(y, 1, T)).item() * T;
        }
        assertThat(a.loss()).isCloseTo(sum / 29, within(1e-5));
        assertThat(a.perplexity()).isCloseTo(Math.exp(a.loss()), within(1e-9));
    }

    @Test
    void anUntrainedModelIsAboutAsPerplexedAsItsVocabulary() {
        var r = Perplexity.evaluate(MODEL, tokens(200), 8, 4);
        assertThat(r.perplexity()).isCloseTo(30, within(3.0));
    }

    @Test
    void contextBeyondTheModelsIsRefused() {
        assertThatThrownBy(() -> Perplexity.evaluate(MODEL, tokens(20), 9, 1)).hasMessageContaining("context 9");
        assertThatThrownBy(() -> Perplexity.evaluate(MODEL, new int[] {1}, 8, 1)).hasMessageContaining("at least 2 tokens");
    }
}
