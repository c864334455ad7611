package dev.zerolm.models;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.zerolm.autograd.GradMode;
import dev.zerolm.io.DType;
import dev.zerolm.io.NoSuchTensorException;
import dev.zerolm.io.Safetensors;
import dev.zerolm.io.SafetensorsWriter;
import dev.zerolm.io.StateDicts;
import dev.zerolm.io.TensorData;
import dev.zerolm.tensor.IntTensor;
import dev.zerolm.tensor.Rng;
import dev.zerolm.tensor.Tensor;
import dev.zerolm.testutil.GoldenAssert;
import dev.zerolm.testutil.GoldenFile;
import dev.zerolm.tokenize.Encoding;
import dev.zerolm.tokenize.WordPiece;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * BERT against tools/golden/make_bert_golden.py: a tiny random BERT saved in Hugging Face's layout
 * (src/test/resources/hf/tiny-bert) and the outputs and gradients plain PyTorch computes for it following
 * Hugging Face's BertModel / BertForMaskedLM.
 */
class BertTest {

    /** Outputs within 1e-4 and gradients within 1e-3 of each tensor's largest magnitude. */
    private static final double OUTPUT_TOLERANCE = 1e-4, GRADIENT_TOLERANCE = 1e-3;

    private static Path tinyBert;
    private static GoldenFile golden;

    @BeforeAll
    static void load() throws URISyntaxException {
        tinyBert = Path.of(BertTest.class.getResource("/hf/tiny-bert").toURI());
        golden = GoldenFile.load("bert_tiny.safetensors");
    }

    private static Bert.Output forwardGolden(Bert model) {
        return model.forward(golden.intTensor("input_ids"), golden.intTensor("token_type_ids"), golden.intTensor("attention_mask"));
    }

    @Test
    void noGradForwardReusesItsTemporariesWithoutChangingAnyOutput() {
        var bert = new Bert(new BertConfig(40, 32, 3, 4, 64, "gelu", 16, 2, 1e-12f, 0.1f, 0.1f, 0, 0.02f), new Rng(9));
        bert.eval();
        IntTensor a = IntTensor.of(new int[] {2, 5, 7, 12, 9, 22, 3, 0, 2, 4, 4, 8, 13, 3, 0, 0}, 2, 8);
        IntTensor b = IntTensor.of(new int[] {2, 3, 17, 11, 6, 1, 19, 3, 2, 19, 5, 12, 7, 30, 31, 3}, 2, 8);
        IntTensor padded = IntTensor.of(new int[] {1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 0, 0}, 2, 8);
        Bert.Output expectedA = bert.forward(a, null, padded), expectedB = bert.forward(b, null, null);   // grad on: fresh arrays
        float[] lastA = expectedA.lastHiddenState().toArray(), pooledA = expectedA.pooled().toArray();
        float[] lastB = expectedB.lastHiddenState().toArray();
        dev.zerolm.tensor.BufferPool.clear();
        try (var noGrad = GradMode.noGrad()) {
            // Each pass reuses the arrays the one before handed back, full of its values: none may leak into a result.
            for (int round = 0; round < 2; round++) {
                Bert.Output outA = bert.forward(a, null, padded);
                assertThat(outA.lastHiddenState().toArray()).containsExactly(lastA);
                assertThat(outA.pooled().toArray()).containsExactly(pooledA);
                Bert.Output outB = bert.forward(b, null, null);
                assertThat(outB.lastHiddenState().toArray()).containsExactly(lastB);
                assertThat(outA.lastHiddenState().toArray()).as("a result handed to the caller is never recycled").containsExactly(lastA);
            }
        }
        assertThat(dev.zerolm.tensor.BufferPool.pooledFloats()).as("layer temporaries went back to the pool").isPositive();
    }

    @Test
    void matchesPyTorchHiddenStatesPooledMlmLogitsLossAndEveryGradient() throws IOException {
        BertCheckpoint.Loaded loaded = BertCheckpoint.load(tinyBert);
        assertThat(loaded.freshlyInitialised()).isEmpty();
        assertThat(loaded.unused()).containsExactly("bert.embeddings.position_ids");
        Bert model = loaded.model();
        model.eval();                                                         // the reference ran without dropout

        Bert.Output out = forwardGolden(model);
        Tensor logits = model.mlmLogits(out.lastHiddenState());
        Tensor mlmLoss = Bert.mlmLoss(logits, golden.intTensor("labels"));
        Tensor loss = mlmLoss.add(out.pooled().mul(golden.tensor("r_pooled")).sum());
        loss.backward();

        GoldenAssert.assertClose("bert last_hidden_state", out.lastHiddenState(), golden.tensor("last_hidden_state"), OUTPUT_TOLERANCE);
        GoldenAssert.assertClose("bert pooled", out.pooled(), golden.tensor("pooled"), OUTPUT_TOLERANCE);
        GoldenAssert.assertClose("bert mlm_logits", logits, golden.tensor("mlm_logits"), OUTPUT_TOLERANCE);
        GoldenAssert.assertClose("bert mlm_loss", mlmLoss, golden.tensor("mlm_loss"), OUTPUT_TOLERANCE);
        GoldenAssert.assertClose("bert loss", loss, golden.tensor("loss"), OUTPUT_TOLERANCE);
        Map<String, Tensor> params = model.namedParameters();
        assertThat(params).hasSize(5 + 2 * 16 + 2 + 5);
        for (var p : params.entrySet()) {
            GoldenAssert.assertClose("bert grad." + p.getKey(), p.getValue().grad(), golden.tensor("grad." + p.getKey()),
                    GRADIENT_TOLERANCE);
        }
    }

    @Test
    void padRowOfTheWordEmbeddingsGetsNoGradientFromTheLookup() throws IOException {
        // Row 2 of the golden batch holds a real (unmasked) [PAD] id. Like nn.Embedding(padding_idx=0), the lookup
        // gives that row no gradient; with a loss that skips the tied decoder, its gradient is exactly zero.
        Bert model = Bert.fromPretrained(tinyBert);
        model.eval();
        forwardGolden(model).pooled().mul(golden.tensor("r_pooled")).sum().backward();
        Tensor grad = model.wordEmbeddings().grad();
        int pad = model.config().padTokenId();
        int cls = golden.intTensor("input_ids").data()[0];                   // [CLS], a real token of every row
        assertThat(grad.select(0, pad).toArray()).containsOnly(0f);
        assertThat(grad.select(0, cls).toArray()).isNotEqualTo(new float[model.config().hiddenSize()]);
    }

    @Test
    void wordPieceProducesTheGoldenInputs() throws IOException {
        WordPiece tokenizer = WordPiece.load(tinyBert);
        JsonNode texts = new ObjectMapper().readTree(golden.meta("texts"));
        List<Encoding> encodings = new ArrayList<>();
        for (JsonNode pair : texts) {
            encodings.add(pair.get(1).isNull() ? tokenizer.encodeForModel(pair.get(0).asText())
                    : tokenizer.encodePair(pair.get(0).asText(), pair.get(1).asText()));
        }
        Encoding.Batch batch = tokenizer.pad(encodings);
        assertThat(batch.inputIds().data()).containsExactly(golden.ints("token_ids"));
        assertThat(batch.tokenTypeIds().data()).containsExactly(golden.ints("token_type_ids"));
        assertThat(batch.attentionMask().data()).containsExactly(golden.ints("attention_mask"));
    }

    @Test
    void paddingDoesNotChangeTheRealTokensHiddenStates() throws IOException {
        Bert model = Bert.fromPretrained(tinyBert);
        model.eval();
        IntTensor ids = golden.intTensor("token_ids"), types = golden.intTensor("token_type_ids");
        IntTensor mask = golden.intTensor("attention_mask");
        int B = ids.shape()[0], T = ids.shape()[1], H = model.config().hiddenSize();
        try (var ignored = GradMode.noGrad()) {
            Bert.Output batch = model.forward(ids, types, mask);
            for (int b = 0; b < B; b++) {
                int length = 0;
                for (int t = 0; t < T; t++) length += mask.data()[b * T + t];
                IntTensor rowIds = IntTensor.of(Arrays.copyOfRange(ids.data(), b * T, b * T + length), 1, length);
                IntTensor rowTypes = IntTensor.of(Arrays.copyOfRange(types.data(), b * T, b * T + length), 1, length);
                Bert.Output alone = model.forward(rowIds, rowTypes, null);
                Tensor padded = batch.lastHiddenState().narrow(0, b, 1).narrow(1, 0, length);
                GoldenAssert.assertClose("row " + b + " alone vs padded", padded, alone.lastHiddenState(), 1e-5);
                GoldenAssert.assertClose("row " + b + " pooled", batch.pooled().narrow(0, b, 1), alone.pooled(), 1e-5);
            }
            // Whatever sits in the padded positions, the real tokens' states are the same to the bit.
            int[] otherIds = ids.data().clone(), otherTypes = types.data().clone();
            for (int i = 0; i < otherIds.length; i++) {
                if (mask.data()[i] == 0) {
                    otherIds[i] = 7 + i % 20;
                    otherTypes[i] = 1;
                }
            }
            Bert.Output other = model.forward(IntTensor.of(otherIds, B, T), IntTensor.of(otherTypes, B, T), mask);
            float[] a = batch.lastHiddenState().toArray(), o = other.lastHiddenState().toArray();
            for (int i = 0; i < B * T; i++) {
                if (mask.data()[i] == 0) continue;
                for (int j = 0; j < H; j++) assertThat(o[i * H + j]).isEqualTo(a[i * H + j]);
            }
        }
    }

    @Test
    void saveThenLoadGivesAnIdenticalModel(@TempDir Path tmp) throws IOException {
        Bert model = Bert.fromPretrained(tinyBert);
        model.savePretrained(tmp);
        BertCheckpoint.Loaded back = BertCheckpoint.load(tmp);
        assertThat(back.freshlyInitialised()).isEmpty();
        assertThat(back.unused()).isEmpty();
        assertThat(back.model().config()).isEqualTo(model.config());
        Map<String, Tensor> original = model.stateDict();
        for (var e : back.model().stateDict().entrySet()) {
            assertThat(e.getValue().toArray()).as(e.getKey()).containsExactly(original.get(e.getKey()).toArray());
        }
        model.eval();
        back.model().eval();
        assertThat(forwardGolden(back.model()).lastHiddenState().toArray())
                .containsExactly(forwardGolden(model).lastHiddenState().toArray());

        JsonNode config = new ObjectMapper().readTree(tmp.resolve("config.json").toFile());
        assertThat(config.get("model_type").asText()).isEqualTo("bert");
        assertThat(config.get("hidden_dropout_prob").asDouble()).isEqualTo(0.1);
        try (Safetensors st = Safetensors.open(tmp.resolve("model.safetensors"))) {
            assertThat(st.names()).contains("bert.embeddings.LayerNorm.weight", "bert.encoder.layer.1.attention.self.query.weight",
                    "bert.pooler.dense.bias", "cls.predictions.bias", "cls.predictions.transform.LayerNorm.weight");
            assertThat(st.names()).doesNotContain("cls.predictions.decoder.weight");
            assertThat(st.metadata()).containsEntry("format", "pt");
        }
    }

    @Test
    void loadsBareBertModelNamesAndTensorFlowGammaBeta(@TempDir Path tmp) throws IOException {
        Map<String, Tensor> renamed = new LinkedHashMap<>();
        for (var e : StateDicts.load(tinyBert.resolve("model.safetensors")).entrySet()) {
            String name = e.getKey();
            if (!name.startsWith("bert.") || name.startsWith("bert.pooler.")) continue;  // a BertModel without pooler
            name = name.substring("bert.".length()).replace("LayerNorm.weight", "LayerNorm.gamma")
                    .replace("LayerNorm.bias", "LayerNorm.beta");
            renamed.put(name, e.getValue());
        }
        StateDicts.save(tmp.resolve("model.safetensors"), renamed, Map.of());
        Files.copy(tinyBert.resolve("config.json"), tmp.resolve("config.json"));

        BertCheckpoint.Loaded loaded = BertCheckpoint.load(tmp);
        assertThat(loaded.freshlyInitialised()).containsExactly("bert.pooler.dense.weight", "bert.pooler.dense.bias",
                "cls.predictions.bias", "cls.predictions.transform.dense.weight", "cls.predictions.transform.dense.bias",
                "cls.predictions.transform.LayerNorm.weight", "cls.predictions.transform.LayerNorm.bias");
        assertThat(loaded.unused()).containsExactly("embeddings.position_ids");
        loaded.model().eval();
        GoldenAssert.assertClose("bare BertModel hidden state", forwardGolden(loaded.model()).lastHiddenState(),
                golden.tensor("last_hidden_state"), OUTPUT_TOLERANCE);
    }

    @Test
    void loadsBFloat16Checkpoints(@TempDir Path tmp) throws IOException {
        Map<String, TensorData> half = new LinkedHashMap<>();
        for (var e : StateDicts.load(tinyBert.resolve("model.safetensors")).entrySet()) {
            long[] shape = Arrays.stream(e.getValue().shape()).asLongStream().toArray();
            half.put(e.getKey(), TensorData.ofFloats(e.getKey(), shape, e.getValue().toArray()));
        }
        SafetensorsWriter.write(tmp.resolve("model.safetensors"), half, Map.of(), DType.BF16);
        Files.copy(tinyBert.resolve("config.json"), tmp.resolve("config.json"));
        Bert model = Bert.fromPretrained(tmp), reference = Bert.fromPretrained(tinyBert);
        for (var e : model.stateDict().entrySet()) {                          // bf16 keeps 8 significant bits
            GoldenAssert.assertClose("bf16 " + e.getKey(), e.getValue(), reference.stateDict().get(e.getKey()), 1e-2);
        }
    }

    @Test
    void missingTensorErrorNamesTheFileAndTheTensor(@TempDir Path tmp) throws IOException {
        Map<String, Tensor> state = StateDicts.load(tinyBert.resolve("model.safetensors"));
        state.remove("bert.encoder.layer.1.attention.self.key.weight");
        Path file = tmp.resolve("model.safetensors");
        StateDicts.save(file, state, Map.of());
        Files.copy(tinyBert.resolve("config.json"), tmp.resolve("config.json"));
        assertThatThrownBy(() -> BertCheckpoint.load(tmp))
                .isInstanceOfSatisfying(NoSuchTensorException.class, e -> {
                    assertThat(e.file()).isEqualTo(file);
                    assertThat(e.tensor()).isEqualTo("bert.encoder.layer.1.attention.self.key.weight");
                })
                .hasMessageContaining(file.toString())
                .hasMessageContaining("'bert.encoder.layer.1.attention.self.key.weight'");
    }

    @Test
    void shapeMismatchWithConfigNamesTheFileTheTensorAndBothShapes(@TempDir Path tmp) throws IOException {
        ObjectNode config = (ObjectNode) new ObjectMapper().readTree(tinyBert.resolve("config.json").toFile());
        config.put("intermediate_size", 48);
        new ObjectMapper().writeValue(tmp.resolve("config.json").toFile(), config);
        Files.copy(tinyBert.resolve("model.safetensors"), tmp.resolve("model.safetensors"));
        assertThatThrownBy(() -> BertCheckpoint.load(tmp))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(tmp.resolve("model.safetensors").toString())
                .hasMessageContaining("'bert.encoder.layer.0.intermediate.dense.weight' has shape [64, 32]")
                .hasMessageContaining("intermediate_size 48")
                .hasMessageContaining("[48, 32]");
    }

    @Test
    void configJsonRoundTripsAndRejectsOtherModelTypes(@TempDir Path tmp) throws IOException {
        BertConfig c = BertConfig.fromJson(tinyBert.resolve("config.json"));
        assertThat(c).isEqualTo(new BertConfig(c.vocabSize(), 32, 2, 4, 64, "gelu", 32, 2, 1e-12f, 0.1f, 0.1f, 0, 0.02f));
        assertThat(c.vocabSize()).isEqualTo(WordPiece.load(tinyBert).vocabSize());
        c.writeJson(tmp.resolve("config.json"));
        assertThat(BertConfig.fromJson(tmp.resolve("config.json"))).isEqualTo(c);

        Files.writeString(tmp.resolve("roberta.json"), "{\"model_type\": \"roberta\", \"vocab_size\": 10}");
        assertThatThrownBy(() -> BertConfig.fromJson(tmp.resolve("roberta.json")))
                .hasMessageContaining("roberta.json").hasMessageContaining("model_type is 'roberta'");
        Files.writeString(tmp.resolve("nohidden.json"), "{\"model_type\": \"bert\", \"vocab_size\": 10}");
        assertThatThrownBy(() -> BertConfig.fromJson(tmp.resolve("nohidden.json"))).hasMessageContaining("'hidden_size'");
    }

    @Test
    void rejectsOverlongSequencesAndBadMasksAndTokenTypes() {
        Bert model = new Bert(new BertConfig(20, 8, 1, 2, 16, "gelu", 6, 2, 1e-12f, 0f, 0f, 0, 0.02f), new Rng(1));
        assertThatThrownBy(() -> model.forward(IntTensor.of(new int[7], 1, 7), null, null))
                .hasMessageContaining("sequence length 7 exceeds max_position_embeddings 6");
        assertThatThrownBy(() -> model.forward(IntTensor.of(new int[3], 1, 3), null, IntTensor.of(new int[] {1, 2, 0}, 1, 3)))
                .hasMessageContaining("attention mask value 2 at position 1");
        assertThatThrownBy(() -> model.forward(IntTensor.of(new int[3], 1, 3), IntTensor.of(new int[] {0, 0, 2}, 1, 3), null))
                .hasMessageContaining("token type 2 at position 2");
        assertThatThrownBy(() -> model.forward(IntTensor.of(new int[3], 1, 3), IntTensor.of(new int[2], 1, 2), null))
                .hasMessageContaining("token type ids of shape (1,2)");
    }

    @Test
    void initialisationFollowsHuggingFace() {
        Bert model = new Bert(BertConfig.tiny(200), new Rng(3));
        Map<String, Tensor> p = model.namedParameters();
        assertThat(std(p.get("bert.encoder.layer.0.intermediate.dense.weight"))).isCloseTo(0.02, within(0.002));
        assertThat(std(p.get("bert.embeddings.position_embeddings.weight"))).isCloseTo(0.02, within(0.002));
        assertThat(model.wordEmbeddings().select(0, 0).toArray()).containsOnly(0f);
        assertThat(p.get("bert.encoder.layer.3.output.LayerNorm.weight").toArray()).containsOnly(1f);
        assertThat(p.get("bert.pooler.dense.bias").toArray()).containsOnly(0f);
        assertThat(p.get("cls.predictions.bias").toArray()).containsOnly(0f);
        assertThat(p).doesNotContainKey("cls.predictions.decoder.weight");
    }

    @Test
    void fanInInitialisationScalesEachLinearWeightByItsInputWidth() {
        Bert model = new Bert(BertConfig.tiny(200), new Rng(3), Bert.Init.FAN_IN);      // 128 wide, 512 in the MLP
        Map<String, Tensor> p = model.namedParameters();
        assertThat(std(p.get("bert.encoder.layer.0.attention.self.query.weight"))).isCloseTo(1 / Math.sqrt(128), within(0.004));
        assertThat(std(p.get("bert.encoder.layer.0.intermediate.dense.weight"))).isCloseTo(1 / Math.sqrt(128), within(0.004));
        assertThat(std(p.get("bert.encoder.layer.2.output.dense.weight"))).isCloseTo(1 / Math.sqrt(512), within(0.002));
        assertThat(std(p.get("cls.predictions.transform.dense.weight"))).isCloseTo(1 / Math.sqrt(128), within(0.004));
        assertThat(std(p.get("bert.embeddings.word_embeddings.weight"))).isCloseTo(0.02, within(0.002));  // initializer_range
        assertThat(model.wordEmbeddings().select(0, 0).toArray()).containsOnly(0f);
        assertThat(p.get("bert.encoder.layer.1.attention.output.dense.bias").toArray()).containsOnly(0f);
        assertThat(p.get("bert.encoder.layer.3.output.LayerNorm.weight").toArray()).containsOnly(1f);
    }

    @Test
    void dropoutActsOnlyWhileTraining() {
        Bert model = new Bert(new BertConfig(20, 8, 1, 2, 16, "gelu", 6, 2, 1e-12f, 0.5f, 0.5f, 0, 0.02f), new Rng(1));
        IntTensor ids = IntTensor.of(new int[] {2, 5, 6, 3}, 1, 4);
        float[] first = model.forward(ids, null, null).lastHiddenState().toArray();
        assertThat(model.forward(ids, null, null).lastHiddenState().toArray()).isNotEqualTo(first);
        model.eval();
        float[] eval = model.forward(ids, null, null).lastHiddenState().toArray();
        assertThat(model.forward(ids, null, null).lastHiddenState().toArray()).isEqualTo(eval);
    }

    private static double std(Tensor t) {
        float[] a = t.toArray();
        double s = 0, s2 = 0;
        for (float v : a) { s += v; s2 += v * v; }
        double m = s / a.length;
        return Math.sqrt(s2 / a.length - m * m);
    }
}
