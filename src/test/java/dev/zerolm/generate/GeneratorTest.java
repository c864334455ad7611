package dev.zerolm.generate;

import dev.zerolm.models.GPT;
import dev.zerolm.models.GPTConfig;
import dev.zerolm.tensor.Rng;
import dev.zerolm.tokenize.CharTokenizer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GeneratorTest {

    private static final CharTokenizer TOK = CharTokenizer.fromCorpus("abcdefghijklmnopqrstuvwxyz .\n");

    private static GPT model(int blockSize) {
        return new GPT(GPTConfig.gpt2(TOK.vocabSize(), blockSize, 2, 2, 16), new Rng(5));
    }

    @Test
    void kvCacheGreedyEqualsFullRecompute() {
        GPT m = model(32);
        Generator g = new Generator(m, TOK);
        int[] prompt = TOK.encode("the cat");
        int[] cached = g.generateIds(prompt, SamplingConfig.greedy(20), true, null);
        int[] full = g.generateIds(prompt, SamplingConfig.greedy(20), false, null);
        assertThat(cached).containsExactly(full);
    }

    @Test
    void generationContinuesPastTheContextBySlidingTheWindow() {
        GPT m = model(8);
        Generator g = new Generator(m, TOK);
        int[] prompt = TOK.encode("abc");
        int[] cached = g.generateIds(prompt, SamplingConfig.greedy(30), true, null);
        int[] full = g.generateIds(prompt, SamplingConfig.greedy(30), false, null);
        assertThat(cached).hasSize(30).containsExactly(full);
    }

    @Test
    void streamsEveryTokenAndStopsAtStopStrings() {
        GPT m = model(32);
        Generator g = new Generator(m, TOK);
        List<String> pieces = new ArrayList<>();
        String all = g.generate("ab", new SamplingConfig(25, 1f, 0, 1f, List.of(), 3), pieces::add);
        assertThat(String.join("", pieces)).isEqualTo(all);
        assertThat(all).hasSize(25);
        // Stop at the first character that was generated: nothing is emitted.
        String stopped = g.generate("ab", new SamplingConfig(25, 1f, 0, 1f, List.of(all.substring(3, 5)), 3), null);
        assertThat(stopped).isEqualTo(all.substring(0, all.indexOf(all.substring(3, 5))));
    }

    @Test
    void overLongOrEmptyPromptsAreRejected() {
        Generator g = new Generator(model(8), TOK);
        assertThatThrownBy(() -> g.generateIds(new int[9], SamplingConfig.greedy(1), true, null))
                .hasMessageContaining("9 tokens").hasMessageContaining("context is 8");
        assertThatThrownBy(() -> g.generateIds(new int[0], SamplingConfig.greedy(1), true, null)).hasMessageContaining("empty");
    }
}
