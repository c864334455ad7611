package dev.zerolm.models.hf;

import dev.zerolm.generate.Generator;
import dev.zerolm.generate.SamplingConfig;
import dev.zerolm.io.Safetensors;
import dev.zerolm.models.CausalLM;
import dev.zerolm.models.LlamaConfig;
import dev.zerolm.models.LlamaModel;
import dev.zerolm.tensor.IntTensor;
import dev.zerolm.tensor.Rng;
import dev.zerolm.tensor.Tensor;
import dev.zerolm.testutil.GoldenAssert;
import dev.zerolm.testutil.GoldenFile;
import dev.zerolm.tokenize.ByteLevelBpe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

import static dev.zerolm.models.hf.HfTestDirs.TINY_LLAMA;
import static org.assertj.core.api.Assertions.assertThat;

/** Llama Hugging Face directories: parity with the PyTorch reference, KV-cache generation, saving. */
class HuggingFaceLlamaTest {

    private static final GoldenFile GOLDEN = GoldenFile.load("hf_llama.safetensors");

    @Test
    void configIsReadFieldByField() throws IOException {
        LlamaConfig c = HuggingFaceLlama.readConfig(HfConfig.read(TINY_LLAMA));
        assertThat(c).isEqualTo(new LlamaConfig(282, 32, 48, 2, 4, 2, 8, 64, 1e-5f, 500000f, false, false, false));
    }

    @Test
    void logitsLossAndEveryGradientMatchPyTorch() throws IOException {
        HfModel hf = HfModel.load(TINY_LLAMA);
        assertThat(hf.modelType()).isEqualTo("llama");
        LlamaModel model = (LlamaModel) hf.model();
        Tensor logits = model.forward(GOLDEN.intTensor("idx"));
        Tensor loss = CausalLM.crossEntropy(logits, GOLDEN.intTensor("targets"));
        loss.backward();
        GoldenAssert.assertClose("llama logits", logits, GOLDEN.tensor("logits"), 1e-4);
        GoldenAssert.assertClose("llama loss", loss, GOLDEN.tensor("loss"), 1e-4);
        assertThat(model.namedParameters()).hasSize(1 + 2 * 9 + 2);
        for (var p : model.namedParameters().entrySet()) {
            GoldenAssert.assertClose("llama grad." + p.getKey(), p.getValue().grad(), GOLDEN.tensor("grad." + p.getKey()), 1e-3);
        }
    }

    @Test
    void greedyTwentyTokensEqualPyTorchsWithAndWithoutTheKvCache() throws IOException {
        HfModel hf = HfModel.load(TINY_LLAMA);
        var generator = new Generator(hf.model(), hf.tokenizer());
        int[] prompt = GOLDEN.ints("generate.prompt");
        int[] expected = GOLDEN.ints("generate.ids");
        assertThat(expected).hasSize(20);
        assertThat(generator.generateIds(prompt, SamplingConfig.greedy(20), true, null)).containsExactly(expected);
        assertThat(generator.generateIds(prompt, SamplingConfig.greedy(20), false, null)).containsExactly(expected);
    }

    @Test
    void ropeThetaComesFromTheConfig(@TempDir Path tmp) throws IOException {
        Path dir = HfTestDirs.copy(TINY_LLAMA, tmp, "theta");
        HfTestDirs.editConfig(dir, c -> c.put("rope_theta", 10000.0));
        IntTensor idx = GOLDEN.intTensor("idx");
        float[] a = HuggingFaceLlama.load(dir).forward(idx).toArray(), b = HuggingFaceLlama.load(TINY_LLAMA).forward(idx).toArray();
        double worst = 0;
        for (int i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
        assertThat(worst).as("largest logit change when theta goes from 500000 to 10000").isGreaterThan(1e-2);
    }

    @Test
    void savedAndReloadedGivesTheSameLogitsTokenizerAndConfig(@TempDir Path tmp) throws IOException {
        HfModel hf = HfModel.load(TINY_LLAMA);
        Path dir = tmp.resolve("saved");
        HfModel.save(hf.model(), hf.tokenizer(), dir);
        HfModel again = HfModel.load(dir);
        IntTensor idx = GOLDEN.intTensor("idx");
        HfTestDirs.assertSameLogits("reloaded llama logits", again.model().forward(idx), hf.model().forward(idx));
        assertThat(((LlamaModel) again.model()).config()).isEqualTo(((LlamaModel) hf.model()).config());
        String text = "The fox<|end_of_text|> 2024";
        assertThat(again.tokenizer().encode(text)).containsExactly(hf.tokenizer().encode(text));
        assertThat(again.encodeWithSpecialTokens("x")[0]).isEqualTo(280);
        HfConfig config = HfConfig.read(dir);
        assertThat(config.architecture()).isEqualTo("LlamaForCausalLM");
        assertThat(config.requireInt("bos_token_id")).isEqualTo(280);
        assertThat(config.requireInt("eos_token_id")).isEqualTo(281);
        try (Safetensors original = Safetensors.open(TINY_LLAMA); Safetensors saved = Safetensors.open(dir)) {
            assertThat(saved.names()).containsExactlyInAnyOrderElementsOf(original.names());
            for (String name : saved.names()) {
                assertThat(Arrays.equals(saved.readFloats(name), original.readFloats(name))).as(name).isTrue();
            }
        }
    }

    @Test
    void aTiedModelIsSavedWithoutLmHeadAndReloadsTied(@TempDir Path tmp) throws IOException {
        var tokenizer = (ByteLevelBpe) HfTokenizers.load(TINY_LLAMA);
        var config = LlamaConfig.of(tokenizer.vocabSize(), 16, 24, 1, 4, 1, 32).withTiedEmbeddings(true);
        var model = new LlamaModel(config, new Rng(9));
        Path dir = tmp.resolve("tied");
        HuggingFaceLlama.save(model, tokenizer, dir);
        try (Safetensors saved = Safetensors.open(dir)) {
            assertThat(saved.names()).doesNotContain("lm_head.weight").contains("model.embed_tokens.weight");
        }
        LlamaModel again = HuggingFaceLlama.load(dir);
        assertThat(again.config().tieWordEmbeddings()).isTrue();
        IntTensor idx = IntTensor.of(new int[] {3, 1, 4, 1, 5, 9}, 1, 6);
        model.eval();
        HfTestDirs.assertSameLogits("tied llama logits", again.forward(idx), model.forward(idx));
    }

    @Test
    void bf16WeightsLoadAsFloat32AndInfoReportsTheirDtype(@TempDir Path tmp) throws IOException {
        Path dir = HfTestDirs.copy(TINY_LLAMA, tmp, "bf16");
        var data = new java.util.LinkedHashMap<String, dev.zerolm.io.TensorData>();
        for (var e : dev.zerolm.io.StateDicts.load(dir.resolve("model.safetensors")).entrySet()) {
            long[] shape = Arrays.stream(e.getValue().shape()).asLongStream().toArray();
            data.put(e.getKey(), dev.zerolm.io.TensorData.ofFloats(e.getKey(), shape, e.getValue().toArray()));
        }
        dev.zerolm.io.SafetensorsWriter.write(dir.resolve("model.safetensors"), data, java.util.Map.of(), dev.zerolm.io.DType.BF16);
        IntTensor idx = GOLDEN.intTensor("idx");
        // bf16 keeps 8 bits of mantissa: the logits move by a few percent of their range, no more.
        GoldenAssert.assertClose("bf16 llama logits", HfModel.load(dir).model().forward(idx), GOLDEN.tensor("logits"), 5e-2);
        HfModelInfo info = HfModelInfo.read(dir);
        assertThat(info.tensorsByType()).containsExactly(java.util.Map.entry(dev.zerolm.io.DType.BF16, 21));
        assertThat(info.parameters()).isEqualTo(HfModel.load(TINY_LLAMA).model().parameterCount());
    }

    @Test
    void shardedWeightsLoadTheSame(@TempDir Path tmp) throws IOException {
        Path dir = HfTestDirs.copy(TINY_LLAMA, tmp, "sharded");
        var all = dev.zerolm.io.StateDicts.load(dir.resolve("model.safetensors"));
        java.nio.file.Files.delete(dir.resolve("model.safetensors"));
        var shards = java.util.List.of(new java.util.LinkedHashMap<String, Tensor>(), new java.util.LinkedHashMap<String, Tensor>());
        var index = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode();
        index.putObject("metadata").put("total_size", 0);
        var weightMap = index.putObject("weight_map");
        int i = 0;
        for (var e : all.entrySet()) {
            int shard = i++ < all.size() / 2 ? 0 : 1;
            shards.get(shard).put(e.getKey(), e.getValue());
            weightMap.put(e.getKey(), "model-0000" + (shard + 1) + "-of-00002.safetensors");
        }
        for (int s = 0; s < 2; s++) {
            dev.zerolm.io.StateDicts.save(dir.resolve("model-0000" + (s + 1) + "-of-00002.safetensors"), shards.get(s), java.util.Map.of());
        }
        java.nio.file.Files.writeString(dir.resolve("model.safetensors.index.json"), index.toString());
        IntTensor idx = GOLDEN.intTensor("idx");
        HfTestDirs.assertSameLogits("sharded llama logits", HfModel.load(dir).model().forward(idx), HfModel.load(TINY_LLAMA).model().forward(idx));
    }

    @Test
    void theContextCanBeCutToBoundTheKvCache() throws IOException {
        HfModel hf = HfModel.load(TINY_LLAMA, 16);
        assertThat(hf.model().blockSize()).isEqualTo(16);
        assertThat(hf.model().newKVCache(1).maxSeqLen()).isEqualTo(16);
        assertThat(HfModel.load(TINY_LLAMA).model().blockSize()).isEqualTo(64);
    }
}
