package dev.zerolm.tokenize;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A WordPiece vocabulary for training an encoder from zero on pre-split words: the five special tokens, the most
 * frequent words whole, the most frequent word endings as continuing pieces ({@code ##ing}, {@code ##ly}), and
 * every character alone and as a continuing piece. A word outside the vocabulary then falls apart into its first
 * characters and a known ending, so the model still sees its suffix (what part of speech often hangs on) instead
 * of a bare [UNK].
 */
public final class WordPieceVocabBuilder {

    private WordPieceVocabBuilder() {}

    /**
     * @param words       the training words, as the basic tokenizer of config would cut them
     * @param maxWords    whole words to keep, most frequent first
     * @param minCount    a word must occur this often to be kept whole
     * @param maxSuffixes endings (2 to 4 characters) to keep as continuing pieces, most frequent first
     */
    public static WordPiece build(Iterable<String> words, WordPieceConfig config, int maxWords, int minCount, int maxSuffixes) {
        Map<String, Integer> wordCounts = new HashMap<>(), suffixCounts = new HashMap<>();
        Set<String> chars = new java.util.TreeSet<>();
        BertBasicTokenizer basic = new BertBasicTokenizer(config.lowercase(), config.stripAccents(), config.handleChineseChars());
        for (String raw : words) {
            for (String w : basic.tokenize(raw)) {
                wordCounts.merge(w, 1, Integer::sum);
                w.codePoints().forEach(cp -> chars.add(Character.toString(cp)));
                int n = w.codePointCount(0, w.length());
                for (int k = 2; k <= 4 && k < n; k++) suffixCounts.merge(w.substring(w.offsetByCodePoints(0, n - k)), 1, Integer::sum);
            }
        }
        Set<String> vocab = new LinkedHashSet<>(List.of(config.padToken(), config.unkToken(), config.clsToken(), config.sepToken(), config.maskToken()));
        for (String c : chars) vocab.add(c);
        for (String c : chars) vocab.add(config.continuingPrefix() + c);
        for (String s : mostFrequent(suffixCounts, maxSuffixes, 1)) vocab.add(config.continuingPrefix() + s);
        for (String w : mostFrequent(wordCounts, maxWords, minCount)) vocab.add(w);
        return WordPiece.fromVocab(new ArrayList<>(vocab), config);
    }

    private static List<String> mostFrequent(Map<String, Integer> counts, int limit, int minCount) {
        return counts.entrySet().stream()
                .filter(e -> e.getValue() >= minCount)
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .limit(limit).map(Map.Entry::getKey).toList();
    }
}
