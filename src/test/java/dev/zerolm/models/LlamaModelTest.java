package dev.zerolm.models;

import dev.zerolm.autograd.GradMode;
import dev.zerolm.io.StateDicts;
import dev.zerolm.nn.KVCache;
import dev.zerolm.tensor.IntTensor;
import dev.zerolm.tensor.Rng;
import dev.zerolm.tensor.Tensor;
import dev.zerolm.testutil.GoldenAssert;
import dev.zerolm.testutil.TestResources;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LlamaModelTest {

    /** The tiny Llama of tools/golden/make_hf_golden.py: vocab 282, hidden 32, 4 heads over 2 kv heads, 2 layers. */
    static LlamaConfig tinyConfig() {
        return new LlamaConfig(282, 32, 48, 2, 4, 2, 8, 64, 1e-5f, 500000f, false, false, false);
    }

    private static Path resource(String path) {
        return TestResources.path(path);
    }

    @Test
    void stateDictNamesAreHuggingFaces() throws Exception {
        var model = new LlamaModel(tinyConfig(), new Rng(1));
        Map<String, Tensor> hf = StateDicts.load(resource("hf/tiny-llama/model.safetensors"));
        assertThat(model.stateDict().keySet()).containsExactlyInAnyOrderElementsOf(hf.keySet());
        model.loadStateDict(hf, true);
        assertThat(model.parameterCount()).isEqualTo(hf.values().stream().mapToLong(Tensor::numel).sum());
    }

    @Test
    void kvCacheForwardEqualsFullForward() throws Exception {
        var model = new LlamaModel(tinyConfig(), new Rng(1));
        model.loadStateDict(StateDicts.load(resource("hf/tiny-llama/model.safetensors")), true);
        int[] ids = {5, 77, 140, 3, 281, 12, 9, 200};
        try (var ignored = GradMode.noGrad()) {
            Tensor full = model.forward(IntTensor.of(ids, 1, 8));
            var cache = model.newKVCache(1);
            Tensor first = model.forward(IntTensor.of(java.util.Arrays.copyOf(ids, 5), 1, 5), cache, 0);
            Tensor rest = model.forward(IntTensor.of(java.util.Arrays.copyOfRange(ids, 5, 8), 1, 3), cache, 5);
            GoldenAssert.assertClose("prefix", first, full.narrow(1, 0, 5).contiguous(), 1e-5);
            GoldenAssert.assertClose("continuation", rest, full.narrow(1, 5, 3).contiguous(), 1e-5);
        }
    }

    @Test
    void decodeStepOverSequencesAtDifferentPositionsEqualsStepsTakenAlone() throws Exception {
        var model = new LlamaModel(tinyConfig(), new Rng(1));
        model.loadStateDict(StateDicts.load(resource("hf/tiny-llama/model.safetensors")), true);
        int[][] prompts = {{5}, {77, 140, 3, 281}, {12, 9}};
        int R = prompts.length;
        try (var ignored = GradMode.noGrad()) {
            var together = new KVCache[R];
            var alone = new KVCache[R];
            int[] positions = new int[R];
            for (int r = 0; r < R; r++) {
                alone[r] = model.newKVCache(1);
                model.forward(IntTensor.of(prompts[r], 1, prompts[r].length), alone[r], 0);
                together[r] = alone[r].copy();
                positions[r] = prompts[r].length;
            }
            for (int step = 0; step < 3; step++) {
                int[] tokens = {200 + step, 33 * step, 281 - step};
                Tensor batched = model.decodeStep(tokens, together, positions);         // (R, V)
                for (int r = 0; r < R; r++) {
                    Tensor single = model.forward(IntTensor.of(new int[] {tokens[r]}, 1, 1), alone[r], positions[r]);
                    GoldenAssert.assertClose("row " + r + " step " + step, batched.narrow(0, r, 1).contiguous(), single.view(1, 282), 1e-5);
                    positions[r]++;
                }
            }
        }
    }

    @Test
    void tiedModelHasNoLmHeadAndScoresWithTheEmbeddings() {
        var model = new LlamaModel(tinyConfig().withTiedEmbeddings(true), new Rng(2));
        assertThat(model.namedParameters().keySet()).noneMatch(n -> n.startsWith("lm_head"));
        assertThat(model.parameterCount()).isEqualTo(new LlamaModel(tinyConfig(), new Rng(2)).parameterCount() - 282 * 32);
    }

    @Test
    void configRejectsHeadsThatDoNotShareEvenly() {
        assertThatThrownBy(() -> new LlamaConfig(10, 24, 48, 1, 6, 4, 4, 16, 1e-5f, 1e4f, false, false, false))
                .hasMessageContaining("num_attention_heads 6").hasMessageContaining("num_key_value_heads 4");
    }
}
