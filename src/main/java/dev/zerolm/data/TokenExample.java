package dev.zerolm.data;

import java.util.Arrays;

/**
 * One tokenized sentence for token classification, aligned like Hugging Face's word_ids():
 * ids[t] is a token, wordIds[t] the index of the word it came from (-1 for [CLS], [SEP] and separators), and
 * labels[t] the word's label on its first token and {@link #IGNORE} on every other token.
 *
 * @param wordCount words in the sentence before truncation; words past max length have no tokens
 */
public record TokenExample(int[] ids, int[] labels, int[] wordIds, int wordCount) {

    /** The label of tokens that are not scored (PyTorch's ignore_index). */
    public static final int IGNORE = -100;

    public TokenExample {
        if (labels.length != ids.length || wordIds.length != ids.length) {
            throw new IllegalArgumentException("TokenExample: " + ids.length + " ids but " + labels.length + " labels and "
                    + wordIds.length + " word ids");
        }
    }

    public int length() {
        return ids.length;
    }

    /** Words that kept at least their first token (the rest were cut by truncation). */
    public int wordsKept() {
        return Arrays.stream(wordIds).max().orElse(-1) + 1;
    }

    @Override
    public String toString() {
        return "TokenExample[ids=" + Arrays.toString(ids) + ", labels=" + Arrays.toString(labels) + ", wordIds="
                + Arrays.toString(wordIds) + ", wordCount=" + wordCount + "]";
    }
}
