package dev.zerolm.serve;

/** A model the server has loaded, under the name clients use in the "model" field. */
public sealed interface ServedModel permits LanguageModel, EncoderModel, ClassifierModel {

    String name();

    /** What the model is, as /v1/models shows it: "causal-lm", "encoder" or "classifier". */
    String kind();

    /** The longest input in tokens. */
    int contextLength();
}
