package dev.zerolm.finetune;

import dev.zerolm.autograd.GradMode;
import dev.zerolm.io.Safetensors;
import dev.zerolm.nn.Embedding;
import dev.zerolm.tensor.IntTensor;
import dev.zerolm.tensor.Rng;
import dev.zerolm.tensor.Tensor;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LoraEmbeddingTest {

    private static final IntTensor IDS = IntTensor.of(new int[] {1, 5, 9, 2, 3, 7, 5, 0}, 2, 4);
    private static final IntTensor MASK = IntTensor.of(new int[] {1, 1, 1, 1, 1, 1, 1, 1}, 2, 4);

    private static float[] logits(TaskModel m) {
        m.eval();
        try (var ignored = GradMode.noGrad()) {
            return m.logits(IDS, MASK).toArray();
        }
    }

    /** Gives every A and B other values, as if trained (an embedding's A starts at zero). */
    private static void perturb(Map<String, LoraLayer> layers, long seed) {
        Rng rng = new Rng(seed);
        for (LoraLayer l : layers.values()) {
            l.loraA().copyFrom(Tensor.randn(rng, 0f, 0.5f, l.loraA().shape()));
            l.loraB().copyFrom(Tensor.randn(rng, 0f, 0.5f, l.loraB().shape()));
        }
    }

    @Test
    void startsAsANoOpWithPeftsShapesAndInit() {
        SequenceClassifier m = new SequenceClassifier(Backbone.of(TinyModels.bert(1)), 3, Pooling.CLS, 0f, new Rng(2));
        float[] before = logits(m);
        Map<String, LoraLayer> layers = Lora.inject(m.backbone().module(), new LoraConfig(4, 8, 0f, List.of("word_embeddings")), new Rng(3));
        assertThat(layers.keySet()).containsExactly("bert.embeddings.word_embeddings");
        LoraLayer l = layers.get("bert.embeddings.word_embeddings");
        assertThat(l.loraA().shape()).containsExactly(4, TinyModels.VOCAB);   // (r, V), zeros
        assertThat(l.loraB().shape()).containsExactly(16, 4);                 // (D, r), N(0, 1)
        assertThat(l.loraA().toArray()).isEqualTo(new float[4 * TinyModels.VOCAB]);
        assertThat(l.loraB().toArray()).isNotEqualTo(new float[16 * 4]);
        assertThat(logits(m)).isEqualTo(before);
    }

    @Test
    void allLinearLeavesEmbeddingsAloneAndNamesListThem() {
        LoraConfig all = new LoraConfig(2, 4, 0f, List.of(LoraConfig.ALL_LINEAR));
        assertThat(all.targets("bert.embeddings.word_embeddings", false)).isFalse();
        assertThat(new LoraConfig(2, 4, 0f, List.of("wte")).targets("transformer.wte", false)).isTrue();
        assertThatThrownBy(() -> Lora.inject(TinyModels.gpt(1), new LoraConfig(2, 4, 0, List.of("embed_tokens")), new Rng(1)))
                .hasMessageContaining("transformer.wte").hasMessageContaining("embedding tables");
    }

    @Test
    void forwardAndGradientsEqualTheOneHotComposition() {
        Rng rng = new Rng(5);
        Embedding table = new Embedding(10, 6, rng);
        LoraEmbedding lora = table.attach(Lora.HOOK_NAME, new LoraEmbedding(table, 3, 2f, rng));
        lora.loraA().copyFrom(Tensor.randn(rng, 0f, 1f, 3, 10));
        Tensor weights = Tensor.randn(rng, 0f, 1f, 2, 4, 6);
        table.weight().requiresGrad(false);

        Tensor y = table.forward(IDS);                                                        // (2, 4, 6)
        y.mul(weights).sum().backward();
        float[] gotA = lora.loraA().grad().toArray(), gotB = lora.loraB().grad().toArray();

        // Reference: W[ids] + scaling · onehot(ids) (8, 10) @ Aᵀ (10, 3) @ Bᵀ (3, 6), every op already checked.
        float[] onehot = new float[8 * 10];
        for (int i = 0; i < 8; i++) onehot[i * 10 + IDS.data()[i]] = 1f;
        Tensor a = Tensor.of(lora.loraA().toArray(), 3, 10).requiresGrad(true), b = Tensor.of(lora.loraB().toArray(), 6, 3).requiresGrad(true);
        Tensor ref = Tensor.of(onehot, 8, 10).matmul(a.t()).matmul(b.t()).mul(lora.scaling()).reshape(2, 4, 6)
                .add(dev.zerolm.tensor.NNOps.embedding(table.weight(), IDS));
        ref.mul(weights).sum().backward();

        assertClose(y.toArray(), ref.toArray());
        assertClose(gotA, a.grad().toArray());
        assertClose(gotB, b.grad().toArray());
    }

    @Test
    void mergeUnmergeAndMergedOutputWithLinearLayersToo() {
        SequenceClassifier m = new SequenceClassifier(Backbone.of(TinyModels.gpt(2)), 3, Pooling.LAST, 0f, new Rng(3));
        Map<String, LoraLayer> layers = Lora.inject(m.backbone().module(), new LoraConfig(2, 4, 0f, List.of("wte", "c_attn")), new Rng(4));
        assertThat(layers).containsKey("transformer.wte").hasSize(3);
        perturb(layers, 6);
        float[] weightBefore = layers.get("transformer.wte").baseWeight().toArray();
        float[] unmerged = logits(m);
        Lora.mergeAll(layers);
        assertClose(logits(m), unmerged);
        assertThat(layers.get("transformer.wte").baseWeight().toArray()).isNotEqualTo(weightBefore);
        Lora.unmergeAll(layers);
        assertClose(layers.get("transformer.wte").baseWeight().toArray(), weightBefore);
    }

    @Test
    void loraTrainsOnlyTheAdapterColumnsAndThePeftLayoutRoundTrips(@TempDir Path dir) throws Exception {
        SequenceClassifier m = new SequenceClassifier(Backbone.of(TinyModels.bert(1)), 3, Pooling.CLS, 0f, new Rng(2));
        LoraConfig config = new LoraConfig(4, 8, 0f, List.of("word_embeddings", "query"));
        Map<String, LoraLayer> layers = Lora.inject(m.backbone().module(), config, new Rng(3));
        Trainable.apply(m, Method.LORA);
        assertThat(layers.get("bert.embeddings.word_embeddings").loraA().requiresGrad()).isTrue();
        assertThat(layers.get("bert.embeddings.word_embeddings").baseWeight().requiresGrad()).isFalse();
        perturb(layers, 8);

        PeftAdapter.of(layers, config, "tiny-bert", "SEQ_CLS", Map.of("classifier.weight", m.classifier().weight())).save(dir);
        try (Safetensors st = Safetensors.open(dir.resolve(PeftAdapter.WEIGHTS_FILE))) {
            assertThat(st.info("base_model.model.bert.embeddings.word_embeddings.lora_embedding_A").shape()).containsExactly(4, TinyModels.VOCAB);
            assertThat(st.info("base_model.model.bert.embeddings.word_embeddings.lora_embedding_B").shape()).containsExactly(16, 4);
            assertThat(st.names()).contains("base_model.model.bert.encoder.layer.0.attention.self.query.lora_A.weight");
        }
        PeftAdapter back = PeftAdapter.load(dir);
        SequenceClassifier fresh = new SequenceClassifier(Backbone.of(TinyModels.bert(1)), 3, Pooling.CLS, 0f, new Rng(2));
        Map<String, LoraLayer> freshLayers = Lora.inject(fresh.backbone().module(), back.config(), new Rng(99));
        back.copyInto(freshLayers);
        for (String path : layers.keySet()) {
            assertThat(freshLayers.get(path).loraA().toArray()).isEqualTo(layers.get(path).loraA().toArray());
            assertThat(freshLayers.get(path).loraB().toArray()).isEqualTo(layers.get(path).loraB().toArray());
        }
    }

    private static void assertClose(float[] got, float[] want) {
        assertThat(got).hasSameSizeAs(want);
        for (int i = 0; i < got.length; i++) assertThat(got[i]).as("element %d", i).isCloseTo(want[i], Offset.offset(1e-4f + 1e-4f * Math.abs(want[i])));
    }
}
