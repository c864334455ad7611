package dev.zerolm.serve;

import java.util.List;

/** A fine-tuned sequence classifier, as /v1/classify needs it: a fixed set of labels and a probability for each. */
public interface TextClassifier {

    /** The labels, in the order of {@link #scores}. */
    List<String> labels();

    /** One probability per label (they sum to 1); safe to call from several threads at once. */
    float[] scores(String text);

    /** The longest input in tokens (longer texts are cut, as Hugging Face pipelines do with truncation). */
    int contextLength();
}
