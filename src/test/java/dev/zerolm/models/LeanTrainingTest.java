package dev.zerolm.models;

import dev.zerolm.tensor.IntTensor;
import dev.zerolm.tensor.NNOps;
import dev.zerolm.tensor.Rng;
import dev.zerolm.tensor.Tensor;
import dev.zerolm.train.AdamW;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The three ways a GPT trains in less memory give the results of the plain step: the output layer fused into the
 * loss, checkpointed blocks, and AdamW applied inside backward.
 */
class LeanTrainingTest {

    private static final int V = 11, T = 12, B = 3;

    @Test
    void fusedOutputLayerLossMatchesLogitsThenCrossEntropy() {
        var model = new GPT(GPTConfig.gpt2(V, T, 2, 2, 16), new Rng(3));
        IntTensor[] xy = batch(new Rng(4), true);
        Tensor fused = model.loss(xy[0], xy[1]);
        fused.backward();
        Map<String, float[]> fusedGrads = grads(model);
        model.zeroGrad();
        Tensor plain = GPT.crossEntropy(model.forward(xy[0]), xy[1]);
        plain.backward();
        assertThat(fused.item()).isCloseTo(plain.item(), within(1e-5f * plain.item()));
        assertClose(fusedGrads, grads(model), 1e-5f);
    }

    @Test
    void linearCrossEntropyGivesTheSameLossAndGradientsForAnyChunkSize() {
        Rng rng = new Rng(9);
        Tensor x = Tensor.randn(rng, 7, 5), w = Tensor.randn(rng, 13, 5);
        IntTensor targets = IntTensor.vector(3, -1, 12, 0, 7, 7, -1);
        float[][] reference = null;
        for (int rows : new int[] {0, 1, 2, 3, 7, 100}) {
            x.requiresGrad(true).zeroGrad();
            w.requiresGrad(true).zeroGrad();
            Tensor loss = NNOps.linearCrossEntropy(x, w, targets, -1, rows);
            loss.backward();
            float[][] got = {{loss.item()}, x.grad().toArray(), w.grad().toArray()};
            if (reference == null) {
                x.zeroGrad();
                w.zeroGrad();
                Tensor plain = NNOps.crossEntropy(x.matmul(w.t()), targets, -1, NNOps.Reduction.MEAN);
                plain.backward();
                reference = new float[][] {{plain.item()}, x.grad().toArray(), w.grad().toArray()};
            }
            for (int k = 0; k < 3; k++) {
                for (int i = 0; i < got[k].length; i++) {
                    assertThat(got[k][i]).as("rows %d, output %d, element %d", rows, k, i)
                            .isCloseTo(reference[k][i], within(1e-5f + 1e-5f * Math.abs(reference[k][i])));
                }
            }
        }
    }

    @Test
    void checkpointedBlocksGiveTheSameLossesAndGradientsEvenWithDropout() {
        IntTensor[] xy = batch(new Rng(8), false);
        var plain = new GPT(GPTConfig.gpt2(V, T, 3, 2, 16).withDropout(0.2f), new Rng(6));
        var checkpointed = new GPT(GPTConfig.gpt2(V, T, 3, 2, 16).withDropout(0.2f), new Rng(6));
        checkpointed.setGradientCheckpointing(true);
        for (GPT m : List.of(plain, checkpointed)) m.train(true);
        for (int step = 0; step < 2; step++) {                   // the dropout masks differ per step, and must match
            Tensor a = plain.loss(xy[0], xy[1]), b = checkpointed.loss(xy[0], xy[1]);
            a.backward();
            b.backward();
            assertThat(b.item()).isEqualTo(a.item());
            assertClose(grads(checkpointed), grads(plain), 1e-6f);
            plain.zeroGrad();
            checkpointed.zeroGrad();
        }
    }

    @Test
    void checkpointedBertLayersGiveTheSameGradientsAlsoWhenTheEmbeddingsAreFrozen() {
        for (boolean frozenEmbeddings : new boolean[] {false, true}) {
            BertConfig config = new BertConfig(V, 16, 2, 2, 32, "gelu", T, 2, 1e-12f, 0.2f, 0.2f, 0, 0.02f);
            var plain = new Bert(config, new Rng(21));
            var checkpointed = new Bert(config, new Rng(21));
            checkpointed.setGradientCheckpointing(true);
            IntTensor ids = batch(new Rng(22), false)[0];
            IntTensor mask = IntTensor.of(new int[B * T], B, T);
            for (int i = 0; i < B * T; i++) mask.data()[i] = i % T < T - 2 ? 1 : 0;   // two padding positions per row
            for (Bert m : List.of(plain, checkpointed)) {
                m.train(true);
                if (frozenEmbeddings) m.namedParameters().forEach((name, p) -> { if (name.contains("embeddings")) p.requiresGrad(false); });
            }
            Tensor r = Tensor.randn(new Rng(23), B, T, 16);
            Tensor a = plain.forward(ids, null, mask).lastHiddenState().mul(r).sum();
            Tensor b = checkpointed.forward(ids, null, mask).lastHiddenState().mul(r).sum();
            a.backward();
            b.backward();
            assertThat(b.item()).isEqualTo(a.item());
            Map<String, float[]> want = new java.util.LinkedHashMap<>(), got = new java.util.LinkedHashMap<>();
            plain.namedParameters().forEach((name, p) -> { if (p.grad() != null) want.put(name, p.grad().toArray()); });
            checkpointed.namedParameters().forEach((name, p) -> { if (p.grad() != null) got.put(name, p.grad().toArray()); });
            assertThat(want).as("frozen embeddings %s: layers get gradients", frozenEmbeddings).containsKey("bert.encoder.layer.0.attention.self.query.weight");
            assertClose(got, want, 1e-6f);
        }
    }

    @Test
    void adamWInsideBackwardUpdatesExactlyAsAStepAfterIt() {
        IntTensor[] xy = batch(new Rng(12), false);
        var classic = new GPT(GPTConfig.gpt2(V, T, 2, 2, 16), new Rng(10));
        var lean = new GPT(GPTConfig.gpt2(V, T, 2, 2, 16), new Rng(10));
        lean.setGradientCheckpointing(true);
        AdamW classicOpt = new AdamW(AdamW.defaultGroups(classic, 0.1f), 1e-2f);
        AdamW leanOpt = new AdamW(AdamW.defaultGroups(lean, 0.1f), 1e-2f);
        leanOpt.stepInBackward();
        List<Float> classicLosses = new ArrayList<>(), leanLosses = new ArrayList<>();
        for (int step = 0; step < 4; step++) {
            classicOpt.zeroGrad();
            Tensor a = classic.loss(xy[0], xy[1]);
            a.backward();
            classicOpt.step();
            classicLosses.add(a.item());

            leanOpt.zeroGrad();
            Tensor b = lean.loss(xy[0], xy[1]);
            b.backward();
            for (Tensor p : lean.parameters()) assertThat(p.grad()).as("gradient dropped after its update").isNull();
            leanOpt.step();                                       // only counts
            leanLosses.add(b.item());
        }
        assertThat(leanLosses).isEqualTo(classicLosses);
        assertThat(leanOpt.stepCount()).isEqualTo(classicOpt.stepCount());
        var want = classic.namedParameters();
        lean.namedParameters().forEach((name, p) ->
                assertThat(p.toArray()).as(name).containsExactly(want.get(name).toArray()));
        assertThat(leanLosses.get(3)).isLessThan(leanLosses.get(0));
    }

    @Test
    void accumulationAndClippingAreRefusedWhileTheOptimizerStepsInBackward() {
        var model = new GPT(GPTConfig.gpt2(V, T, 1, 1, 8), new Rng(1));
        AdamW opt = new AdamW(AdamW.defaultGroups(model, 0.1f), 1e-2f);
        opt.stepInBackward();
        IntTensor[] xy = batch(new Rng(2), false);
        for (int[] setting : new int[][] {{2, 0}, {1, 1}}) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> dev.zerolm.train.GradAccumulation.step(opt, setting[0],
                            setting[1], m -> model.loss(xy[0], xy[1])))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("stepInBackward");
        }
        var r = dev.zerolm.train.GradAccumulation.step(opt, 1, 0f, m -> model.loss(xy[0], xy[1]));   // one batch, no clip: fine
        assertThat(r.loss()).isFinite();
        assertThat(r.gradNorm()).isNaN();                                   // consumed inside backward
        assertThat(opt.stepCount()).isEqualTo(1);
        opt.stepAfterBackward();
        assertThat(opt.stepsInBackward()).isFalse();
        dev.zerolm.train.GradAccumulation.step(opt, 2, 1f, m -> model.loss(xy[0], xy[1]));
        assertThat(opt.stepCount()).isEqualTo(2);
    }

    private static IntTensor[] batch(Rng rng, boolean someIgnored) {
        int[] x = new int[B * T], y = new int[B * T];
        for (int i = 0; i < x.length; i++) {
            x[i] = rng.nextInt(V);
            y[i] = someIgnored && i % 5 == 0 ? CausalLM.IGNORE_INDEX : rng.nextInt(V);
        }
        return new IntTensor[] {IntTensor.of(x, B, T), IntTensor.of(y, B, T)};
    }

    private static Map<String, float[]> grads(GPT model) {
        Map<String, float[]> out = new java.util.LinkedHashMap<>();
        model.namedParameters().forEach((name, p) -> out.put(name, p.grad() == null ? null : p.grad().toArray()));
        return out;
    }

    private static void assertClose(Map<String, float[]> got, Map<String, float[]> want, float rtol) {
        assertThat(got.keySet()).isEqualTo(want.keySet());
        want.forEach((name, w) -> {
            float[] g = got.get(name);
            assertThat(g).as(name).isNotNull();
            for (int i = 0; i < w.length; i++) {
                assertThat(g[i]).as("%s[%d]", name, i).isCloseTo(w[i], within(1e-6f + rtol * Math.abs(w[i])));
            }
        });
    }
}
