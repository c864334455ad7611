package dev.zerolm.data;

import java.util.List;

/**
 * One sentence of a tagging dataset: its words and one label per word, e.g. (["The", "jury"], ["at", "nn"]).
 *
 * @param source where the sentence came from ("ca01", "train.conll:12"), for error messages and split checks
 */
public record TaggedSentence(List<String> words, List<String> tags, String source) {

    public TaggedSentence {
        words = List.copyOf(words);
        tags = List.copyOf(tags);
        if (words.size() != tags.size()) {
            throw new IllegalArgumentException("TaggedSentence " + source + ": " + words.size() + " words but "
                    + tags.size() + " tags");
        }
    }

    public int size() {
        return words.size();
    }
}
