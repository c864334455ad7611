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

    private static final dev.zerolm.data.TaggedSentence WALKING_DOG =
            new dev.zerolm.data.TaggedSentence(List.of("the", "walking", "dog"), List.of("at", "vbg", "nn"), "t");

    /** A WordPiece vocabulary that splits "walking" into walk ##ing. */
    private static dev.zerolm.tokenize.WordPiece walkingDogPieces() {
        return dev.zerolm.tokenize.WordPiece.fromVocab(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "walk", "##ing", "dog"),
                dev.zerolm.tokenize.WordPieceConfig.uncased());
    }

    @Test
    void savedLoraModelReloadsToTheSameLogitsWithItsPeftAdapter(@TempDir Path dir) throws Exception {
        var spec = new FineTunedModel.Spec("sequence", "gpt", "last", 16, "lora", new LoraConfig(2, 4, 0f, List.of("c_attn")), 0, null, 0f, "test", false, null, 0);
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
                new LoraConfig(2, 4, 0f, List.of("word_embeddings")), 4, null, 0f, "test", false, null, 0);
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
        var spec = new FineTunedModel.Spec("token", "bert", "cls", 16, "adapter", null, 4, Adapters.PARALLEL, 2f, "test", false, null, 0);
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
        assertThatThrownBy(() -> new FineTunedModel.Spec("token", "bert", "cls", 16, "adapter", null, 4, "serial", 2f, "test", false, null, 0))
                .hasMessageContaining("unknown adapter kind 'serial'");
    }

    @Test
    void labelTokenIsSavedAndAnOlderSpecReadsAsFirst() throws Exception {
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        var spec = new FineTunedModel.Spec("token", "bert", "cls", 16, "full", null, 0, null, 0f, "test", true, "last", 0);
        assertThat(json.readValue(json.writeValueAsString(spec), FineTunedModel.Spec.class)).isEqualTo(spec);
        String older = json.writeValueAsString(spec).replace(",\"labelToken\":\"last\"", "");
        assertThat(older).doesNotContain("labelToken");
        assertThat(json.readValue(older, FineTunedModel.Spec.class).labelToken()).isEqualTo("first");
        assertThatThrownBy(() -> new FineTunedModel.Spec("token", "bert", "cls", 16, "full", null, 0, null, 0f, "test", true, "middle", 0))
                .hasMessageContaining("unknown label token 'middle': use first, last or both");
    }

    @Test
    void taskEncoderPutsEachWordsLabelOnItsLastPieceWhenAsked() {
        var enc = new TaskEncoder(walkingDogPieces(), 16, TaskEncoder.LabelToken.LAST);
        var labels = LabelVocab.closed(List.of("at", "nn", "vbg"));
        var e = enc.tagged(WALKING_DOG, labels);
        assertThat(e.ids()).containsExactly(2, 5, 6, 7, 8, 3);
        assertThat(e.labels()).containsExactly(-100, labels.id("at"), -100, labels.id("vbg"), labels.id("nn"), -100);
        assertThat(enc.words(List.of("the", "walking", "dog")).labelTokens()).containsExactly(1, 3, 4);   // where predict reads
    }

    @Test
    void aSentenceLongerThanTheInputBecomesWindowsThatLabelEveryWordOnce() {
        var enc = new TaskEncoder(walkingDogPieces(), 6, TaskEncoder.LabelToken.LAST);   // [CLS] + 4 pieces + [SEP]
        var labels = LabelVocab.closed(List.of("at", "nn", "vbg"));
        var words = new java.util.ArrayList<String>();
        var tags = new java.util.ArrayList<String>();
        for (int i = 0; i < 3; i++) {
            words.addAll(WALKING_DOG.words());
            tags.addAll(WALKING_DOG.tags());
        }
        var windows = enc.taggedWindows(new dev.zerolm.data.TaggedSentence(words, tags, "long"), labels);
        var labelled = new java.util.ArrayList<Integer>();
        for (var w : windows) {
            assertThat(w.ids().length).isLessThanOrEqualTo(6);
            for (int y : w.labels()) if (y != -100) labelled.add(y);
        }
        assertThat(windows).hasSizeGreaterThan(1);
        assertThat(labelled).containsExactlyElementsOf(tags.stream().map(labels::id).toList());
        assertThat(enc.taggedWindows(new dev.zerolm.data.TaggedSentence(List.of("dog"), List.of("nn"), "t"), labels))
                .hasSize(1);
        var tooLong = new TaskEncoder(walkingDogPieces(), 3, TaskEncoder.LabelToken.LAST);   // room for one piece: "walking" has two
        assertThatThrownBy(() -> tooLong.taggedWindows(WALKING_DOG, labels)).hasMessageContaining("'walking' alone takes more than 3 tokens");
    }

    @Test
    void taskEncoderRecordsWhereEachTokensWordStartsAndBothLabelsTheLastPiece() {
        var enc = new TaskEncoder(walkingDogPieces(), 16, TaskEncoder.LabelToken.BOTH);
        var labels = LabelVocab.closed(List.of("at", "nn", "vbg"));
        var e = enc.tagged(WALKING_DOG, labels);
        assertThat(e.ids()).containsExactly(2, 5, 6, 7, 8, 3);
        assertThat(e.labels()).containsExactly(-100, labels.id("at"), -100, labels.id("vbg"), labels.id("nn"), -100);
        assertThat(e.wordStarts()).containsExactly(0, 1, 2, 2, 4, 5);       // [CLS] the walk ##ing dog [SEP]
        var short1 = enc.tagged(new dev.zerolm.data.TaggedSentence(List.of("dog"), List.of("nn"), "t"), labels);
        Finetuner.Batch batch = enc.collate(List.of(e, short1), true);
        assertThat(batch.wordStarts().shape()).containsExactly(2, 6);
        assertThat(batch.wordStarts().data()).containsExactly(0, 1, 2, 2, 4, 5, 0, 1, 2, 3, 4, 5);   // padding starts its own word
        assertThat(enc.collate(List.of(enc.sequence(new dev.zerolm.data.TextExample("the dog", "at", "t"), labels)), false).wordStarts()).isNull();
    }

    @Test
    void aHeadThatReadsWordStartsSeesEachTokenBesideItsWordsFirstToken(@TempDir Path dir) throws Exception {
        var spec = new FineTunedModel.Spec("token", "bert", "cls", 16, "adapter", null, 4, Adapters.PARALLEL, 1f, "test", true, "both", 0);
        TaskModel model = FineTunedModel.build(Backbone.of(TinyModels.bert(3)), spec, 3, 0f, new Rng(4));
        var tagger = (TokenClassifier) model;
        assertThat(tagger.readsWordStarts()).isTrue();
        assertThat(model.classifier().weight().shape()).containsExactly(3, 2 * 16);
        Rng rng = new Rng(6);
        model.classifier().weight().copyFrom(Tensor.randn(rng, 0f, 0.5f, 3, 32));
        model.eval();
        IntTensor ids = IntTensor.of(new int[] {2, 5, 6, 7, 8, 3}, 1, 6), starts = IntTensor.of(new int[] {0, 1, 2, 2, 4, 5}, 1, 6);
        var batch = new Finetuner.Batch(ids, null, null, starts);
        try (var ignored = GradMode.noGrad()) {
            float[] logits = assertReadsEachTokenBesideItsWordStart(model, batch, model.classifier().weight());
            new FineTunedModel(model, CharTokenizer.fromCorpus("abcdefghijklmnopqrstuvw"), LabelVocab.ofNames(List.of("a", "b", "c")), spec).save(dir.resolve("m"));
            FineTunedModel back = FineTunedModel.load(dir.resolve("m"));
            assertThat(back.model().logits(batch).toArray()).containsExactly(logits);
        }
        assertThatThrownBy(() -> model.logits(ids, null)).hasMessageContaining("pass the word starts");
        assertThatThrownBy(() -> model.logits(new Finetuner.Batch(ids, null, null, IntTensor.of(new int[] {0, 1, 3, 2, 4, 5}, 1, 6))))
                .hasMessageContaining("word start 3 of token 2 is not in 0..2");
    }

    /** Checks logits = bias + w (L, 2C) · [h_t ; h_start(t)] at every token of a batch of one; returns them. */
    private static float[] assertReadsEachTokenBesideItsWordStart(TaskModel model, Finetuner.Batch batch, Tensor weight) {
        int T = batch.ids().shape()[1], L = model.numLabels(), C = model.backbone().hiddenSize();
        float[] logits = model.logits(batch).toArray();                                      // (1, T, L)
        float[] h = model.backbone().hiddenStates(batch.ids(), null).toArray();              // (1, T, C)
        float[] w = weight.toArray(), bias = model.classifier().bias().toArray();
        int[] s = batch.wordStarts().data();
        for (int t = 0; t < T; t++) {
            for (int l = 0; l < L; l++) {
                double expected = bias[l];
                for (int c = 0; c < C; c++) expected += w[l * 2 * C + c] * h[t * C + c] + w[l * 2 * C + C + c] * h[s[t] * C + c];
                assertThat(logits[t * L + l]).as("token %d label %d", t, l).isCloseTo((float) expected, org.assertj.core.data.Offset.offset(1e-4f));
            }
        }
        return logits;
    }

    @Test
    void aHeadThatReadsWordStartsLearnsFromTheFirstTokenOfAWord() {
        // Token task where a token's label is its word's first id mod 3: only the first piece tells it.
        var spec = new FineTunedModel.Spec("token", "bert", "cls", 16, "freeze", null, 0, null, 0f, "test", true, "both", 0);
        TaskModel model = FineTunedModel.build(Backbone.of(TinyModels.bert(3)), spec, 3, 0f, new Rng(4));
        Trainable.apply(model, Method.FREEZE);
        Finetuner.Batch batch = new Finetuner.Batch(IntTensor.of(new int[] {4, 9, 10, 5, 11, 12}, 1, 6), null,
                IntTensor.of(new int[] {1, -100, 1, 2, -100, 2}, 1, 6), IntTensor.of(new int[] {0, 0, 0, 3, 3, 3}, 1, 6));
        Tensor loss = model.loss(model.logits(batch), batch.labels());
        loss.backward();
        float[] g = model.classifier().weight().grad().toArray();                           // (3, 32)
        double firstHalf = 0;
        for (int l = 0; l < 3; l++) for (int c = 16; c < 32; c++) firstHalf += Math.abs(g[l * 32 + c]);
        assertThat(firstHalf).as("the head's weights over the first tokens' states get a gradient").isGreaterThan(0);
    }

    @Test
    void aFactoredHeadIsItsProductTrainsBothFactorsAndReloads(@TempDir Path dir) throws Exception {
        // rank 2 over 32 inputs (both) and 5 labels: 2 x 32 + 5 x 2 + 5 weights instead of 5 x 32 + 5
        var spec = new FineTunedModel.Spec("token", "bert", "cls", 16, "adapter", null, 4, Adapters.PARALLEL, 1f, "test", true, "both", 2);
        TaskModel model = FineTunedModel.build(Backbone.of(TinyModels.bert(3)), spec, 5, 0f, new Rng(4));
        assertThat(model.headRank()).isEqualTo(2);
        assertThat(model.classifier().weight().shape()).containsExactly(5, 2);
        Trainable.apply(model, Method.ADAPTER);
        var head = new java.util.TreeMap<String, Long>();
        for (var e : model.namedParameters().entrySet()) {
            if (!e.getKey().startsWith("backbone.") && e.getValue().requiresGrad()) head.put(e.getKey(), (long) e.getValue().numel());
        }
        assertThat(head).containsExactly(java.util.Map.entry("classifier.bias", 5L), java.util.Map.entry("classifier.weight", 10L),
                java.util.Map.entry("classifier_down.weight", 64L));

        model.classifier().weight().copyFrom(Tensor.randn(new Rng(6), 0f, 0.5f, 5, 2));
        model.eval();
        IntTensor ids = IntTensor.of(new int[] {2, 5, 6, 7, 8, 3}, 1, 6), starts = IntTensor.of(new int[] {0, 1, 2, 2, 4, 5}, 1, 6);
        var batch = new Finetuner.Batch(ids, null, null, starts);
        try (var ignored = GradMode.noGrad()) {
            assertThat(model.classifierWeight().shape()).containsExactly(5, 32);
            float[] logits = assertReadsEachTokenBesideItsWordStart(model, batch, model.classifierWeight());
            new FineTunedModel(model, CharTokenizer.fromCorpus("abcdefghijklmnopqrstuvw"), LabelVocab.ofNames(List.of("a", "b", "c", "d", "e")), spec).save(dir.resolve("m"));
            FineTunedModel back = FineTunedModel.load(dir.resolve("m"));
            assertThat(back.spec().headRank()).isEqualTo(2);
            assertThat(back.model().logits(batch).toArray()).containsExactly(logits);
        }
    }

    @Test
    void aFactoredHeadGoesIntoPeftsLayoutAsOneFullWeight(@TempDir Path dir) throws Exception {
        var spec = new FineTunedModel.Spec("sequence", "gpt", "last", 16, "lora", new LoraConfig(2, 4, 0f, List.of("c_attn")), 0, null, 0f, "test", false, null, 1);
        TaskModel model = FineTunedModel.build(Backbone.of(TinyModels.gpt(1)), spec, 3, 0f, new Rng(2));
        var saved = new FineTunedModel(model, CharTokenizer.fromCorpus("abcdefghijklmnopqrstuvw"), LabelVocab.ofNames(List.of("a", "b", "c")), spec);
        saved.save(dir.resolve("m"));
        PeftAdapter peft = PeftAdapter.load(dir.resolve("m/adapter"));
        Tensor w = peft.modulesToSave().get("classifier.weight");
        assertThat(w.shape()).containsExactly(3, model.classifierWeight().size(1));
        assertThat(w.toArray()).containsExactly(model.classifierWeight().toArray());
    }

    @Test
    void aHeadRankMustBeBelowTheHeadsWidthAndLabelsAndOlderModelsReadAsFull() throws Exception {
        var spec = new FineTunedModel.Spec("sequence", "bert", "cls", 16, "full", null, 0, null, 0f, "test", false, null, 3);
        assertThatThrownBy(() -> FineTunedModel.build(Backbone.of(TinyModels.bert(3)), spec, 3, 0f, new Rng(4)))
                .hasMessageContaining("head rank must be 0 (full) or between 1 and 2 (below the head's 16 inputs and 3 labels), got 3");
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        String older = json.writeValueAsString(spec).replace(",\"headRank\":3", "");
        assertThat(older).doesNotContain("headRank");
        assertThat(json.readValue(older, FineTunedModel.Spec.class).headRank()).isZero();
    }

    @Test
    void taskEncoderPutsEachWordsLabelOnItsFirstPieceOnly() {
        var enc = new TaskEncoder(walkingDogPieces(), 16);
        var labels = LabelVocab.closed(List.of("at", "nn", "vbg"));
        var e = enc.tagged(WALKING_DOG, labels);
        assertThat(e.ids()).containsExactly(2, 5, 6, 7, 8, 3);
        assertThat(e.labels()).containsExactly(-100, labels.id("at"), labels.id("vbg"), -100, labels.id("nn"), -100);
    }
}
