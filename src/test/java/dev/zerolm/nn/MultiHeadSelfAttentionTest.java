package dev.zerolm.nn;

import dev.zerolm.tensor.Rng;
import dev.zerolm.tensor.Tensor;
import dev.zerolm.testutil.GoldenFile;
import dev.zerolm.testutil.GoldenAssert;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class MultiHeadSelfAttentionTest {

    /** The golden tensors whose names start with prefix, with the prefix removed: a state dict for a sub-module. */
    static Map<String, Tensor> stateUnder(GoldenFile g, String prefix, Module module) {
        Map<String, Tensor> state = new LinkedHashMap<>();
        for (String name : module.stateDict().keySet()) state.put(name, g.tensor(prefix + name));
        return state;
    }

    @Test
    void matchesPyTorchCausalSelfAttentionForwardAndBackward() {
        GoldenFile g = GoldenFile.load("mhsa_causal.safetensors");
        var attn = new MultiHeadSelfAttention(Integer.parseInt(g.meta("n_embd")), Integer.parseInt(g.meta("n_head")),
                true, 0f, new Rng(1));
        attn.loadStateDict(stateUnder(g, "attn.", attn), true);
        Tensor x = g.tensor("x").requiresGrad(true);

        Attention.Output out = attn.forwardWithWeights(x, null);
        Tensor loss = out.y().mul(g.tensor("r")).sum();
        loss.backward();

        GoldenAssert.assertClose("mhsa y", out.y(), g.tensor("y"));
        GoldenAssert.assertClose("mhsa att", out.weights(), g.tensor("att"));
        GoldenAssert.assertClose("mhsa loss", loss, g.tensor("loss"));
        GoldenAssert.assertClose("mhsa grad.x", x.grad(), g.tensor("grad.x"));
        for (var p : attn.namedParameters().entrySet()) {
            GoldenAssert.assertClose("mhsa grad.attn." + p.getKey(), p.getValue().grad(), g.tensor("grad.attn." + p.getKey()));
        }
    }

    @Test
    void fusedForwardMatchesTheComposedPathInOutputAndGradients() {
        for (boolean causal : new boolean[] {true, false}) {
            var attn = new MultiHeadSelfAttention(16, 2, true, 0f, causal, null, new Rng(16));
            Tensor x = Tensor.randn(new Rng(17), 2, 70, 16);
            Tensor r = Tensor.randn(new Rng(18), 2, 70, 16);

            Tensor xFused = x.detach().copy().requiresGrad(true);
            attn.forward(xFused).mul(r).sum().backward();                     // no weights asked for: fused kernel
            Map<String, Tensor> fusedGrads = new LinkedHashMap<>();
            for (var p : attn.namedParameters().entrySet()) fusedGrads.put(p.getKey(), p.getValue().grad());
            attn.zeroGrad();

            Tensor xComposed = x.detach().copy().requiresGrad(true);
            Attention.Output composed = attn.forwardWithWeights(xComposed, null);   // weights asked for: composed ops
            composed.y().mul(r).sum().backward();

            assertClose(attn.forward(x), composed.y(), 1e-5f);
            assertClose(xFused.grad(), xComposed.grad(), 1e-5f);
            for (var p : attn.namedParameters().entrySet()) {
                assertClose(fusedGrads.get(p.getKey()), p.getValue().grad(), 1e-5f);
            }
        }
    }

    @Test
    void attentionRunsFusedWithoutWeightsOnlyWhenNothingNeedsThem() {
        Rng rng = new Rng(19);
        Tensor q = Tensor.randn(rng, 1, 2, 5, 4), k = Tensor.randn(rng, 1, 2, 5, 4), v = Tensor.randn(rng, 1, 2, 5, 4);
        Tensor padded = Attention.paddedKeys(Tensor.of(new float[] {0, 1, 1, 1, 1}, 1, 5), 1, 5);
        var dropout = new Dropout(0.5f, new Rng(20));
        dropout.eval();
        assertThat(Attention.scaledDotProduct(q, k, v, true, null, dropout, false).weights()).isNull();
        assertThat(Attention.scaledDotProduct(q, k, v, true, null, dropout, true).weights()).isNotNull();
        assertThat(Attention.scaledDotProduct(q, k, v, true, padded, dropout, false).weights()).isNotNull();
        dropout.train(true);
        assertThat(Attention.scaledDotProduct(q, k, v, true, null, dropout, false).weights()).isNotNull();
        var noDropout = new Dropout(0f, new Rng(21));
        assertThat(Attention.scaledDotProduct(q, k, v, true, null, noDropout, false).weights()).isNull();
    }

    @Test
    void attentionWeightsAreCausalAndRowsSumToOne() {
        var attn = new MultiHeadSelfAttention(8, 2, true, 0f, new Rng(2));
        Tensor w = attn.forwardWithWeights(Tensor.randn(new Rng(3), 2, 6, 8), null).weights();
        assertThat(w.shape()).containsExactly(2, 2, 6, 6);
        for (int b = 0; b < 2; b++) for (int h = 0; h < 2; h++) for (int i = 0; i < 6; i++) {
            double sum = 0;
            for (int j = 0; j < 6; j++) {
                if (j > i) assertThat(w.get(b, h, i, j)).isZero();
                sum += w.get(b, h, i, j);
            }
            assertThat(sum).isCloseTo(1.0, within(1e-5));
        }
    }

    @Test
    void leftPaddingDoesNotChangeTheRealTokensOutputs() {
        var attn = new MultiHeadSelfAttention(8, 2, true, 0f, new Rng(4));
        Tensor real = Tensor.randn(new Rng(5), 1, 3, 8);
        Tensor padded = Tensor.cat(java.util.List.of(Tensor.randn(new Rng(6), 1, 2, 8), real), 1);    // (1, 5, 8)
        Tensor mask = Tensor.of(new float[] {0, 0, 1, 1, 1}, 1, 5);

        Attention.Output out = attn.forwardWithWeights(padded, mask);
        Tensor alone = attn.forward(real);

        assertClose(out.y().narrow(1, 2, 3), alone, 1e-6f);
        for (int i = 2; i < 5; i++) for (int j = 0; j < 2; j++) assertThat(out.weights().get(0, 0, i, j)).isZero();
        assertThat(out.y().toArray()).doesNotContain(Float.NaN); // padded queries see only padding, yet stay finite
    }

    @Test
    void keyPaddingMaskWithoutCausalMaskHidesPaddedKeysOnTheRight() {
        var attn = new MultiHeadSelfAttention(8, 2, true, 0f, false, null, new Rng(7));
        Tensor x = Tensor.randn(new Rng(8), 1, 4, 8);
        Tensor mask = Tensor.of(new float[] {1, 1, 0, 0}, 1, 4);
        Tensor y1 = attn.forward(x, mask);
        Tensor x2 = x.detach().copy();
        x2.narrow(1, 2, 2).copyFrom(Tensor.randn(new Rng(9), 1, 2, 8)); // change only the padding
        Tensor y2 = attn.forward(x2, mask);
        assertClose(y1.narrow(1, 0, 2), y2.narrow(1, 0, 2), 1e-6f);
    }

    @Test
    void rejectsAPaddingMaskOfTheWrongShape() {
        var attn = new MultiHeadSelfAttention(8, 2, true, 0f, new Rng(10));
        assertThatThrownBy(() -> attn.forward(Tensor.zeros(2, 4, 8), Tensor.ones(2, 5)))
                .hasMessageContaining("key padding mask of shape (2,5) does not match (2,4)");
    }

    @Test
    void attentionDropoutOnlyActsWhileTraining() {
        var attn = new MultiHeadSelfAttention(8, 2, true, 0.5f, new Rng(11));
        Tensor x = Tensor.randn(new Rng(12), 1, 5, 8);
        attn.eval();
        Tensor a = attn.forward(x), b = attn.forward(x);
        assertClose(a, b, 0f);
        attn.train(true);
        Tensor c = attn.forward(x);
        assertThat(maxDiff(a, c)).isGreaterThan(1e-3);
    }

    @Test
    void cachedStepsMatchTheFullCausalForward() {
        var attn = new MultiHeadSelfAttention(8, 2, true, 0f, true, new RotaryEmbedding(4, 16, 10000f), new Rng(13));
        Tensor x = Tensor.randn(new Rng(14), 2, 6, 8);
        Tensor full = attn.forward(x);
        var cache = new KVCache(1, 2, 2, 16, 4);
        try (var ignored = dev.zerolm.autograd.GradMode.noGrad()) {
            Tensor first = attn.forward(x.narrow(1, 0, 3), cache.layer(0), 0);      // a 3-token prompt
            assertClose(first, full.narrow(1, 0, 3), 1e-5f);
            for (int t = 3; t < 6; t++) {
                Tensor step = attn.forward(x.narrow(1, t, 1), cache.layer(0), t);   // then one token at a time
                assertClose(step, full.narrow(1, t, 1), 1e-5f);
            }
        }
        assertThat(cache.length()).isEqualTo(6);
    }

    @Test
    void kvCacheRefusesToRecordAGraph() {
        var attn = new MultiHeadSelfAttention(8, 2, true, 0f, new Rng(15));
        var cache = new KVCache(1, 1, 2, 8, 4);
        assertThatThrownBy(() -> attn.forward(Tensor.zeros(1, 2, 8), cache.layer(0), 0))
                .hasMessageContaining("GradMode.noGrad()");
    }

    static double maxDiff(Tensor a, Tensor b) {
        float[] x = a.toArray(), y = b.toArray();
        assertThat(x.length).isEqualTo(y.length);
        double m = 0;
        for (int i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i] - y[i]));
        return m;
    }

    static void assertClose(Tensor actual, Tensor expected, float tol) {
        assertThat(actual.shape()).containsExactly(expected.shape());
        assertThat(maxDiff(actual, expected)).isLessThanOrEqualTo(tol);
    }
}
