package dev.zerolm.models.hf;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.zerolm.io.AtomicFiles;
import dev.zerolm.tokenize.BpeTokenizerJson;
import dev.zerolm.tokenize.ByteLevelBpe;
import dev.zerolm.tokenize.Tokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/** The tokenizer files of a Hugging Face model directory: tokenizer.json, or GPT-2's vocab.json + merges.txt. */
public final class HfTokenizers {

    public static final String VOCAB_JSON = "vocab.json", MERGES_TXT = "merges.txt", CONFIG = "tokenizer_config.json";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private HfTokenizers() {}

    /** Whether dir holds tokenizer files this class can read. */
    public static boolean present(Path dir) {
        return Files.isRegularFile(dir.resolve(BpeTokenizerJson.FILE))
                || Files.isRegularFile(dir.resolve(VOCAB_JSON)) && Files.isRegularFile(dir.resolve(MERGES_TXT))
                || Files.isRegularFile(dir.resolve(Tokenizer.CONFIG_FILE));
    }

    /**
     * The directory's tokenizer: its tokenizer.json (byte-level BPE) first, as transformers' fast tokenizers do,
     * else vocab.json + merges.txt, else one ZeroLM saved there ({@value Tokenizer#CONFIG_FILE}).
     */
    public static Tokenizer load(Path dir) throws IOException {
        if (Files.isRegularFile(dir.resolve(BpeTokenizerJson.FILE))) return BpeTokenizerJson.read(dir.resolve(BpeTokenizerJson.FILE));
        if (Files.isRegularFile(dir.resolve(VOCAB_JSON)) && Files.isRegularFile(dir.resolve(MERGES_TXT))) {
            return ByteLevelBpe.fromFiles(dir.resolve(VOCAB_JSON), dir.resolve(MERGES_TXT));
        }
        if (Files.isRegularFile(dir.resolve(Tokenizer.CONFIG_FILE))) return Tokenizer.load(dir);
        throw new NoSuchFileException(dir.toString(), null, "no tokenizer: expected " + BpeTokenizerJson.FILE + ", or "
                + VOCAB_JSON + " + " + MERGES_TXT);
    }

    /**
     * Writes tokenizer into a model directory in Hugging Face's form (a byte-level BPE; with tokenizer_config.json)
     * or, for any other tokenizer, in ZeroLM's own form.
     */
    static void save(Tokenizer tokenizer, Path dir, int modelMaxLength) throws IOException {
        if (!(tokenizer instanceof ByteLevelBpe bpe)) {
            tokenizer.save(dir);
            return;
        }
        List<String> files = BpeTokenizerJson.saveHuggingFaceFiles(bpe, dir);
        ObjectNode config = JSON.createObjectNode();
        boolean gpt2Files = files.contains(VOCAB_JSON);
        config.put("tokenizer_class", gpt2Files ? "GPT2Tokenizer" : "PreTrainedTokenizerFast");
        config.put("model_max_length", modelMaxLength);
        if (gpt2Files && bpe.endOfTextId().isPresent()) {
            for (String key : List.of("bos_token", "eos_token", "unk_token")) config.put(key, ByteLevelBpe.END_OF_TEXT);
        }
        if (bpe.bosId().isPresent()) config.put("bos_token", bpe.tokenString(bpe.bosId().getAsInt()));
        AtomicFiles.writeString(dir.resolve(CONFIG), JSON.writeValueAsString(config));
    }
}
