package dev.zerolm.models.hf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.zerolm.io.AtomicFiles;
import dev.zerolm.io.SafetensorsException;
import dev.zerolm.io.SafetensorsWriter;
import dev.zerolm.io.TensorData;
import dev.zerolm.models.LlamaConfig;
import dev.zerolm.models.LlamaModel;
import dev.zerolm.tensor.Rng;
import dev.zerolm.tensor.Tensor;
import dev.zerolm.tokenize.ByteLevelBpe;
import dev.zerolm.tokenize.Tokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Llama in Hugging Face's layout (LlamaForCausalLM) to and from ZeroLM's {@link LlamaModel}, whose parameter names
 * are already Hugging Face's, so tensors map one to one. Reads config.json (hidden_size, intermediate_size,
 * num_hidden_layers, num_attention_heads, num_key_value_heads, head_dim, max_position_embeddings, rms_norm_eps,
 * rope_theta, tie_word_embeddings, attention_bias, mlp_bias), skips the rotary inv_freq buffers older
 * checkpoints carry, and refuses rope_scaling, which ZeroLM does not implement.
 */
public final class HuggingFaceLlama {

    public static final String MODEL_TYPE = "llama";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private HuggingFaceLlama() {}

    /** The LlamaConfig a Llama config.json describes. */
    public static LlamaConfig readConfig(HfConfig c) throws IOException {
        int hidden = c.requireInt("hidden_size");
        int heads = c.requireInt("num_attention_heads");
        String act = c.stringOr("hidden_act", "silu");
        if (!act.equals("silu")) throw new IOException(c.file() + ": hidden_act '" + act + "' is not supported; Llama's MLP uses silu");
        JsonNode scaling = c.get("rope_scaling");
        if (!scaling.isMissingNode() && !scaling.isNull()
                && !scaling.path("rope_type").asText(scaling.path("type").asText("")).equals("default")) {
            throw new IOException(c.file() + ": rope_scaling " + scaling + " is not supported; ZeroLM's rotary "
                    + "embedding has no frequency scaling");
        }
        if (heads <= 0 || (!c.has("head_dim") && hidden % heads != 0)) {
            throw new IOException(c.file() + ": hidden_size " + hidden + " is not divisible by num_attention_heads " + heads);
        }
        try {
            return new LlamaConfig(c.requireInt("vocab_size"), hidden, c.requireInt("intermediate_size"),
                    c.requireInt("num_hidden_layers"), heads, c.intOr("num_key_value_heads", heads),
                    c.intOr("head_dim", hidden / heads), c.intOr("max_position_embeddings", 2048),
                    (float) c.doubleOr("rms_norm_eps", 1e-6), (float) c.doubleOr("rope_theta", 10000.0),
                    c.booleanOr("tie_word_embeddings", false), c.booleanOr("attention_bias", false),
                    c.booleanOr("mlp_bias", false));
        } catch (IllegalArgumentException e) {
            throw new IOException(c.file() + ": " + e.getMessage(), e);
        }
    }

    /** The model of a Llama directory, in eval mode. */
    public static LlamaModel load(Path dir) throws IOException {
        return load(dir, 0);
    }

    /**
     * As {@link #load(Path)}, with the context cut to maxContext positions when that is positive and shorter
     * than the config's (no weight depends on it; it bounds the rotary table and the KV cache).
     */
    public static LlamaModel load(Path dir, int maxContext) throws IOException {
        HfConfig c = HfConfig.read(dir);
        LlamaConfig config = readConfig(c);
        if (maxContext > 0 && maxContext < config.maxPositionEmbeddings()) config = config.withMaxPositionEmbeddings(maxContext);
        LlamaModel model = new LlamaModel(config, new Rng(0));
        String described = c.file().getFileName() + " (hidden_size " + config.hiddenSize() + ", intermediate_size "
                + config.intermediateSize() + ", num_hidden_layers " + config.numLayers() + ", num_attention_heads "
                + config.numHeads() + ", num_key_value_heads " + config.numKeyValueHeads() + ", vocab_size "
                + config.vocabSize() + ")";
        try (HfWeights w = HfWeights.open(dir, described)) {
            Map<String, Tensor> state = new LinkedHashMap<>();
            for (var e : model.stateDict().entrySet()) state.put(e.getKey(), w.read(e.getKey(), e.getValue().shape()));
            for (int i = 0; i < config.numLayers(); i++) w.skip("model.layers." + i + ".self_attn.rotary_emb.inv_freq");
            if (config.tieWordEmbeddings() && w.contains("lm_head.weight")) {
                Tensor head = w.read("lm_head.weight", config.vocabSize(), config.hiddenSize());
                if (!Arrays.equals(head.toArray(), state.get("model.embed_tokens.weight").toArray())) {
                    throw new SafetensorsException(w.source(), "lm_head.weight", "differs from model.embed_tokens.weight, "
                            + "but config.json sets tie_word_embeddings");
                }
            }
            w.requireAllUsed("Llama");
            model.loadStateDict(state, true);
        }
        model.eval();
        return model;
    }

    /**
     * Writes model (and tokenizer, may be null) as a Hugging Face Llama directory: config.json,
     * model.safetensors under the model's own (Hugging Face) names, and the tokenizer's files.
     */
    public static void save(LlamaModel model, Tokenizer tokenizer, Path dir) throws IOException {
        Files.createDirectories(dir);
        Map<String, TensorData> out = new LinkedHashMap<>();
        for (var e : model.stateDict().entrySet()) {
            int[] s = e.getValue().shape();
            long[] shape = new long[s.length];
            for (int i = 0; i < s.length; i++) shape[i] = s[i];
            out.put(e.getKey(), TensorData.ofFloats(e.getKey(), shape, e.getValue().contiguous().toArray()));
        }
        SafetensorsWriter.write(dir.resolve("model.safetensors"), out);
        AtomicFiles.writeString(dir.resolve(HfConfig.FILE), JSON.writeValueAsString(configJson(model.config(), tokenizer)));
        if (tokenizer != null) HfTokenizers.save(tokenizer, dir, model.config().maxPositionEmbeddings());
    }

    /** LlamaConfig's fields as transformers writes them; bos/eos from the tokenizer when it names them. */
    private static ObjectNode configJson(LlamaConfig c, Tokenizer tokenizer) {
        Integer bos = null, eos = null;
        if (tokenizer instanceof ByteLevelBpe bpe) {
            if (bpe.bosId().isPresent()) bos = bpe.bosId().getAsInt();
            for (int id = bpe.vocabSize() - 1; id >= 0 && eos == null; id--) {
                if (List.of("<|end_of_text|>", "</s>", ByteLevelBpe.END_OF_TEXT).contains(bpe.tokenString(id))) eos = id;
            }
        }
        ObjectNode j = JSON.createObjectNode();
        j.putArray("architectures").add("LlamaForCausalLM");
        j.put("attention_bias", c.attentionBias());
        j.put("attention_dropout", 0.0);
        if (bos == null) j.putNull("bos_token_id"); else j.put("bos_token_id", bos);
        if (eos == null) j.putNull("eos_token_id"); else j.put("eos_token_id", eos);
        j.put("head_dim", c.headDim());
        j.put("hidden_act", "silu");
        j.put("hidden_size", c.hiddenSize());
        j.put("initializer_range", 0.02);
        j.put("intermediate_size", c.intermediateSize());
        j.put("max_position_embeddings", c.maxPositionEmbeddings());
        j.put("mlp_bias", c.mlpBias());
        j.put("model_type", MODEL_TYPE);
        j.put("num_attention_heads", c.numHeads());
        j.put("num_hidden_layers", c.numLayers());
        j.put("num_key_value_heads", c.numKeyValueHeads());
        j.put("pretraining_tp", 1);
        j.put("rms_norm_eps", c.rmsNormEps());
        j.putNull("rope_scaling");
        j.put("rope_theta", c.ropeTheta());
        j.put("tie_word_embeddings", c.tieWordEmbeddings());
        j.put("torch_dtype", "float32");
        j.put("use_cache", true);
        j.put("vocab_size", c.vocabSize());
        return j;
    }
}
