package dev.zerolm.models.hf;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.zerolm.io.AtomicFiles;
import dev.zerolm.io.SafetensorsException;
import dev.zerolm.io.SafetensorsWriter;
import dev.zerolm.io.TensorData;
import dev.zerolm.models.GPT;
import dev.zerolm.models.GPTConfig;
import dev.zerolm.nn.Activation;
import dev.zerolm.nn.FeedForwardKind;
import dev.zerolm.nn.NormKind;
import dev.zerolm.nn.PositionalEncoding;
import dev.zerolm.tensor.Rng;
import dev.zerolm.tensor.Tensor;
import dev.zerolm.tokenize.ByteLevelBpe;
import dev.zerolm.tokenize.Tokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * GPT-2 in Hugging Face's layout (GPT2LMHeadModel) to and from ZeroLM's {@link GPT}.
 * <p>Reading: config.json (n_embd, n_layer, n_head, n_positions, vocab_size, layer_norm_epsilon,
 * activation_function), the weights with or without the {@code transformer.} prefix, and the tokenizer files.
 * GPT-2's Conv1D layers (attn.c_attn, attn.c_proj, mlp.c_fc, mlp.c_proj) store their weight (in, out); they are
 * transposed into Linear's (out, in). The causal-mask buffers attn.bias / attn.masked_bias are skipped, and an
 * lm_head.weight is accepted only when it equals wte (GPT-2 ties them).
 * <p>Writing: config.json with model_type gpt2, model.safetensors under GPT-2's own names (h.0.attn.c_attn.weight,
 * (in, out)), and vocab.json + merges.txt for a byte-level BPE, so {@code transformers} loads it unchanged.
 */
public final class HuggingFaceGpt2 {

    public static final String MODEL_TYPE = "gpt2";

    /** The weights GPT-2 stores (in, out) as Conv1D. */
    private static final List<String> CONV1D = List.of("attn.c_attn.weight", "attn.c_proj.weight", "mlp.c_fc.weight",
            "mlp.c_proj.weight");

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private HuggingFaceGpt2() {}

    /** The GPTConfig a GPT-2 config.json describes; unsupported variants are refused by name. */
    public static GPTConfig readConfig(HfConfig c) throws IOException {
        int nEmbd = c.requireInt("n_embd");
        int nPositions = c.has("n_positions") ? c.requireInt("n_positions") : c.requireInt("n_ctx");
        int nInner = c.intOr("n_inner", 4 * nEmbd);
        if (nInner != 4 * nEmbd) {
            throw new IOException(c.file() + ": n_inner " + nInner + " is not 4 * n_embd = " + 4 * nEmbd
                    + "; ZeroLM's GPT MLP is 4x wide");
        }
        if (!c.booleanOr("tie_word_embeddings", true)) {
            throw new IOException(c.file() + ": tie_word_embeddings false is not supported for gpt2; its lm_head is wte");
        }
        if (!c.booleanOr("scale_attn_weights", true) || c.booleanOr("scale_attn_by_inverse_layer_idx", false)) {
            throw new IOException(c.file() + ": only attention scaled by 1/sqrt(head size) is supported "
                    + "(scale_attn_weights true, scale_attn_by_inverse_layer_idx false)");
        }
        Activation activation = activation(c);
        float dropout = (float) c.doubleOr("resid_pdrop", 0.1);
        try {
            return new GPTConfig(c.requireInt("vocab_size"), nPositions, c.requireInt("n_layer"), c.requireInt("n_head"),
                    nEmbd, dropout, true, PositionalEncoding.LEARNED, 10000f, NormKind.LAYER_NORM, FeedForwardKind.MLP,
                    activation, (float) c.doubleOr("layer_norm_epsilon", 1e-5));
        } catch (IllegalArgumentException e) {
            throw new IOException(c.file() + ": " + e.getMessage(), e);
        }
    }

    private static Activation activation(HfConfig c) throws IOException {
        String name = c.stringOr("activation_function", "gelu_new");
        return switch (name) {
            case "gelu_new", "gelu_pytorch_tanh", "gelu_fast" -> Activation.GELU_TANH;
            case "gelu" -> Activation.GELU_EXACT;
            case "relu" -> Activation.RELU;
            case "silu", "swish" -> Activation.SILU;
            default -> throw new IOException(c.file() + ": activation_function '" + name
                    + "' is not supported (gelu_new, gelu_pytorch_tanh, gelu_fast, gelu, relu, silu)");
        };
    }

    /** The model of a GPT-2 directory, in eval mode. */
    public static GPT load(Path dir) throws IOException {
        HfConfig c = HfConfig.read(dir);
        GPTConfig config = readConfig(c);
        GPT model = new GPT(config, new Rng(0));
        String described = c.file().getFileName() + " (n_embd " + config.nEmbd() + ", n_head " + config.nHead() + ", n_layer "
                + config.nLayer() + ", n_positions " + config.blockSize() + ", vocab_size " + config.vocabSize() + ")";
        try (HfWeights w = HfWeights.open(dir, described)) {
            String prefix = w.contains("transformer.wte.weight") ? "transformer." : "";
            Map<String, Tensor> state = new LinkedHashMap<>();
            for (var e : model.stateDict().entrySet()) {
                String name = prefix + hfName(e.getKey());
                int[] shape = e.getValue().shape();
                state.put(e.getKey(), isConv1D(name) ? w.readTransposed(name, shape) : w.read(name, shape));
            }
            for (int i = 0; i < config.nLayer(); i++) {
                w.skip(prefix + "h." + i + ".attn.bias");          // the causal mask, a buffer
                w.skip(prefix + "h." + i + ".attn.masked_bias");
            }
            if (w.contains("lm_head.weight")) {
                Tensor head = w.read("lm_head.weight", config.vocabSize(), config.nEmbd());
                if (!Arrays.equals(head.toArray(), state.get("transformer.wte.weight").toArray())) {
                    throw new SafetensorsException(w.source(), "lm_head.weight", "differs from " + prefix
                            + "wte.weight, but GPT-2 ties its output layer to the token embeddings");
                }
            }
            w.requireAllUsed("GPT-2");
            model.loadStateDict(state, true);
        }
        model.eval();
        return model;
    }

    /** ZeroLM's name (transformer.h.0.attn.c_attn.weight) -> GPT-2's (h.0.attn.c_attn.weight). */
    static String hfName(String zerolmName) {
        return zerolmName.startsWith("transformer.") ? zerolmName.substring("transformer.".length()) : zerolmName;
    }

    private static boolean isConv1D(String name) {
        for (String suffix : CONV1D) if (name.endsWith(suffix)) return true;
        return false;
    }

    /**
     * Writes model (and tokenizer, may be null) as a Hugging Face GPT-2 directory. The model must be GPT-2 shaped:
     * learned positions, LayerNorm, a 4x MLP. A model without biases gets zero biases, which compute the same.
     * A byte-level BPE is written as vocab.json + merges.txt (or tokenizer.json when it splits text unlike
     * GPT-2); another tokenizer is saved in ZeroLM's own format, which transformers cannot read.
     */
    public static void save(GPT model, Tokenizer tokenizer, Path dir) throws IOException {
        GPTConfig c = model.config();
        List<String> problems = new ArrayList<>();
        if (c.positional() != PositionalEncoding.LEARNED) problems.add(c.positional() + " positions (GPT-2 learns them)");
        if (c.norm() != NormKind.LAYER_NORM) problems.add(c.norm() + " (GPT-2 uses LayerNorm)");
        if (c.feedForward() != FeedForwardKind.MLP) problems.add(c.feedForward() + " (GPT-2 has a 4x MLP)");
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("HuggingFaceGpt2.save: the model does not fit GPT-2's layout: "
                    + String.join(", ", problems));
        }
        Files.createDirectories(dir);
        Map<String, Tensor> state = model.stateDict();
        Map<String, TensorData> out = new LinkedHashMap<>();
        int C = c.nEmbd();
        put(out, state, "wte.weight", 0);
        put(out, state, "wpe.weight", 0);
        for (int i = 0; i < c.nLayer(); i++) {
            String h = "h." + i + ".";
            put(out, state, h + "ln_1.weight", 0);
            put(out, state, h + "ln_1.bias", C);
            put(out, state, h + "attn.c_attn.weight", 0);
            put(out, state, h + "attn.c_attn.bias", 3 * C);
            put(out, state, h + "attn.c_proj.weight", 0);
            put(out, state, h + "attn.c_proj.bias", C);
            put(out, state, h + "ln_2.weight", 0);
            put(out, state, h + "ln_2.bias", C);
            put(out, state, h + "mlp.c_fc.weight", 0);
            put(out, state, h + "mlp.c_fc.bias", 4 * C);
            put(out, state, h + "mlp.c_proj.weight", 0);
            put(out, state, h + "mlp.c_proj.bias", C);
        }
        put(out, state, "ln_f.weight", 0);
        put(out, state, "ln_f.bias", C);
        SafetensorsWriter.write(dir.resolve("model.safetensors"), out);

        Integer endOfText = tokenizer instanceof ByteLevelBpe bpe && bpe.endOfTextId().isPresent()
                ? bpe.endOfTextId().getAsInt() : null;
        AtomicFiles.writeString(dir.resolve(HfConfig.FILE), JSON.writeValueAsString(configJson(c, endOfText)));
        if (tokenizer != null) HfTokenizers.save(tokenizer, dir, c.blockSize());
    }

    /**
     * Puts GPT-2's tensor hfName: the model's transformer.hfName (Conv1D weights transposed to (in, out)), or,
     * for a bias the model does not have, zeros of biasSize.
     */
    private static void put(Map<String, TensorData> out, Map<String, Tensor> state, String hfName, int biasSize) {
        Tensor t = state.get("transformer." + hfName);
        if (t == null) {
            if (biasSize == 0) throw new IllegalStateException("HuggingFaceGpt2.save: the model has no " + hfName);
            t = Tensor.zeros(biasSize);
        } else if (isConv1D(hfName)) {
            t = t.t().contiguous(); // (out, in) -> (in, out)
        }
        int[] s = t.shape();
        long[] shape = new long[s.length];
        for (int i = 0; i < s.length; i++) shape[i] = s[i];
        out.put(hfName, TensorData.ofFloats(hfName, shape, t.contiguous().toArray()));
    }

    /** GPT2Config's fields, as transformers writes them for GPT2LMHeadModel. */
    private static ObjectNode configJson(GPTConfig c, Integer endOfText) {
        ObjectNode j = JSON.createObjectNode();
        j.put("activation_function", switch (c.activation()) {
            case GELU_TANH -> "gelu_new";
            case GELU_EXACT -> "gelu";
            case RELU -> "relu";
            case SILU -> "silu";
        });
        j.putArray("architectures").add("GPT2LMHeadModel");
        j.put("attn_pdrop", c.dropout());
        if (endOfText == null) j.putNull("bos_token_id"); else j.put("bos_token_id", endOfText);
        j.put("embd_pdrop", c.dropout());
        if (endOfText == null) j.putNull("eos_token_id"); else j.put("eos_token_id", endOfText);
        j.put("initializer_range", 0.02);
        j.put("layer_norm_epsilon", c.normEps());
        j.put("model_type", MODEL_TYPE);
        j.put("n_ctx", c.blockSize());
        j.put("n_embd", c.nEmbd());
        j.put("n_head", c.nHead());
        j.putNull("n_inner");
        j.put("n_layer", c.nLayer());
        j.put("n_positions", c.blockSize());
        j.put("reorder_and_upcast_attn", false);
        j.put("resid_pdrop", c.dropout());
        j.put("scale_attn_by_inverse_layer_idx", false);
        j.put("scale_attn_weights", true);
        j.putNull("summary_activation");
        j.put("summary_first_dropout", 0.1);
        j.put("summary_proj_to_labels", true);
        j.put("summary_type", "cls_index");
        j.put("summary_use_proj", true);
        j.put("tie_word_embeddings", true);
        j.put("torch_dtype", "float32");
        j.put("use_cache", true);
        j.put("vocab_size", c.vocabSize());
        return j;
    }
}
