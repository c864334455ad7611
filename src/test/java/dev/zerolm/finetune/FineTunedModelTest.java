package dev.zerolm.finetune;

import dev.zerolm.autograd.GradMode;
import dev.zerolm.data.LabelVocab;
import dev.zerolm.tensor.IntTensor;
import dev.zerolm.tensor.Rng;
import dev.zerolm.tensor.Tensor;
import dev.zerolm.tokenize.CharTokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FineTunedModelTest {

    @Test
    void savedLoraModelReloadsToTheSameLogitsWithItsPeftAdapter(@TempDir Path dir) throws Exception {
        var spec = new FineTunedModel.Spec("sequence", "gpt", "last", 16, "lora", new LoraConfig(2, 4, 0f, List.of("c_attn")), 0, null, 0f, "test", false, null);
        TaskModel model = FineTunedModel.build(Backbone.of(TinyModels.gpt(1)), spec, 2, 0f, new Rng(2));
        Trainable.apply(model, Method.LORA);
        var f = TinyModels.finetuner(model, List.of("no7", "has7"), Finetuner.Config.defaults().withEpochs(2).withBatchSize(4).withLr(1e-2f));
        f.fit(TinyModels.containsSeven(12, 3), TinyModels.containsSeven(4, 4), null);
        var tokenizer = CharTokenizer.fromCorpus("abcdefghijklmnopqrstuvw");
        new FineTunedModel(model, tokenizer, LabelVocab.ofNames(List.of("no7", "has7")), spec).save(dir.resolve("m"));

        FineTunedModel back = FineTunedModel.load(dir.resolve("m"));
        IntTensor ids = IntTensor.of(new int[] {3, 7, 9, 1}, 1, 4);
        model.eval();
        try (var ignored = GradMode.noGrad()) {
            assertThat(back.model().logits(ids, null).toArray()).containsExactly(model.logits(ids, null).toArray());
        }
        assertThat(back.labels().names()).containsExactly("no7", "has7");
        assertThat(back.spec()).isEqualTo(spec);
        assertThat(back.tokenizer().vocabSize()).isEqualTo(tokenizer.vocabSize());
        assertThat(Files.exists(dir.resolve("m/adapter/adapter_model.safetensors"))).isTrue();
        assertThat(Files.exists(dir.resolve("m.tmp"))).isFalse();
    }

    @Test
    void adaptersWithEmbeddingLoraTrainBothAndReloadWithoutAPeftCopy(@TempDir Path dir) throws Exception {
        var spec = new FineTunedModel.Spec("token", "bert", "cls", 16, "adapter",
                new LoraConfig(2, 4, 0f, List.of("word_embeddings")), 4, null, 0f, "test", false, null);
        TaskModel model = FineTunedModel.build(Backbone.of(TinyModels.bert(3)), spec, 3, 0f, new Rng(4));
        Trainable.apply(model, Method.ADAPTER);
        var before = new java.util.HashMap<String, float[]>();
        model.namedParameters().forEach((k, v) -> before.put(k, v.toArray()));
        var f = TinyModels.finetuner(model, List.of("a", "b", "c"), Finetuner.Config.defaults().withEpochs(1).withBatchSize(4).withLr(1e-2f));
        f.fit(TinyModels.idModThree(16, 1), TinyModels.idModThree(4, 2), null);
        var changed = new java.util.TreeSet<String>();
        model.namedParameters().forEach((k, v) -> { if (!java.util.Arrays.equals(before.get(k), v.toArray())) changed.add(k); });
        assertThat(changed).anyMatch(n -> n.contains("word_embeddings.lora.lora_embedding_A")).anyMatch(n -> n.contains(".adapter.up."))
                .noneMatch(n -> n.endsWith("word_embeddings.weight") || n.endsWith("query.weight"));

        var tokenizer = CharTokenizer.fromCorpus("abcdefghijklmnopqrstuvw");
        new FineTunedModel(model, tokenizer, LabelVocab.ofNames(List.of("a", "b", "c")), spec).save(dir.resolve("m"));
        FineTunedModel back = FineTunedModel.load(dir.resolve("m"));
        IntTensor ids = IntTensor.of(new int[] {3, 7, 9, 1}, 1, 4);
        model.eval();
        try (var ignored = GradMode.noGrad()) {
            assertThat(back.model().logits(ids, null).toArray()).containsExactly(model.logits(ids, null).toArray());
        }
        assertThat(back.spec()).isEqualTo(spec);
        assertThat(Files.exists(dir.resolve("m/adapter"))).as("PEFT's LoRA layout cannot hold the bottleneck adapters").isFalse();
    }

    @Test
    void parallelAdaptersReloadWithTheirKindAndScale(@TempDir Path dir) throws Exception {
        var spec = new FineTunedModel.Spec("token", "bert", "cls", 16, "adapter", null, 4, Adapters.PARALLEL, 2f, "test", false, null);
        TaskModel model = FineTunedModel.build(Backbone.of(TinyModels.bert(3)), spec, 3, 0f, new Rng(4));
        Rng rng = new Rng(5);
        model.namedParameters().forEach((k, v) -> { if (k.contains(".adapter.up.")) v.copyFrom(Tensor.randn(rng, 0f, 0.3f, v.shape())); });
        var tokenizer = CharTokenizer.fromCorpus("abcdefghijklmnopqrstuvw");
        new FineTunedModel(model, tokenizer, LabelVocab.ofNames(List.of("a", "b", "c")), spec).save(dir.resolve("m"));
        FineTunedModel back = FineTunedModel.load(dir.resolve("m"));
        assertThat(back.spec()).isEqualTo(spec);
        IntTensor ids = IntTensor.of(new int[] {3, 7, 9, 1}, 1, 4);
        model.eval();
        try (var ignored = GradMode.noGrad()) {
            float[] logits = model.logits(ids, null).toArray();
            assertThat(back.model().logits(ids, null).toArray()).containsExactly(logits);
        }
        assertThatThrownBy(() -> new FineTunedModel.Spec("token", "bert", "cls", 16, "adapter", null, 4, "serial", 2f, "test", false, null))
                .hasMessageContaining("unknown adapter kind 'serial'");
    }

    @Test
    void labelTokenIsSavedAndAnOlderSpecReadsAsFirst() throws Exception {
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        var spec = new FineTunedModel.Spec("token", "bert", "cls", 16, "full", null, 0, null, 0f, "test", true, "last");
        assertThat(json.readValue(json.writeValueAsString(spec), FineTunedModel.Spec.class)).isEqualTo(spec);
        String older = json.writeValueAsString(spec).replace(",\"labelToken\":\"last\"", "");
        assertThat(older).doesNotContain("labelToken");
        assertThat(json.readValue(older, FineTunedModel.Spec.class).labelToken()).isEqualTo("first");
        assertThatThrownBy(() -> new FineTunedModel.Spec("token", "bert", "cls", 16, "full", null, 0, null, 0f, "test", true, "middle"))
                .hasMessageContaining("unknown label token 'middle': use first or last");
    }

    @Test
    void taskEncoderPutsEachWordsLabelOnItsLastPieceWhenAsked() {
        var wp = dev.zerolm.tokenize.WordPiece.fromVocab(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "walk", "##ing", "dog"),
                dev.zerolm.tokenize.WordPieceConfig.uncased());
        var enc = new TaskEncoder(wp, 16, TaskEncoder.LabelToken.LAST);
        var labels = LabelVocab.closed(List.of("at", "nn", "vbg"));
        var e = enc.tagged(new dev.zerolm.data.TaggedSentence(List.of("the", "walking", "dog"), List.of("at", "vbg", "nn"), "t"), labels);
        assertThat(e.ids()).containsExactly(2, 5, 6, 7, 8, 3);
        assertThat(e.labels()).containsExactly(-100, labels.id("at"), -100, labels.id("vbg"), labels.id("nn"), -100);
        assertThat(enc.words(List.of("the", "walking", "dog")).labelTokens()).containsExactly(1, 3, 4);   // where predict reads
    }

    @Test
    void taskEncoderPutsEachWordsLabelOnItsFirstPieceOnly() {
        var wp = dev.zerolm.tokenize.WordPiece.fromVocab(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "walk", "##ing", "dog"),
                dev.zerolm.tokenize.WordPieceConfig.uncased());
        var enc = new TaskEncoder(wp, 16);
        var labels = LabelVocab.closed(List.of("at", "nn", "vbg"));
        var e = enc.tagged(new dev.zerolm.data.TaggedSentence(List.of("the", "walking", "dog"), List.of("at", "vbg", "nn"), "t"), labels);
        assertThat(e.ids()).containsExactly(2, 5, 6, 7, 8, 3);
        assertThat(e.labels()).containsExactly(-100, labels.id("at"), labels.id("vbg"), -100, labels.id("nn"), -100);
    }
}
