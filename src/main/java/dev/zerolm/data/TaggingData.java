package dev.zerolm.data;

import java.util.ArrayList;
import java.util.List;

/**
 * A token classification task: training and validation sentences and the label vocabulary, built from the
 * training sentences only, with {@value LabelVocab#UNKNOWN} for tags seen only in validation.
 */
public record TaggingData(List<TaggedSentence> train, List<TaggedSentence> valid, LabelVocab labels) {

    public TaggingData {
        train = List.copyOf(train);
        valid = List.copyOf(valid);
    }

    /** The data with a label vocabulary built from the training tags. */
    public static TaggingData of(List<TaggedSentence> train, List<TaggedSentence> valid) {
        List<String> tags = new ArrayList<>();
        for (TaggedSentence s : train) tags.addAll(s.tags());
        return new TaggingData(train, valid, LabelVocab.withUnknown(tags));
    }

    /** Number of words in the sentences. */
    public static int wordCount(List<TaggedSentence> sentences) {
        return sentences.stream().mapToInt(TaggedSentence::size).sum();
    }
}
