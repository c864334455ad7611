package dev.zerolm.models.hf;

import dev.zerolm.generate.Generator;
import dev.zerolm.generate.SamplingConfig;
import dev.zerolm.io.Safetensors;
import dev.zerolm.models.CausalLM;
import dev.zerolm.models.GPT;
import dev.zerolm.models.GPTConfig;
import dev.zerolm.nn.PositionalEncoding;
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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.zerolm.models.hf.HfTestDirs.TINY_GPT2;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** GPT-2 Hugging Face directories: parity with the PyTorch reference, and saving in GPT-2's layout. */
class HuggingFaceGpt2Test {

    private static final GoldenFile GOLDEN = GoldenFile.load("hf_gpt2.safetensors");

    @Test
    void logitsLossAndEveryGradientMatchPyTorch() throws IOException {
        GPT model = HuggingFaceGpt2.load(TINY_GPT2);
        Tensor logits = model.forward(GOLDEN.intTensor("idx"));
        Tensor loss = CausalLM.crossEntropy(logits, GOLDEN.intTensor("targets"));
        loss.backward();
        GoldenAssert.assertClose("gpt2 logits", logits, GOLDEN.tensor("logits"), 1e-4);
        GoldenAssert.assertClose("gpt2 loss", loss, GOLDEN.tensor("loss"), 1e-4);
        assertThat(model.namedParameters()).hasSize(2 + 2 * 12 + 2);
        for (var p : model.namedParameters().entrySet()) {
            // The reference holds GPT-2's Conv1D weights (in, out); ZeroLM's Linear is (out, in).
            Tensor grad = p.getValue().grad();
            Tensor expected = GOLDEN.tensor("grad." + p.getKey());
            if (p.getValue().rank() == 2 && p.getKey().contains(".h.")) grad = grad.t().contiguous();
            GoldenAssert.assertClose("gpt2 grad." + p.getKey(), grad, expected, 1e-3);
        }
    }

    @Test
    void greedyTwentyTokensEqualPyTorchsWithAndWithoutTheKvCache() throws IOException {
        HfModel hf = HfModel.load(TINY_GPT2);
        assertThat(hf.modelType()).isEqualTo("gpt2");
        var generator = new Generator(hf.model(), hf.tokenizer());
        int[] prompt = GOLDEN.ints("generate.prompt");
        int[] expected = GOLDEN.ints("generate.ids");
        assertThat(expected).hasSize(20);
        assertThat(generator.generateIds(prompt, SamplingConfig.greedy(20), true, null)).containsExactly(expected);
        assertThat(generator.generateIds(prompt, SamplingConfig.greedy(20), false, null)).containsExactly(expected);
    }

    @Test
    void namesWithoutTheTransformerPrefixAndAnEqualLmHeadLoadTheSame(@TempDir Path tmp) throws IOException {
        Path dir = HfTestDirs.copy(TINY_GPT2, tmp, "no-prefix");
        HfTestDirs.editWeights(dir, t -> {
            Map<String, Tensor> renamed = new LinkedHashMap<>();
            t.forEach((name, value) -> renamed.put(name.substring("transformer.".length()), value));
            renamed.put("lm_head.weight", renamed.get("wte.weight"));
            renamed.put("h.0.attn.masked_bias", Tensor.scalar(-1e4f));
            t.clear();
            t.putAll(renamed);
        });
        IntTensor idx = GOLDEN.intTensor("idx");
        HfTestDirs.assertSameLogits("logits without prefix", HuggingFaceGpt2.load(dir).forward(idx),
                HuggingFaceGpt2.load(TINY_GPT2).forward(idx));
    }

    @Test
    void anLmHeadThatDiffersFromWteIsRefused(@TempDir Path tmp) throws IOException {
        Path dir = HfTestDirs.copy(TINY_GPT2, tmp, "untied");
        HfTestDirs.editWeights(dir, t -> t.put("lm_head.weight", t.get("transformer.wte.weight").mul(2f)));
        assertThatThrownBy(() -> HuggingFaceGpt2.load(dir))
                .hasMessageContaining("model.safetensors").hasMessageContaining("lm_head.weight").hasMessageContaining("ties");
    }

    @Test
    void aZeroLmGptSavedInGpt2LayoutHasGpt2sNamesAndShapesAndReloadsToIdenticalLogits(@TempDir Path tmp) throws IOException {
        ByteLevelBpe tokenizer = (ByteLevelBpe) HfTokenizers.load(TINY_GPT2);
        GPT model = new GPT(GPTConfig.gpt2(tokenizer.vocabSize(), 16, 2, 2, 8), new Rng(3));
        Path dir = tmp.resolve("saved");
        HfModel.save(model, tokenizer, dir);

        List<String> expected = new ArrayList<>(List.of("wte.weight:(281,8)", "wpe.weight:(16,8)"));
        for (int i = 0; i < 2; i++) {
            String h = "h." + i + ".";
            expected.addAll(List.of(h + "ln_1.weight:(8,)", h + "ln_1.bias:(8,)", h + "attn.c_attn.weight:(8,24)",
                    h + "attn.c_attn.bias:(24,)", h + "attn.c_proj.weight:(8,8)", h + "attn.c_proj.bias:(8,)",
                    h + "ln_2.weight:(8,)", h + "ln_2.bias:(8,)", h + "mlp.c_fc.weight:(8,32)", h + "mlp.c_fc.bias:(32,)",
                    h + "mlp.c_proj.weight:(32,8)", h + "mlp.c_proj.bias:(8,)"));
        }
        expected.addAll(List.of("ln_f.weight:(8,)", "ln_f.bias:(8,)"));
        assertThat(namesAndShapes(dir)).containsExactlyElementsOf(expected);
        assertThat(dir.resolve("vocab.json")).exists();
        assertThat(dir.resolve("merges.txt")).hasSameTextualContentAs(TINY_GPT2.resolve("merges.txt"));
        var config = HfConfig.read(dir);
        assertThat(config.modelType()).isEqualTo("gpt2");
        assertThat(config.architecture()).isEqualTo("GPT2LMHeadModel");
        assertThat(config.stringOr("activation_function", "")).isEqualTo("gelu_new");
        assertThat(config.requireInt("eos_token_id")).isEqualTo(280);

        IntTensor idx = IntTensor.of(new int[] {1, 50, 280, 7, 9, 100, 3, 0}, 2, 4);
        model.eval();
        HfModel reloaded = HfModel.load(dir);
        HfTestDirs.assertSameLogits("reloaded logits", reloaded.model().forward(idx), model.forward(idx));
        assertThat(reloaded.tokenizer().encode("the fox")).containsExactly(tokenizer.encode("the fox"));
    }

    @Test
    void theTinyDirectoryReadAndWrittenAgainKeepsEveryTensor(@TempDir Path tmp) throws IOException {
        HfModel hf = HfModel.load(TINY_GPT2);
        Path dir = tmp.resolve("again");
        HfModel.save(hf.model(), hf.tokenizer(), dir);
        try (Safetensors original = Safetensors.open(TINY_GPT2); Safetensors saved = Safetensors.open(dir)) {
            for (String name : saved.names()) {
                assertThat(saved.readFloats(name)).as(name).containsExactly(original.readFloats("transformer." + name));
            }
            assertThat(saved.names()).hasSize(original.names().size() - 2); // less the two attn.bias buffers
        }
    }

    @Test
    void aModelWithoutBiasesIsSavedWithZeroBiasesAndComputesTheSame(@TempDir Path tmp) throws IOException {
        GPTConfig config = new GPTConfig(40, 8, 1, 2, 8, 0f, false, PositionalEncoding.LEARNED, 1e4f,
                dev.zerolm.nn.NormKind.LAYER_NORM, dev.zerolm.nn.FeedForwardKind.MLP, dev.zerolm.nn.Activation.GELU_TANH, 1e-5f);
        GPT model = new GPT(config, new Rng(4));
        Path dir = tmp.resolve("nobias");
        HuggingFaceGpt2.save(model, null, dir);
        try (Safetensors saved = Safetensors.open(dir)) {
            assertThat(saved.readFloats("h.0.attn.c_attn.bias")).hasSize(24).containsOnly(0f);
        }
        IntTensor idx = IntTensor.of(new int[] {1, 2, 3, 39}, 1, 4);
        model.eval();
        HfTestDirs.assertSameLogits("no-bias logits", HuggingFaceGpt2.load(dir).forward(idx), model.forward(idx));
    }

    @Test
    void aModelThatIsNotGpt2ShapedIsRefused(@TempDir Path tmp) {
        GPT rotary = new GPT(GPTConfig.gpt2(20, 8, 1, 2, 8).llamaStyle(), new Rng(5));
        assertThatThrownBy(() -> HuggingFaceGpt2.save(rotary, null, tmp.resolve("x")))
                .hasMessageContaining("ROTARY").hasMessageContaining("RMS_NORM").hasMessageContaining("SWIGLU");
    }

    private static List<String> namesAndShapes(Path dir) throws IOException {
        List<String> out = new ArrayList<>();
        try (Safetensors st = Safetensors.open(dir)) {
            for (String name : st.names()) {
                long[] s = st.info(name).shape();
                int[] shape = new int[s.length];
                for (int i = 0; i < s.length; i++) shape[i] = (int) s[i];
                out.add(name + ":" + dev.zerolm.tensor.Shapes.str(shape));
                assertThat(st.info(name).dtype().name()).isEqualTo("F32");
            }
        }
        return out;
    }
}
