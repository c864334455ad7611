package dev.zerolm.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.zerolm.autograd.GradMode;
import dev.zerolm.models.Bert;
import dev.zerolm.models.BertCheckpoint;
import dev.zerolm.tensor.IntTensor;
import dev.zerolm.tensor.Tensor;
import dev.zerolm.tokenize.Encoding;
import dev.zerolm.tokenize.WordPiece;
import dev.zerolm.io.StateDicts;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Hugging Face's BertForSequenceClassification read from its directory: the BERT encoder, then
 * softmax(classifier(pooled [CLS])) over the labels config.json's id2label names.
 * <pre>
 *   pooled = tanh(dense(h[:, 0]))              (1, H)
 *   logits = pooled @ classifier.weightᵀ + b   (1, L)
 * </pre>
 */
public final class BertSequenceClassifier implements TextClassifier {

    private final Bert bert;
    private final WordPiece tokenizer;
    private final Tensor weight;   // (L, H)
    private final Tensor bias;     // (L)
    private final List<String> labels;

    private BertSequenceClassifier(Bert bert, WordPiece tokenizer, Tensor weight, Tensor bias, List<String> labels) {
        this.bert = bert;
        this.tokenizer = tokenizer;
        this.weight = weight;
        this.bias = bias;
        this.labels = List.copyOf(labels);
    }

    /** Whether dir's config.json names a BERT sequence classifier (architectures BertForSequenceClassification). */
    public static boolean isClassifierDir(Path dir) {
        Path config = dir.resolve(BertCheckpoint.CONFIG_FILE);
        if (!Files.isRegularFile(config)) return false;
        try {
            JsonNode c = new ObjectMapper().readTree(config.toFile());
            if (!"bert".equals(c.path("model_type").asText())) return false;
            for (JsonNode a : c.path("architectures")) if (a.asText().endsWith("ForSequenceClassification")) return true;
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    public static BertSequenceClassifier load(Path dir) throws IOException {
        Bert bert = BertCheckpoint.load(dir).model();
        bert.eval();
        WordPiece tokenizer = WordPiece.load(dir);
        Map<String, Tensor> weights = StateDicts.load(dir.resolve(BertCheckpoint.WEIGHTS_FILE));
        Tensor w = weights.get("classifier.weight"), b = weights.get("classifier.bias");
        if (w == null || b == null) {
            throw new IOException(dir.resolve(BertCheckpoint.WEIGHTS_FILE) + ": a sequence classifier needs classifier.weight and "
                    + "classifier.bias; found neither or only one");
        }
        int H = bert.config().hiddenSize(), L = w.size(0);
        if (w.rank() != 2 || w.size(1) != H || b.rank() != 1 || b.size(0) != L) {
            throw new IOException(dir + ": classifier.weight " + java.util.Arrays.toString(w.shape()) + " and classifier.bias "
                    + java.util.Arrays.toString(b.shape()) + " do not fit hidden size " + H);
        }
        return new BertSequenceClassifier(bert, tokenizer, w, b, readLabels(dir.resolve(BertCheckpoint.CONFIG_FILE), L));
    }

    /** id2label in id order; LABEL_i where config.json has none (as transformers names them). */
    private static List<String> readLabels(Path config, int count) throws IOException {
        JsonNode id2label = new ObjectMapper().readTree(config.toFile()).path("id2label");
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < count; i++) labels.add(id2label.path(Integer.toString(i)).asText("LABEL_" + i));
        if (id2label.size() > 0 && id2label.size() != count) {
            throw new IOException(config + ": id2label has " + id2label.size() + " labels but the classifier scores " + count);
        }
        return labels;
    }

    @Override
    public List<String> labels() {
        return labels;
    }

    @Override
    public int contextLength() {
        return bert.config().maxPositionEmbeddings();
    }

    @Override
    public float[] scores(String text) {
        Encoding e = tokenizer.encodeForModel(text, contextLength());
        try (var ignored = GradMode.noGrad()) {
            Tensor pooled = bert.forward(IntTensor.of(e.ids(), 1, e.length()), null, null).pooled();  // (1, H)
            Tensor logits = pooled.matmul(weight.t()).add(bias);                                       // (1, L)
            return logits.softmax(-1).contiguous().toArray();
        }
    }
}
