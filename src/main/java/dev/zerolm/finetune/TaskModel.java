package dev.zerolm.finetune;

import dev.zerolm.autograd.GradMode;
import dev.zerolm.nn.Dropout;
import dev.zerolm.nn.Linear;
import dev.zerolm.nn.Module;
import dev.zerolm.tensor.IntTensor;
import dev.zerolm.tensor.NNOps;
import dev.zerolm.tensor.Rng;
import dev.zerolm.tensor.Tensor;

/**
 * A backbone with a small classification head on top: the unit that fine-tuning trains, saves and reloads.
 * Its children are {@code backbone} (the pretrained network) and {@code classifier} (the head's linear layer),
 * as Hugging Face's *ForSequenceClassification / *ForTokenClassification name theirs.
 */
public abstract sealed class TaskModel extends Module permits SequenceClassifier, TokenClassifier {

    /** Labels equal to this count for nothing (padding, and word pieces after a word's first). */
    public static final int IGNORE_INDEX = -100;

    private final Backbone backbone;
    private final Dropout dropout;
    private final Linear classifierDown;   // null for a full-rank head
    private final Linear classifier;

    /**
     * A head that reads featureWidth features per position (the backbone's hidden size, or a multiple of it). With
     * headRank > 0 its (L, F) weight is factored as classifier (L, r) times classifier_down (r, F), which trains
     * r·(F + L) weights instead of F·L: over Brown's 189 tags, the difference is what parameter-efficient methods
     * spend on the backbone instead.
     */
    protected TaskModel(Backbone backbone, int featureWidth, int headRank, int numLabels, float dropout, Rng rng) {
        if (numLabels < 2) throw new IllegalArgumentException("task model: needs at least 2 labels, got " + numLabels);
        if (headRank < 0 || headRank >= Math.min(featureWidth, numLabels)) {
            throw new IllegalArgumentException("task model: head rank must be 0 (full) or between 1 and "
                    + (Math.min(featureWidth, numLabels) - 1) + " (below the head's " + featureWidth + " inputs and "
                    + numLabels + " labels), got " + headRank);
        }
        this.backbone = backbone;
        registerModule("backbone", backbone.module());
        this.dropout = registerModule("dropout", new Dropout(dropout, rng));
        this.classifierDown = headRank > 0 ? registerModule("classifier_down", new Linear(featureWidth, headRank, false, rng)) : null;
        this.classifier = registerModule("classifier", new Linear(headRank > 0 ? headRank : featureWidth, numLabels, true, rng));
        // Small head init (Hugging Face uses N(0, 0.02)): the first losses are near log(numLabels).
        classifier.weight().copyFrom(Tensor.randn(rng, 0f, 0.02f, classifier.weight().shape()));
        classifier.bias().fill(0f);
    }

    /** Label scores: (B, L) for a sequence classifier, (B, T, L) for a token classifier. */
    public abstract Tensor logits(IntTensor ids, IntTensor attentionMask);

    /** Label scores of a collated batch (a token classifier may read its word starts). */
    public Tensor logits(Finetuner.Batch batch) {
        return logits(batch.ids(), batch.attentionMask());
    }

    /** "sequence" or "token", as written in a fine-tuned model's config. */
    public abstract String taskKind();

    /** Mean cross-entropy of logits against labels of the same leading shape, skipping {@link #IGNORE_INDEX}. */
    public Tensor loss(Tensor logits, IntTensor labels) {
        return NNOps.crossEntropy(logits, labels, IGNORE_INDEX, NNOps.Reduction.MEAN);
    }

    /** (..., F) -> (..., L), through (..., r) when the head is factored. */
    protected Tensor head(Tensor features) {
        Tensor x = dropout.forward(features);
        return classifier.forward(classifierDown != null ? classifierDown.forward(x) : x);
    }

    public Backbone backbone() {
        return backbone;
    }

    public Linear classifier() {
        return classifier;
    }

    /** The head's weight as one (L, F) matrix: classifier's own, or the product of its two factors (L, r)·(r, F). */
    public Tensor classifierWeight() {
        if (classifierDown == null) return classifier.weight();
        try (var ignored = GradMode.noGrad()) {
            return classifier.weight().matmul(classifierDown.weight());
        }
    }

    /** r of a factored head, 0 for a full one. */
    public int headRank() {
        return classifierDown == null ? 0 : classifierDown.outFeatures();
    }

    public int numLabels() {
        return classifier.outFeatures();
    }
}
