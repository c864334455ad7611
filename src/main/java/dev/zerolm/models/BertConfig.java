package dev.zerolm.models;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.zerolm.nn.Activation;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Everything that fixes a {@link Bert}'s shape, with Hugging Face's config.json field names in the comments.
 *
 * @param vocabSize                  vocab_size: rows of the word embedding table
 * @param hiddenSize                 hidden_size: width H of every token's vector
 * @param numHiddenLayers            num_hidden_layers
 * @param numAttentionHeads          num_attention_heads (each of size H / heads)
 * @param intermediateSize           intermediate_size: width of the feed-forward layer
 * @param hiddenAct                  hidden_act: "gelu" (exact, erf), "gelu_new" (tanh form), "relu" or "silu"
 * @param maxPositionEmbeddings      max_position_embeddings: the longest sequence
 * @param typeVocabSize              type_vocab_size: number of segments (2: sentence A and B)
 * @param layerNormEps               layer_norm_eps (1e-12 in BERT)
 * @param hiddenDropoutProb          hidden_dropout_prob: on embeddings and residual branches while training
 * @param attentionProbsDropoutProb  attention_probs_dropout_prob: on attention weights while training
 * @param padTokenId                 pad_token_id: its embedding row gets no gradient from the lookup
 * @param initializerRange           initializer_range: std of the normal initialisation
 */
public record BertConfig(int vocabSize, int hiddenSize, int numHiddenLayers, int numAttentionHeads, int intermediateSize,
                         String hiddenAct, int maxPositionEmbeddings, int typeVocabSize, float layerNormEps,
                         float hiddenDropoutProb, float attentionProbsDropoutProb, int padTokenId, float initializerRange) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public BertConfig {
        if (vocabSize <= 0 || hiddenSize <= 0 || numHiddenLayers <= 0 || numAttentionHeads <= 0 || intermediateSize <= 0
                || maxPositionEmbeddings <= 0 || typeVocabSize <= 0) {
            throw new IllegalArgumentException("BertConfig: sizes must be positive: vocab " + vocabSize + ", hidden " + hiddenSize
                    + ", layers " + numHiddenLayers + ", heads " + numAttentionHeads + ", intermediate " + intermediateSize
                    + ", positions " + maxPositionEmbeddings + ", types " + typeVocabSize);
        }
        if (hiddenSize % numAttentionHeads != 0) {
            throw new IllegalArgumentException("BertConfig: hidden_size " + hiddenSize + " is not divisible by num_attention_heads "
                    + numAttentionHeads);
        }
        activationOf(hiddenAct);
        if (hiddenDropoutProb < 0 || hiddenDropoutProb >= 1 || attentionProbsDropoutProb < 0 || attentionProbsDropoutProb >= 1) {
            throw new IllegalArgumentException("BertConfig: dropout probabilities must be in [0, 1), got hidden "
                    + hiddenDropoutProb + ", attention " + attentionProbsDropoutProb);
        }
        if (padTokenId < 0 || padTokenId >= vocabSize) {
            throw new IllegalArgumentException("BertConfig: pad_token_id " + padTokenId + " is outside the vocabulary [0, " + vocabSize + ")");
        }
    }

    /** bert-base-uncased: 12 layers, 12 heads, 768 wide, 30,522 WordPiece tokens. */
    public static BertConfig base() {
        return new BertConfig(30522, 768, 12, 12, 3072, "gelu", 512, 2, 1e-12f, 0.1f, 0.1f, 0, 0.02f);
    }

    /** A small BERT for experiments on a CPU: 4 layers, 4 heads, 128 wide, sequences up to 128 tokens. */
    public static BertConfig tiny(int vocabSize) {
        return new BertConfig(vocabSize, 128, 4, 4, 512, "gelu", 128, 2, 1e-12f, 0.1f, 0.1f, 0, 0.02f);
    }

    public int headSize() {
        return hiddenSize / numAttentionHeads;
    }

    /** The non-linearity hidden_act names. */
    public Activation activation() {
        return activationOf(hiddenAct);
    }

    private static Activation activationOf(String name) {
        return switch (name == null ? "" : name) {
            case "gelu" -> Activation.GELU_EXACT;
            case "gelu_new", "gelu_pytorch_tanh" -> Activation.GELU_TANH;
            case "relu" -> Activation.RELU;
            case "silu", "swish" -> Activation.SILU;
            default -> throw new IllegalArgumentException("BertConfig: hidden_act '" + name
                    + "' is not supported (gelu, gelu_new, gelu_pytorch_tanh, relu, silu, swish)");
        };
    }

    public BertConfig withDropout(float hidden, float attention) {
        return new BertConfig(vocabSize, hiddenSize, numHiddenLayers, numAttentionHeads, intermediateSize, hiddenAct,
                maxPositionEmbeddings, typeVocabSize, layerNormEps, hidden, attention, padTokenId, initializerRange);
    }

    /**
     * Reads a Hugging Face config.json. Missing optional fields take BERT's defaults; model_type must be "bert" and
     * position_embedding_type (if given) "absolute", since other variants compute differently.
     */
    public static BertConfig fromJson(Path configJson) throws IOException {
        JsonNode c = JSON.readTree(configJson.toFile());
        String modelType = c.path("model_type").asText("bert");
        if (!modelType.equals("bert")) {
            throw new IOException(configJson + ": model_type is '" + modelType + "', expected 'bert'");
        }
        String positions = c.path("position_embedding_type").asText("absolute");
        if (!positions.equals("absolute")) {
            throw new IOException(configJson + ": position_embedding_type '" + positions + "' is not supported (only absolute)");
        }
        if (!c.path("tie_word_embeddings").asBoolean(true)) {
            throw new IOException(configJson + ": tie_word_embeddings false is not supported (the MLM decoder is the word embeddings)");
        }
        try {
            return new BertConfig(required(c, "vocab_size", configJson), required(c, "hidden_size", configJson),
                    required(c, "num_hidden_layers", configJson), required(c, "num_attention_heads", configJson),
                    required(c, "intermediate_size", configJson), c.path("hidden_act").asText("gelu"),
                    c.path("max_position_embeddings").asInt(512), c.path("type_vocab_size").asInt(2),
                    (float) c.path("layer_norm_eps").asDouble(1e-12), (float) c.path("hidden_dropout_prob").asDouble(0.1),
                    (float) c.path("attention_probs_dropout_prob").asDouble(0.1), c.path("pad_token_id").asInt(0),
                    (float) c.path("initializer_range").asDouble(0.02));
        } catch (IllegalArgumentException e) {
            throw new IOException(configJson + ": " + e.getMessage(), e);
        }
    }

    private static int required(JsonNode c, String field, Path file) throws IOException {
        JsonNode v = c.get(field);
        if (v == null || !v.canConvertToInt()) throw new IOException(file + ": missing or non-integer '" + field + "'");
        return v.asInt();
    }

    /** Hugging Face's config.json for a BertForMaskedLM with these settings. */
    public ObjectNode toJson() {
        ObjectNode c = JSON.createObjectNode();
        c.putArray("architectures").add("BertForMaskedLM");
        c.put("model_type", "bert");
        c.put("vocab_size", vocabSize);
        c.put("hidden_size", hiddenSize);
        c.put("num_hidden_layers", numHiddenLayers);
        c.put("num_attention_heads", numAttentionHeads);
        c.put("intermediate_size", intermediateSize);
        c.put("hidden_act", hiddenAct);
        c.put("hidden_dropout_prob", decimal(hiddenDropoutProb));
        c.put("attention_probs_dropout_prob", decimal(attentionProbsDropoutProb));
        c.put("max_position_embeddings", maxPositionEmbeddings);
        c.put("type_vocab_size", typeVocabSize);
        c.put("initializer_range", decimal(initializerRange));
        c.put("layer_norm_eps", decimal(layerNormEps));
        c.put("pad_token_id", padTokenId);
        c.put("position_embedding_type", "absolute");
        c.put("tie_word_embeddings", true);
        c.put("torch_dtype", "float32");
        return c;
    }

    /** The float as the short decimal it was written as (0.1, not 0.10000000149011612). */
    private static double decimal(float f) {
        return Double.parseDouble(Float.toString(f));
    }

    /** Writes {@link #toJson()} to a file, pretty-printed. */
    public void writeJson(Path configJson) throws IOException {
        JSON.writerWithDefaultPrettyPrinter().writeValue(configJson.toFile(), toJson());
    }
}
