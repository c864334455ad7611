package dev.zerolm.data;

import java.util.List;

/** A text classification task: training and validation examples and the closed label vocabulary of the training split. */
public record ClassificationData(List<TextExample> train, List<TextExample> valid, LabelVocab labels) {

    public ClassificationData {
        train = List.copyOf(train);
        valid = List.copyOf(valid);
    }

    /**
     * The data with labels from the training examples. A validation label never seen in training is an error
     * naming the example's source (e.g. "valid.jsonl:17").
     */
    public static ClassificationData of(List<TextExample> train, List<TextExample> valid) {
        LabelVocab labels = LabelVocab.closed(train.stream().map(TextExample::label).toList());
        for (TextExample e : valid) {
            if (!labels.contains(e.label())) {
                throw new IllegalArgumentException(e.source() + ": label '" + e.label()
                        + "' does not occur in the training data; known labels: " + labels.names());
            }
        }
        return new ClassificationData(train, valid, labels);
    }
}
