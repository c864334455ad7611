package dev.zerolm.models;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.zerolm.autograd.GradMode;
import dev.zerolm.nn.PositionalEncoding;
import dev.zerolm.tensor.BufferPool;
import dev.zerolm.tensor.IntTensor;
import dev.zerolm.tensor.Rng;
import dev.zerolm.tensor.Tensor;
import dev.zerolm.testutil.GoldenAssert;
import dev.zerolm.testutil.GoldenFile;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class GPTTest {

    @Test
    void matchesPyTorchNanoGptLogitsLossAndEveryGradient() {
        GoldenFile g = GoldenFile.load("gpt_tiny.safetensors");
        var config = GPTConfig.gpt2(meta(g, "vocab_size"), meta(g, "block_size"), meta(g, "n_layer"), meta(g, "n_head"),
                meta(g, "n_embd"));
        var model = new GPT(config, new Rng(1));
        Map<String, Tensor> state = new LinkedHashMap<>();
        for (String name : model.stateDict().keySet()) state.put(name, g.tensor(name));
        model.loadStateDict(state, true);

        Tensor logits = model.forward(g.intTensor("idx"));
        Tensor loss = GPT.crossEntropy(logits, g.intTensor("targets"));
        loss.backward();

        GoldenAssert.assertClose("gpt logits", logits, g.tensor("logits"));
        GoldenAssert.assertClose("gpt loss", loss, g.tensor("loss"));
        assertThat(model.namedParameters()).hasSize(28);
        for (var p : model.namedParameters().entrySet()) {
            GoldenAssert.assertClose("gpt grad." + p.getKey(), p.getValue().grad(), g.tensor("grad." + p.getKey()));
        }
    }

    private static int meta(GoldenFile g, String key) {
        return Integer.parseInt(g.meta(key));
    }

    @Test
    void noGradForwardReusesItsTemporariesWithoutChangingAnyLogit() {
        var model = new GPT(GPTConfig.gpt2(23, 16, 3, 2, 32), new Rng(9));
        IntTensor a = IntTensor.of(new int[] {1, 5, 7, 2, 9, 22, 0, 3, 4, 4, 8, 13}, 2, 6);
        IntTensor b = IntTensor.of(new int[] {3, 3, 17, 11, 6, 1, 0, 2, 19, 5, 12, 7}, 2, 6);
        float[] expectedA = model.forward(a).toArray(), expectedB = model.forward(b).toArray();   // grad on: fresh arrays
        BufferPool.clear();
        try (var noGrad = GradMode.noGrad()) {
            // Each pass reuses the arrays the one before handed back, full of its values: none may leak into a result.
            assertThat(model.forward(a).toArray()).containsExactly(expectedA);
            assertThat(model.forward(b).toArray()).containsExactly(expectedB);
            assertThat(model.forward(a).toArray()).containsExactly(expectedA);
            Tensor hidden = model.hiddenStates(b);
            float[] kept = hidden.toArray();
            model.forward(a);
            assertThat(hidden.toArray()).as("a result handed to the caller is never recycled").containsExactly(kept);
        }
        assertThat(BufferPool.pooledFloats()).as("block temporaries went back to the pool").isPositive();
    }

    @Test
    void tiedOutputLayerIsListedOnceUnderWte() {
        var model = new GPT(GPTConfig.gpt2(11, 8, 2, 2, 12), new Rng(2));
        var names = model.namedParameters().keySet();
        assertThat(names).contains("transformer.wte.weight", "transformer.wpe.weight", "transformer.h.1.mlp.c_proj.bias",
                "transformer.ln_f.weight");
        assertThat(names).noneMatch(n -> n.startsWith("lm_head"));
        assertThat(model.parameters()).hasSize(names.size());
        // wte + wpe + 2 blocks of (2 LN + attn + mlp) + ln_f
        long block = 2 * 24 + (12 * 36 + 36) + (12 * 12 + 12) + (12 * 48 + 48) + (48 * 12 + 12);
        assertThat(model.parameterCount()).isEqualTo(11 * 12 + 8 * 12 + 2 * block + 24);
    }

    @Test
    void initialisationFollowsGpt2() {
        var config = GPTConfig.gpt2(100, 32, 4, 4, 64);
        var model = new GPT(config, new Rng(3));
        var p = model.namedParameters();
        assertThat(std(p.get("transformer.wte.weight"))).isCloseTo(0.02, within(0.002));
        assertThat(std(p.get("transformer.h.0.mlp.c_fc.weight"))).isCloseTo(0.02, within(0.002));
        double residual = 0.02 / Math.sqrt(2 * 4);
        assertThat(std(p.get("transformer.h.0.mlp.c_proj.weight"))).isCloseTo(residual, within(residual / 10));
        assertThat(std(p.get("transformer.h.3.attn.c_proj.weight"))).isCloseTo(residual, within(residual / 10));
        assertThat(p.get("transformer.h.2.attn.c_attn.bias").toArray()).containsOnly(0f);
        assertThat(p.get("transformer.ln_f.weight").toArray()).containsOnly(1f);
    }

    private static double std(Tensor t) {
        float[] a = t.toArray();
        double s = 0, s2 = 0;
        for (float v : a) { s += v; s2 += v * v; }
        double m = s / a.length;
        return Math.sqrt(s2 / a.length - m * m);
    }

    @Test
    void changingAFutureTokenLeavesEarlierLogitsUnchanged() {
        for (PositionalEncoding pe : PositionalEncoding.values()) {
            var model = new GPT(GPTConfig.gpt2(13, 10, 2, 2, 16).withPositional(pe), new Rng(4));
            int[] a = {1, 5, 2, 7, 3, 3, 9, 0}, b = a.clone();
            b[5] = 12;
            Tensor la = model.forward(IntTensor.of(a, 1, 8)), lb = model.forward(IntTensor.of(b, 1, 8));
            assertThat(la.narrow(1, 0, 5).toArray()).as(pe.name()).containsExactly(lb.narrow(1, 0, 5).toArray());
            assertThat(la.narrow(1, 5, 3).toArray()).as(pe.name()).isNotEqualTo(lb.narrow(1, 5, 3).toArray());
        }
    }

    @Test
    void rejectsASequenceLongerThanTheBlockSize() {
        var model = new GPT(GPTConfig.gpt2(11, 256, 1, 1, 8), new Rng(5));
        assertThatThrownBy(() -> model.forward(IntTensor.of(new int[300], 1, 300)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("sequence length 300 exceeds the model's block size 256");
    }

    @Test
    void stateDictRoundTripReproducesTheModel() {
        var config = GPTConfig.gpt2(17, 8, 2, 2, 8).withPositional(PositionalEncoding.SINUSOIDAL);
        var a = new GPT(config, new Rng(6));
        var b = new GPT(config, new Rng(7));
        IntTensor idx = IntTensor.of(new int[] {1, 2, 3, 4, 16, 0}, 2, 3);
        assertThat(b.forward(idx).toArray()).isNotEqualTo(a.forward(idx).toArray());

        b.loadStateDict(a.stateDict(), true);

        assertThat(b.forward(idx).toArray()).containsExactly(a.forward(idx).toArray());
        assertThat(a.stateDict()).containsKey("transformer.wpe.pe");          // the fixed table is a buffer...
        assertThat(a.namedParameters()).doesNotContainKey("transformer.wpe.pe"); // ...not a parameter
    }

    @Test
    void configRoundTripsThroughJson() throws Exception {
        var mapper = new ObjectMapper();
        for (GPTConfig c : new GPTConfig[] {GPTConfig.tiny(65), GPTConfig.small(), GPTConfig.tiny(100).llamaStyle()}) {
            String json = mapper.writeValueAsString(c);
            assertThat(json).contains("\"nLayer\"", "\"positional\"");
            assertThat(mapper.readValue(json, GPTConfig.class)).isEqualTo(c);
        }
    }

    @Test
    void presetsHaveTheDocumentedShapes() {
        assertThat(GPTConfig.tiny()).extracting(GPTConfig::nLayer, GPTConfig::nHead, GPTConfig::nEmbd, GPTConfig::blockSize)
                .containsExactly(4, 4, 128, 64);
        assertThat(GPTConfig.small(65)).extracting(GPTConfig::nLayer, GPTConfig::nHead, GPTConfig::nEmbd, GPTConfig::blockSize)
                .containsExactly(6, 6, 384, 256);
        assertThatThrownBy(() -> GPTConfig.gpt2(10, 8, 1, 3, 16)).hasMessageContaining("not divisible by n_head 3");
    }

    @Test
    void dropoutMakesTrainingForwardPassesDifferAndEvalPassesRepeat() {
        var model = new GPT(GPTConfig.gpt2(11, 8, 1, 2, 8).withDropout(0.3f), new Rng(8));
        IntTensor idx = IntTensor.of(new int[] {1, 2, 3, 4}, 1, 4);
        assertThat(model.forward(idx).toArray()).isNotEqualTo(model.forward(idx).toArray());
        model.eval();
        assertThat(model.forward(idx).toArray()).containsExactly(model.forward(idx).toArray());
    }
}
