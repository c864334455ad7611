package dev.zerolm.tokenize;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Turns text into token ids and back. Every tokenizer can save itself to a directory and
 * {@link #load(Path)} reads any of them back by looking at the small {@value #CONFIG_FILE} it wrote.
 */
public interface Tokenizer {

    /** The file every tokenizer writes into its directory; its "kind" field says which class reads it. */
    String CONFIG_FILE = "zerolm_tokenizer.json";

    /** Token ids of the text. Throws IllegalArgumentException when the text cannot be represented. */
    int[] encode(String text);

    /** The text of the token ids. Throws IllegalArgumentException for an id outside the vocabulary. */
    String decode(int[] ids);

    /** Number of distinct token ids: every id is in [0, vocabSize). */
    int vocabSize();

    /** Writes everything needed to rebuild this tokenizer into the directory (created if absent). */
    void save(Path dir) throws IOException;

    /** Short name of the tokenizer family, as written in {@value #CONFIG_FILE}, e.g. "char" or "byte-bpe". */
    String kind();

    /**
     * Reads a tokenizer back from a directory written by {@link #save(Path)}. A directory without
     * {@value #CONFIG_FILE} but with GPT-2's encoder.json and vocab.bpe loads as a {@link ByteLevelBpe}; one with
     * BERT's vocab.txt as a {@link WordPiece}.
     */
    static Tokenizer load(Path dir) throws IOException {
        Path config = dir.resolve(CONFIG_FILE);
        if (Files.isRegularFile(config)) {
            JsonNode node = new ObjectMapper().readTree(config.toFile());
            String kind = node.path("kind").asText("");
            return switch (kind) {
                case CharTokenizer.KIND -> CharTokenizer.load(dir);
                case ByteLevelBpe.KIND -> ByteLevelBpe.load(dir);
                case WordPiece.KIND -> WordPiece.load(dir);
                default -> throw new IOException("Tokenizer.load: " + config + " has unknown kind '" + kind
                        + "' (known: " + CharTokenizer.KIND + ", " + ByteLevelBpe.KIND + ", " + WordPiece.KIND + ")");
            };
        }
        if (Files.isRegularFile(dir.resolve(ByteLevelBpe.ENCODER_FILE))
                && Files.isRegularFile(dir.resolve(ByteLevelBpe.MERGES_FILE))) {
            return ByteLevelBpe.load(dir);
        }
        if (Files.isRegularFile(dir.resolve(WordPiece.VOCAB_FILE))) return WordPiece.load(dir);
        throw new IOException("Tokenizer.load: " + dir + " has neither " + CONFIG_FILE + " nor "
                + ByteLevelBpe.ENCODER_FILE + " + " + ByteLevelBpe.MERGES_FILE + " nor BERT's " + WordPiece.VOCAB_FILE);
    }
}
