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
}
