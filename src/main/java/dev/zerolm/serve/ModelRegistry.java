package dev.zerolm.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.zerolm.models.BertCheckpoint;
import dev.zerolm.models.CausalLM;
import dev.zerolm.models.hf.HfModel;
import dev.zerolm.tokenize.ByteLevelBpe;
import dev.zerolm.tokenize.Tokenizer;
import dev.zerolm.tokenize.WordPiece;
import dev.zerolm.train.Checkpoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The models a server holds, by name. Names come from the command line only; a request's "model" field is looked
 * up here and never turned into a path.
 */
public final class ModelRegistry {

    /** End-of-sequence tokens of common vocabularies; those the tokenizer has as one token end a choice. */
    private static final List<String> END_TOKENS = List.of(ByteLevelBpe.END_OF_TEXT, "<|end_of_text|>", "<|eot_id|>", "</s>");

    private final Map<String, ServedModel> models = new LinkedHashMap<>();

    public void add(ServedModel model) {
        if (models.putIfAbsent(model.name(), model) != null) {
            throw new IllegalArgumentException("serve: two models are named '" + model.name() + "'; name them with --model NAME=DIR");
        }
    }

    public ServedModel get(String name) {
        ServedModel m = name == null ? null : models.get(name);
        if (m == null) throw ApiException.modelNotFound(name);
        return m;
    }

    public Collection<ServedModel> all() {
        return models.values();
    }

    /**
     * Loads "DIR" or "NAME=DIR": a sequence classifier from {@code zerolm finetune}, a Hugging Face GPT-2 / Llama
     * directory, a BERT directory (an encoder, or a classifier when config.json says *ForSequenceClassification),
     * or a ZeroLM checkpoint. The name defaults to
     * the directory's name.
     */
    public static ServedModel load(String spec, int maxContext) throws IOException {
        int eq = spec.indexOf('=');
        String name = eq > 0 ? spec.substring(0, eq) : null;
        Path dir = Path.of(eq > 0 ? spec.substring(eq + 1) : spec).toAbsolutePath().normalize();
        if (name == null) name = dir.getFileName().toString();
        if (!Files.isDirectory(dir)) throw new IOException("serve: model directory " + dir + " does not exist");
        Path config = dir.resolve("config.json");
        String modelType = Files.isRegularFile(config) ? new ObjectMapper().readTree(config.toFile()).path("model_type").asText("") : "";
        if (FineTunedClassifier.isFineTunedDir(dir)) return new ClassifierModel(name, FineTunedClassifier.load(dir));
        if (BertSequenceClassifier.isClassifierDir(dir)) return new ClassifierModel(name, BertSequenceClassifier.load(dir));
        if (modelType.equals("bert")) {
            var bert = BertCheckpoint.load(dir).model();
            bert.eval();
            return new EncoderModel(name, bert, WordPiece.load(dir));
        }
        if (!modelType.isEmpty()) {
            HfModel hf = HfModel.load(dir, maxContext);
            Tokenizer tok = hf.requireTokenizer();
            return new LanguageModel(name, hf.model(), tok, text -> {
                try {
                    return hf.encodeWithSpecialTokens(text);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }, ChatTemplate.forModel(dir), endIds(tok));
        }
        CausalLM gpt = Checkpoint.loadModel(dir);
        Tokenizer tok = Checkpoint.loadTokenizer(dir);
        return language(name, gpt, tok, ChatTemplate.forModel(dir));
    }

    /** A causal model with a plain tokenizer (no BOS token). */
    public static LanguageModel language(String name, CausalLM model, Tokenizer tokenizer, ChatTemplate template) {
        Function<String, int[]> encoder = tokenizer::encode;
        return new LanguageModel(name, model, tokenizer, encoder, template, endIds(tokenizer));
    }

    private static Set<Integer> endIds(Tokenizer tokenizer) {
        Set<Integer> ids = new HashSet<>();
        for (String t : END_TOKENS) {
            try {
                int[] e = tokenizer.encode(t);
                if (e.length == 1) ids.add(e[0]);
            } catch (IllegalArgumentException e) {
                // this vocabulary cannot spell the token at all
            }
        }
        return Set.copyOf(ids);
    }
}
