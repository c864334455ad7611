package dev.zerolm.finetune;

import dev.zerolm.autograd.GradMode;
import dev.zerolm.tensor.IntTensor;
import dev.zerolm.tensor.Rng;
import dev.zerolm.tensor.Tensor;
import dev.zerolm.train.ParamGroup;
import org.junit.jupiter.api.Test;

import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class FreezingAndAdaptersTest {

    private static Map<String, float[]> copyOf(Map<String, Tensor> params) {
        Map<String, float[]> out = new LinkedHashMap<>();
        params.forEach((k, v) -> out.put(k, v.toArray()));
        return out;
    }

    /** Trains a few steps and returns the names of parameters whose values changed. */
    private static Set<String> changedAfterTraining(TaskModel m) throws Exception {
        Map<String, float[]> before = copyOf(m.namedParameters());
        var f = TinyModels.finetuner(m, List.of("a", "b", "c"), Finetuner.Config.defaults().withEpochs(1).withBatchSize(4).withLr(1e-2f));
        f.fit(TinyModels.idModThree(16, 1), TinyModels.idModThree(4, 2), null);
        Set<String> changed = new java.util.TreeSet<>();
        for (var e : m.namedParameters().entrySet()) {
            if (!java.util.Arrays.equals(before.get(e.getKey()), e.getValue().toArray())) changed.add(e.getKey());
        }
        return changed;
    }

    @Test
    void frozenBaseReceivesNoUpdatesAndOnlyTheHeadTrains() throws Exception {
        TokenClassifier m = new TokenClassifier(Backbone.of(TinyModels.bert(1)), 3, 0f, new Rng(2));
        Trainable.apply(m, Method.FREEZE);
        assertThat(changedAfterTraining(m)).containsExactlyInAnyOrder("classifier.weight", "classifier.bias");
        for (Tensor p : m.backbone().module().parameters()) assertThat(p.grad()).isNull();
    }

    @Test
    void freezingTheFirstBlocksKeepsThemAndTheEmbeddingsFixed() throws Exception {
        TokenClassifier m = new TokenClassifier(Backbone.of(TinyModels.gpt(3)), 3, 0f, new Rng(4));
        Trainable.freezeFirstBlocks(m, 1);
        Set<String> changed = changedAfterTraining(m);
        assertThat(changed).noneMatch(n -> n.contains(".h.0.") || n.contains("wte") || n.contains("wpe"));
        assertThat(changed).anyMatch(n -> n.contains(".h.1.")).contains("classifier.weight");
    }

    @Test
    void freezingTheEmbeddingsKeepsOnlyThemFixed() throws Exception {
        TokenClassifier m = new TokenClassifier(Backbone.of(TinyModels.bert(3)), 3, 0f, new Rng(4));
        Trainable.freezeEmbeddings(m);
        Set<String> changed = changedAfterTraining(m);
        assertThat(changed).noneMatch(n -> n.contains(".embeddings."));
        assertThat(changed).anyMatch(n -> n.contains(".layer.0.")).contains("classifier.weight");
        assertThat(m.namedParameters().get("backbone.bert.embeddings.word_embeddings.weight").grad()).isNull();
    }

    @Test
    void discriminativeGroupsScaleTheLearningRateByDepth() {
        TokenClassifier m = new TokenClassifier(Backbone.of(TinyModels.bert(5)), 3, 0f, new Rng(6));
        List<ParamGroup> groups = Trainable.groups(m, 0.01f, 0.5f);
        Map<Tensor, Float> scale = new IdentityHashMap<>();
        for (ParamGroup g : groups) for (Tensor p : g.params()) scale.put(p, g.lrScale());
        Map<String, Tensor> named = m.namedParameters();
        assertThat(scale.get(named.get("classifier.weight"))).isEqualTo(1f);
        assertThat(scale.get(named.get("backbone.bert.encoder.layer.1.output.dense.weight"))).isEqualTo(0.5f);
        assertThat(scale.get(named.get("backbone.bert.encoder.layer.0.output.dense.weight"))).isEqualTo(0.25f);
        assertThat(scale.get(named.get("backbone.bert.embeddings.word_embeddings.weight"))).isEqualTo(0.125f);
    }

    @Test
    void adaptersStartAsTheIdentityAndOnlyTheyNormsAndHeadTrain() throws Exception {
        TokenClassifier m = new TokenClassifier(Backbone.of(TinyModels.bert(7)), 3, 0f, new Rng(8));
        IntTensor ids = IntTensor.of(new int[] {2, 5, 9, 4}, 1, 4);
        m.eval();
        float[] before, after;
        try (var ignored = GradMode.noGrad()) {
            before = m.logits(ids, null).toArray();
            var adapters = Adapters.inject(m.backbone(), 4, new Rng(9));
            assertThat(adapters).hasSize(4);
            after = m.logits(ids, null).toArray();
        }
        assertThat(after).containsExactly(before);
        Trainable.apply(m, Method.ADAPTER);
        Set<String> changed = changedAfterTraining(m);
        assertThat(changed).isNotEmpty().allMatch(n -> n.contains(".adapter.") || n.contains("LayerNorm") || n.startsWith("classifier."));
        assertThat(changed).anyMatch(n -> n.contains(".adapter.up."));
    }

    @Test
    void parallelAdaptersSitBesideEverySublayerStartAsTheIdentityAndTrainWithNormsAndHead() throws Exception {
        for (Backbone backbone : List.of(Backbone.of(TinyModels.bert(11)), Backbone.of(TinyModels.gpt(12)))) {
            TokenClassifier m = new TokenClassifier(backbone, 3, 0f, new Rng(8));
            IntTensor ids = IntTensor.of(new int[] {2, 5, 9, 4}, 1, 4);
            m.eval();
            float[] before, after;
            Map<String, dev.zerolm.nn.Module> adapters;
            try (var ignored = GradMode.noGrad()) {
                before = m.logits(ids, null).toArray();
                adapters = Adapters.inject(backbone, 4, Adapters.PARALLEL, 4f, new Rng(9));
                after = m.logits(ids, null).toArray();
            }
            assertThat(after).containsExactly(before);
            String b0 = backbone.blockPath(0);
            assertThat(adapters).hasSize(2 * backbone.numBlocks()).allSatisfy((k, v) -> assertThat(v).isInstanceOf(ParallelAdapter.class));
            assertThat(adapters.keySet()).first().isEqualTo(backbone.kind().equals("bert") ? b0 + ".attention.output.adapter" : b0 + ".attn.adapter");
            Trainable.apply(m, Method.ADAPTER);
            Set<String> changed = changedAfterTraining(m);
            assertThat(changed).as(backbone.kind()).isNotEmpty()
                    .allMatch(n -> n.contains(".adapter.") || n.contains("LayerNorm") || n.contains(".ln_") || n.startsWith("classifier."))
                    .anyMatch(n -> n.contains(".adapter.up.")).anyMatch(n -> n.contains(".adapter.down."));
        }
    }

    @Test
    void aParallelAdapterAddsItsScaledBottleneckOfTheSublayerInputToItsOutput() {
        ParallelAdapter a = new ParallelAdapter(3, 2, 4f, new Rng(1));
        a.up().weight().copyFrom(Tensor.of(new float[] {0.5f, -1f, 2f, 0.25f, 0f, 1f}, 3, 2));
        a.up().bias().copyFrom(Tensor.of(new float[] {0.1f, 0f, -0.2f}, 3));
        Tensor in = Tensor.of(new float[] {1f, -2f, 0.5f}, 1, 3), out = Tensor.of(new float[] {3f, 4f, 5f}, 1, 3);
        float[] got;
        try (var ignored = GradMode.noGrad()) {
            got = a.apply(in, out).toArray();
        }
        float[] d = a.down().forward(in).toArray(), w = a.up().weight().toArray(), bias = a.up().bias().toArray(), o = out.toArray();
        for (int j = 0; j < 3; j++) {
            double u = bias[j];
            for (int k = 0; k < 2; k++) u += w[j * 2 + k] * gelu(d[k]);
            assertThat((double) got[j]).isCloseTo(o[j] + 4 * u, org.assertj.core.api.Assertions.within(1e-5));
        }
    }

    /** GELU, tanh form, as Tensor.gelu. */
    private static double gelu(double x) {
        return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
    }

    @Test
    void aGptWithParallelAdaptersDecodesWithItsCacheAsItRunsWhole() {
        var gpt = TinyModels.gpt(21);
        Adapters.inject(Backbone.of(gpt), 4, Adapters.PARALLEL, 4f, new Rng(22));
        Rng rng = new Rng(23);
        for (Tensor p : gpt.parameters()) if (p.toArray().length > 0 && isZero(p)) p.copyFrom(Tensor.randn(rng, 0f, 0.2f, p.shape()));
        int[] tokens = {3, 1, 4, 1, 5};
        try (var ignored = GradMode.noGrad()) {
            float[] whole = gpt.forward(IntTensor.of(tokens, 1, tokens.length)).toArray();
            var cache = gpt.newKVCache(1);
            gpt.forward(IntTensor.of(java.util.Arrays.copyOf(tokens, 4), 1, 4), cache, 0);
            float[] step = gpt.decodeStep(new int[] {tokens[4]}, new dev.zerolm.nn.KVCache[] {cache}, new int[] {4}).toArray();
            int V = step.length;
            for (int v = 0; v < V; v++) {
                assertThat(step[v]).isCloseTo(whole[4 * V + v], org.assertj.core.api.Assertions.within(1e-4f));
            }
        }
    }

    private static boolean isZero(Tensor p) {
        for (float v : p.toArray()) if (v != 0f) return false;
        return true;
    }
}
