package dev.zerolm.tokenize;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Builds a word-level vocabulary from training text: the special tokens [PAD] [UNK] [CLS] [SEP] [MASK] (ids 0-4,
 * so [PAD] is BERT's pad_token_id 0), then every word seen at least minFrequency times, most frequent first.
 * Words are what {@link BertBasicTokenizer} makes of the text (punctuation split off; lower-cased if asked).
 * <p>The result is a {@link WordPiece} tokenizer whose vocabulary has whole words only: WordPiece's greedy
 * longest match then finds a known word whole and turns any other word into [UNK], which is exactly word-level
 * tokenization, and the tokenizer saves as vocab.txt + tokenizer_config.json, which Hugging Face's BertTokenizer
 * reads. With characterFallback every character seen in training is added too, alone and as a "##" piece, so an
 * unknown word is spelled out instead of becoming [UNK]: the simplest WordPiece vocabulary.
 */
public final class WordVocabulary {

    /** The special tokens, in id order. */
    public static final List<String> SPECIALS = List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]");

    /**
     * @param lowercase          lower-case (and strip accents from) every word, as uncased BERT does
     * @param minFrequency       a word seen fewer times in training becomes [UNK]
     * @param maxSize            at most this many tokens in all, specials and characters included
     * @param characterFallback  add single characters and "##" characters so no known-alphabet word is [UNK]
     */
    public record Options(boolean lowercase, int minFrequency, int maxSize, boolean characterFallback) {
        public Options {
            if (minFrequency < 1) throw new IllegalArgumentException("WordVocabulary: min frequency must be >= 1, got " + minFrequency);
            if (maxSize < SPECIALS.size() + 1) {
                throw new IllegalArgumentException("WordVocabulary: max size " + maxSize + " leaves no room beside the "
                        + SPECIALS.size() + " special tokens");
            }
        }

        /** Lower-cased words seen at least twice, at most 30,000 tokens, no character fallback. */
        public static Options defaults() {
            return new Options(true, 2, 30_000, false);
        }

        public Options withLowercase(boolean value) {
            return new Options(value, minFrequency, maxSize, characterFallback);
        }

        public Options withMinFrequency(int value) {
            return new Options(lowercase, value, maxSize, characterFallback);
        }

        public Options withMaxSize(int value) {
            return new Options(lowercase, minFrequency, value, characterFallback);
        }

        public Options withCharacterFallback(boolean value) {
            return new Options(lowercase, minFrequency, maxSize, value);
        }
    }

    private WordVocabulary() {}

    /** The tokenizer of the words of these texts (whole documents, sentences or single words alike). */
    public static WordPiece build(Iterable<String> texts, Options options) {
        WordPieceConfig config = options.lowercase() ? WordPieceConfig.uncased() : WordPieceConfig.cased();
        BertBasicTokenizer basic = config.basicTokenizer();
        Map<String, Integer> counts = new HashMap<>();
        for (String text : texts) {
            for (String word : basic.tokenize(text)) counts.merge(word, 1, Integer::sum);
        }
        Set<String> vocab = new LinkedHashSet<>(SPECIALS);
        if (options.characterFallback()) {
            Set<Integer> chars = new TreeSet<>();
            for (String w : counts.keySet()) w.codePoints().forEach(chars::add);
            for (int cp : chars) {
                vocab.add(Character.toString(cp));
                vocab.add(config.continuingPrefix() + Character.toString(cp));
            }
        }
        List<Map.Entry<String, Integer>> byFrequency = new ArrayList<>(counts.entrySet());
        byFrequency.sort(Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()));
        for (Map.Entry<String, Integer> e : byFrequency) {
            if (vocab.size() >= options.maxSize() || e.getValue() < options.minFrequency()) break;
            vocab.add(e.getKey());
        }
        if (vocab.size() > options.maxSize()) {
            throw new IllegalArgumentException("WordVocabulary: the " + (vocab.size() - SPECIALS.size())
                    + " characters of the fallback alone exceed max size " + options.maxSize());
        }
        return WordPiece.fromVocab(new ArrayList<>(vocab), config);
    }
}
