package dev.zerolm.models.hf;

import dev.zerolm.models.CausalLM;
import dev.zerolm.nn.Module;
import dev.zerolm.tensor.IntTensor;
import dev.zerolm.train.AdamW;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** A Hugging Face model loads, trains a few steps, saves back in its layout, and reloads to the trained weights. */
class HfFineTuneTest {

    @ParameterizedTest
    @ValueSource(strings = {"hf/tiny-gpt2", "hf/tiny-llama"})
    void fineTunedWeightsSurviveSavingInHuggingFaceLayout(String resource, @TempDir Path tmp) throws IOException {
        HfModel hf = HfModel.load(dev.zerolm.testutil.TestResources.path(resource));
        CausalLM model = hf.model();
        int[] ids = hf.tokenizer().encode("The quick brown fox jumps over the lazy dog.");
        int T = ids.length - 1;
        IntTensor x = IntTensor.of(java.util.Arrays.copyOf(ids, T), 1, T);
        IntTensor y = IntTensor.of(java.util.Arrays.copyOfRange(ids, 1, T + 1), 1, T);

        model.train(true);
        var optimizer = new AdamW(AdamW.defaultGroups((Module) model, 0.01f), 3e-3f);
        float before = model.loss(x, y).item();
        for (int step = 0; step < 20; step++) {
            optimizer.zeroGrad();
            model.loss(x, y).backward();
            optimizer.step();
        }
        model.eval();
        float after = model.loss(x, y).item();
        assertThat(after).as("loss after 20 steps on one sentence").isLessThan(before * 0.7f);

        Path dir = tmp.resolve("tuned");
        HfModel.save(model, hf.tokenizer(), dir);
        assertThat(HfModel.load(dir).model().loss(x, y).item()).isCloseTo(after, within(1e-5f));
    }
}
