package dev.zerolm.finetune;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.zerolm.io.Safetensors;
import dev.zerolm.tensor.Rng;
import dev.zerolm.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class PeftAdapterTest {

    @Test
    void peftLayoutRoundTripsKeysShapesConfigAndValues(@TempDir Path dir) throws Exception {
        SequenceClassifier m = new SequenceClassifier(Backbone.of(TinyModels.bert(1)), 3, Pooling.CLS, 0f, new Rng(2));
        LoraConfig config = new LoraConfig(4, 16, 0.05f, List.of("query", "value"));
        Map<String, LoraLayer> layers = Lora.inject(m.backbone().module(), config, new Rng(3));
        Rng rng = new Rng(4);
        for (LoraLayer l : layers.values()) l.loraB().copyFrom(Tensor.randn(rng, 0f, 1f, l.loraB().shape()));
        PeftAdapter.of(layers, config, "tiny-bert", "SEQ_CLS",
                Map.of("classifier.weight", m.classifier().weight(), "classifier.bias", m.classifier().bias())).save(dir);

        JsonNode c = new ObjectMapper().readTree(dir.resolve("adapter_config.json").toFile());
        assertThat(c.path("peft_type").asText()).isEqualTo("LORA");
        assertThat(c.path("r").asInt()).isEqualTo(4);
        assertThat(c.path("lora_alpha").asDouble()).isEqualTo(16.0);
        assertThat(c.path("lora_dropout").asDouble()).isEqualTo(0.05);
        assertThat(c.path("target_modules").toString()).isEqualTo("[\"query\",\"value\"]");
        assertThat(c.path("bias").asText()).isEqualTo("none");
        assertThat(c.path("fan_in_fan_out").asBoolean(true)).isFalse();
        assertThat(c.path("task_type").asText()).isEqualTo("SEQ_CLS");
        assertThat(c.path("base_model_name_or_path").asText()).isEqualTo("tiny-bert");

        try (Safetensors st = Safetensors.open(dir.resolve("adapter_model.safetensors"))) {
            String a = "base_model.model.bert.encoder.layer.0.attention.self.query.lora_A.weight";
            String b = "base_model.model.bert.encoder.layer.1.attention.self.value.lora_B.weight";
            assertThat(st.names()).contains(a, b, "base_model.model.classifier.weight").hasSize(4 * 2 + 2);
            assertThat(st.info(a).shape()).containsExactly(4, 16);    // (r, in)
            assertThat(st.info(b).shape()).containsExactly(16, 4);    // (out, r)
        }

        PeftAdapter back = PeftAdapter.load(dir);
        assertThat(back.config()).isEqualTo(config);
        Map<String, LoraLayer> freshLayers = injectedFrom(back);
        for (String path : layers.keySet()) {
            assertThat(freshLayers.get(path).loraA().toArray()).containsExactly(layers.get(path).loraA().toArray());
            assertThat(freshLayers.get(path).loraB().toArray()).containsExactly(layers.get(path).loraB().toArray());
        }
        assertThat(back.modulesToSave().get("classifier.weight").toArray()).containsExactly(m.classifier().weight().toArray());
    }

    @Test
    void allLinearIsWrittenAsPeftsStringAndReadBack(@TempDir Path dir) throws Exception {
        SequenceClassifier m = new SequenceClassifier(Backbone.of(TinyModels.bert(1)), 3, Pooling.CLS, 0f, new Rng(2));
        LoraConfig config = new LoraConfig(2, 4, 0f, List.of(LoraConfig.ALL_LINEAR));
        Map<String, LoraLayer> layers = Lora.inject(m.backbone().module(), config, new Rng(3));
        PeftAdapter.of(layers, config, "tiny-bert", "SEQ_CLS", Map.of()).save(dir);
        JsonNode c = new ObjectMapper().readTree(dir.resolve("adapter_config.json").toFile());
        assertThat(c.path("target_modules").isTextual()).isTrue();
        assertThat(c.path("target_modules").asText()).isEqualTo("all-linear");
        assertThat(PeftAdapter.load(dir).config()).isEqualTo(config);
    }

    @Test
    void allLinearMixedWithOtherTargetsIsWrittenAsTheAdaptedModulePaths(@TempDir Path dir) throws Exception {
        SequenceClassifier m = new SequenceClassifier(Backbone.of(TinyModels.bert(1)), 3, Pooling.CLS, 0f, new Rng(2));
        LoraConfig config = new LoraConfig(2, 4, 0f, List.of(LoraConfig.ALL_LINEAR, "word_embeddings"));
        Map<String, LoraLayer> layers = Lora.inject(m.backbone().module(), config, new Rng(3));
        PeftAdapter.of(layers, config, "tiny-bert", "SEQ_CLS", Map.of()).save(dir);

        JsonNode c = new ObjectMapper().readTree(dir.resolve("adapter_config.json").toFile());
        List<String> written = new java.util.ArrayList<>();
        c.path("target_modules").forEach(n -> written.add(n.asText()));
        assertThat(written).containsExactlyElementsOf(layers.keySet())
                .contains("bert.embeddings.word_embeddings", "bert.encoder.layer.0.attention.self.query")
                .doesNotContain(LoraConfig.ALL_LINEAR);

        PeftAdapter back = PeftAdapter.load(dir);
        SequenceClassifier fresh = new SequenceClassifier(Backbone.of(TinyModels.bert(1)), 3, Pooling.CLS, 0f, new Rng(2));
        Map<String, LoraLayer> freshLayers = Lora.inject(fresh.backbone().module(), back.config(), new Rng(99));
        assertThat(freshLayers.keySet()).isEqualTo(layers.keySet());
        back.copyInto(freshLayers);
    }

    @Test
    void rankAndAlphaPatternsGiveModulesTheirOwnRankAndRoundTripInPeftsConfig(@TempDir Path dir) throws Exception {
        SequenceClassifier m = new SequenceClassifier(Backbone.of(TinyModels.bert(1)), 3, Pooling.CLS, 0f, new Rng(2));
        LoraConfig config = new LoraConfig(2, 4, 0f, List.of(LoraConfig.ALL_LINEAR, "word_embeddings"),
                Map.of("word_embeddings", 6, "layer\\.0\\.attention\\.self\\.(query|key)", 3), Map.of("word_embeddings", 24f));
        Map<String, LoraLayer> layers = Lora.inject(m.backbone().module(), config, new Rng(3));
        LoraLayer words = layers.get("bert.embeddings.word_embeddings");
        LoraLayer query = layers.get("bert.encoder.layer.0.attention.self.query");
        LoraLayer value = layers.get("bert.encoder.layer.0.attention.self.value");
        assertThat(words.loraA().size(0)).isEqualTo(6);                 // (r, V)
        assertThat(words.scaling()).isEqualTo(24f / 6);
        assertThat(query.loraA().size(0)).isEqualTo(3);                 // the regex key
        assertThat(query.scaling()).isEqualTo(4f / 3);
        assertThat(value.loraA().size(0)).isEqualTo(2);                 // no key: r and alpha
        assertThat(value.scaling()).isEqualTo(2f);

        PeftAdapter.of(layers, config, "tiny-bert", "SEQ_CLS", Map.of()).save(dir);
        JsonNode c = new ObjectMapper().readTree(dir.resolve("adapter_config.json").toFile());
        assertThat(c.path("rank_pattern").path("word_embeddings").asInt()).isEqualTo(6);
        assertThat(c.path("alpha_pattern").path("word_embeddings").asDouble()).isEqualTo(24.0);
        PeftAdapter back = PeftAdapter.load(dir);
        assertThat(back.config().rankPattern()).isEqualTo(config.rankPattern());   // targets come back as the module paths
        assertThat(back.config().alphaPattern()).isEqualTo(config.alphaPattern());
        Map<String, LoraLayer> freshLayers = injectedFrom(back);
        assertThat(freshLayers.get("bert.embeddings.word_embeddings").loraB().toArray()).containsExactly(words.loraB().toArray());
    }

    @Test
    void patternsWithABadRankAreRefusedByName() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new LoraConfig(2, 4, 0f, List.of("query"), Map.of("value", 0), Map.of()))
                .hasMessageContaining("rank_pattern 'value' must be a positive rank, got 0");
    }

    /** A fresh tiny BERT classifier with the adapter's LoRA layers injected and its weights copied in. */
    private static Map<String, LoraLayer> injectedFrom(PeftAdapter adapter) {
        SequenceClassifier fresh = new SequenceClassifier(Backbone.of(TinyModels.bert(1)), 3, Pooling.CLS, 0f, new Rng(2));
        Map<String, LoraLayer> layers = Lora.inject(fresh.backbone().module(), adapter.config(), new Rng(99));
        adapter.copyInto(layers);
        return layers;
    }
}
