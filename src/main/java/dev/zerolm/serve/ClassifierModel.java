package dev.zerolm.serve;

/** A text classifier served at /v1/classify. */
public record ClassifierModel(String name, TextClassifier classifier) implements ServedModel {

    @Override
    public String kind() {
        return "classifier";
    }

    @Override
    public int contextLength() {
        return classifier.contextLength();
    }
}
