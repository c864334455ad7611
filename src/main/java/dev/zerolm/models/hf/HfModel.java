package dev.zerolm.models.hf;

import dev.zerolm.models.CausalLM;
import dev.zerolm.models.GPT;
import dev.zerolm.models.LlamaModel;
import dev.zerolm.tokenize.ByteLevelBpe;
import dev.zerolm.tokenize.Tokenizer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * A causal language model loaded from a Hugging Face model directory, whichever architecture its config.json
 * names (model_type gpt2 or llama), with its tokenizer (null when the directory has none).
 */
public record HfModel(Path dir, String modelType, CausalLM model, Tokenizer tokenizer) {

    /** The model types {@link #load} understands. */
    public static final List<String> MODEL_TYPES = List.of(HuggingFaceGpt2.MODEL_TYPE, HuggingFaceLlama.MODEL_TYPE);

    /** Loads dir in eval mode, at its full context. */
    public static HfModel load(Path dir) throws IOException {
        return load(dir, 0);
    }

    /**
     * Loads dir in eval mode; maxContext &gt; 0 shortens a rotary model's context (and so its KV cache) to that many
     * positions. GPT-2's learned positions keep n_positions.
     */
    public static HfModel load(Path dir, int maxContext) throws IOException {
        String type = HfConfig.read(dir).modelType();
        CausalLM model = switch (type) {
            case HuggingFaceGpt2.MODEL_TYPE -> HuggingFaceGpt2.load(dir);
            case HuggingFaceLlama.MODEL_TYPE -> HuggingFaceLlama.load(dir, maxContext);
            default -> throw new IOException(dir.resolve(HfConfig.FILE) + ": model_type '" + type
                    + "' is not a supported causal language model (supported: " + String.join(", ", MODEL_TYPES) + ")");
        };
        Tokenizer tokenizer = HfTokenizers.present(dir) ? HfTokenizers.load(dir) : null;
        if (tokenizer != null && tokenizer.vocabSize() > model.vocabSize()) {
            throw new IOException(dir + ": the tokenizer has " + tokenizer.vocabSize() + " tokens but the model scores only "
                    + model.vocabSize());
        }
        return new HfModel(dir, type, model, tokenizer);
    }

    /** Writes a GPT (GPT-2 layout) or a LlamaModel (Llama layout) with its tokenizer (may be null) into dir. */
    public static void save(CausalLM model, Tokenizer tokenizer, Path dir) throws IOException {
        switch (model) {
            case GPT gpt -> HuggingFaceGpt2.save(gpt, tokenizer, dir);
            case LlamaModel llama -> HuggingFaceLlama.save(llama, tokenizer, dir);
            default -> throw new IllegalArgumentException("HfModel.save: no Hugging Face layout for "
                    + model.getClass().getSimpleName());
        }
    }

    /** The tokenizer, or an error saying the directory has none. */
    public Tokenizer requireTokenizer() throws IOException {
        if (tokenizer == null) {
            throw new IOException(dir + ": no tokenizer files (tokenizer.json, or vocab.json + merges.txt)");
        }
        return tokenizer;
    }

    /**
     * The ids Hugging Face's tokenizer gives for text: the plain encoding, after the token its post-processor
     * puts first (Llama 3's &lt;|begin_of_text|&gt;) when it has one.
     */
    public int[] encodeWithSpecialTokens(String text) throws IOException {
        int[] ids = requireTokenizer().encode(text);
        if (tokenizer instanceof ByteLevelBpe bpe && bpe.bosId().isPresent()) {
            int[] withBos = new int[ids.length + 1];
            withBos[0] = bpe.bosId().getAsInt();
            System.arraycopy(ids, 0, withBos, 1, ids.length);
            return withBos;
        }
        return Arrays.copyOf(ids, ids.length);
    }
}
