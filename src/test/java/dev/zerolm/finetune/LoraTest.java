package dev.zerolm.finetune;

import dev.zerolm.autograd.GradMode;
import dev.zerolm.models.GPT;
import dev.zerolm.tensor.IntTensor;
import dev.zerolm.tensor.Rng;
import dev.zerolm.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LoraTest {

    private static final IntTensor IDS = IntTensor.of(new int[] {1, 5, 9, 2, 3, 7, 0, 0}, 2, 4);
    private static final IntTensor MASK = IntTensor.of(new int[] {1, 1, 1, 1, 1, 1, 0, 0}, 2, 4);

    private static SequenceClassifier classifier(long seed) {
        return new SequenceClassifier(Backbone.of(TinyModels.gpt(seed)), 3, Pooling.LAST, 0f, new Rng(seed + 1));
    }

    private static float[] logits(TaskModel m) {
        m.eval();
        try (var ignored = GradMode.noGrad()) {
            return m.logits(IDS, MASK).toArray();
        }
    }

    /** Gives every B a non-zero value, as if trained. */
    private static void perturbB(Map<String, LoraLayer> layers, long seed) {
        Rng rng = new Rng(seed);
        for (LoraLayer l : layers.values()) l.loraB().copyFrom(Tensor.randn(rng, 0f, 0.5f, l.loraB().shape()));
    }

    @Test
    void loraWithZeroBLeavesOutputsUnchanged() {
        SequenceClassifier m = classifier(1);
        float[] before = logits(m);
        Map<String, LoraLayer> layers = Lora.inject(m.backbone().module(), new LoraConfig(4, 8, 0f, List.of("c_attn", "c_fc")), new Rng(3));
        assertThat(layers).hasSize(4);
        for (LoraLayer l : layers.values()) assertThat(l.loraA().toArray()).isNotEqualTo(new float[l.loraA().numel()]);
        assertThat(logits(m)).containsExactly(before);
    }

    @Test
    void mergeThenUnmergeRestoresWeights() {
        SequenceClassifier m = classifier(2);
        Map<String, LoraLayer> layers = Lora.inject(m.backbone().module(), new LoraConfig(2, 16, 0f, List.of("c_attn")), new Rng(4));
        perturbB(layers, 5);
        List<float[]> before = layers.values().stream().map(l -> l.baseWeight().toArray()).toList();
        Lora.mergeAll(layers);
        assertThat(layers.values().iterator().next().baseWeight().toArray()).isNotEqualTo(before.getFirst());
        Lora.unmergeAll(layers);
        int i = 0;
        for (LoraLayer l : layers.values()) {
            float[] w = l.baseWeight().toArray(), b = before.get(i++);
            for (int k = 0; k < w.length; k++) assertThat(w[k]).isCloseTo(b[k], org.assertj.core.data.Offset.offset(1e-5f));
        }
    }

    @Test
    void mergedOutputEqualsUnmergedOutput() {
        SequenceClassifier m = classifier(3);
        Map<String, LoraLayer> layers = Lora.inject(m.backbone().module(), new LoraConfig(4, 8, 0.1f, List.of(LoraConfig.ALL_LINEAR)), new Rng(6));
        perturbB(layers, 7);
        float[] unmerged = logits(m);
        Lora.mergeAll(layers);
        float[] merged = logits(m);
        for (int k = 0; k < merged.length; k++) assertThat(merged[k]).isCloseTo(unmerged[k], org.assertj.core.data.Offset.offset(1e-4f));
        assertThatThrownBy(() -> Lora.mergeAll(layers)).hasMessageContaining("already merged");
    }

    @Test
    void targetsMatchByNameSuffixRegexOrAllLinear() {
        LoraConfig byName = new LoraConfig(1, 1, 0, List.of("c_attn"));
        assertThat(byName.targets("transformer.h.0.attn.c_attn")).isTrue();
        assertThat(byName.targets("transformer.h.0.attn.c_attn2")).isFalse();
        LoraConfig regex = new LoraConfig(1, 1, 0, List.of(".*\\.(query|value)"));
        assertThat(regex.targets("bert.encoder.layer.0.attention.self.query")).isTrue();
        assertThat(regex.targets("bert.encoder.layer.0.attention.self.key")).isFalse();
        LoraConfig all = new LoraConfig(1, 1, 0, List.of(LoraConfig.ALL_LINEAR));
        assertThat(all.targets("bert.pooler.dense")).isTrue();
        assertThat(all.targets("cls.predictions.transform.dense")).isFalse();
    }

    @Test
    void injectingNothingNamesTheLinearLayers() {
        GPT gpt = TinyModels.gpt(1);
        assertThatThrownBy(() -> Lora.inject(gpt, new LoraConfig(2, 4, 0, List.of("q_proj")), new Rng(1)))
                .hasMessageContaining("q_proj").hasMessageContaining("transformer.h.0.attn.c_attn");
    }

    @Test
    void onlyAdapterAndHeadParametersTrainAndSitInTheOptimiser() throws Exception {
        SequenceClassifier m = classifier(4);
        Map<String, LoraLayer> layers = Lora.inject(m.backbone().module(), new LoraConfig(2, 4, 0f, List.of("c_attn")), new Rng(8));
        Trainable.apply(m, Method.LORA);
        var groups = Trainable.groups(m, 0.01f, 1f);
        long inOptimiser = groups.stream().mapToLong(dev.zerolm.train.ParamGroup::numel).sum();
        long expected = Lora.parameterCount(layers) + m.classifier().weight().numel() + m.classifier().bias().numel();
        assertThat(inOptimiser).isEqualTo(expected).isEqualTo(Trainable.count(m));
        assertThat(expected).isLessThan(m.parameterCount() / 5);
    }

    @Test
    void loraPlusGivesOnlyTheLinearBMatricesTheLargerRate() {
        SequenceClassifier m = classifier(4);
        Lora.inject(m.backbone().module(), new LoraConfig(2, 4, 0f, List.of("c_attn", "wte")), new Rng(8));
        Trainable.apply(m, Method.LORA);
        var plain = Trainable.groups(m, 0.01f, 1f);
        var plus = Trainable.groups(m, 0.01f, 1f, 16f);
        assertThat(plain).allMatch(g -> g.lrScale() == 1f);
        var fast = plus.stream().filter(g -> g.lrScale() == 16f).toList();
        assertThat(fast).hasSize(1);
        assertThat(fast.get(0).params()).hasSize(m.backbone().numBlocks())   // one c_attn per block; wte's LoRA keeps the base rate
                .allMatch(p -> p.rank() == 2);
        assertThat(plus).filteredOn(g -> g.lrScale() != 16f).allMatch(g -> g.lrScale() == 1f);
        assertThat(plus.stream().mapToLong(dev.zerolm.train.ParamGroup::numel).sum())
                .isEqualTo(plain.stream().mapToLong(dev.zerolm.train.ParamGroup::numel).sum());
        assertThatThrownBy(() -> Trainable.groups(m, 0.01f, 1f, 0f)).hasMessageContaining("LoRA+");
    }
}
