package dev.zerolm.serve;

import dev.zerolm.autograd.GradMode;
import dev.zerolm.finetune.FineTunedModel;
import dev.zerolm.finetune.TaskEncoder;
import dev.zerolm.tensor.IntTensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A sequence classifier written by {@code zerolm finetune} (a {@link FineTunedModel} directory with task
 * "sequence", over a GPT or BERT backbone, full, frozen, LoRA or adapters), scored as {@code zerolm predict} does.
 */
public final class FineTunedClassifier implements TextClassifier {

    private final FineTunedModel model;
    private final TaskEncoder encoder;
    private final List<String> labels;

    private FineTunedClassifier(FineTunedModel model) {
        this.model = model;
        this.encoder = new TaskEncoder(model.tokenizer(), model.spec().maxLength());
        List<String> names = new ArrayList<>();
        for (int i = 0; i < model.model().numLabels(); i++) names.add(model.labels().name(i));
        this.labels = List.copyOf(names);
    }

    /** Whether dir is a fine-tuned model directory (it has {@value FineTunedModel#SPEC_FILE}). */
    public static boolean isFineTunedDir(Path dir) {
        return Files.isRegularFile(dir.resolve(FineTunedModel.SPEC_FILE));
    }

    public static FineTunedClassifier load(Path dir) throws IOException {
        FineTunedModel m = FineTunedModel.load(dir);
        if (!m.spec().task().equals("sequence")) {
            throw new IOException(dir + ": a " + m.spec().task() + " model labels tokens, not texts; /v1/classify serves sequence classifiers");
        }
        return new FineTunedClassifier(m);
    }

    @Override
    public List<String> labels() {
        return labels;
    }

    @Override
    public int contextLength() {
        return model.spec().maxLength();
    }

    @Override
    public float[] scores(String text) {
        int[] ids = encoder.text(text);     // cut to the model's maxLength, as in training
        try (var ignored = GradMode.noGrad()) {
            return model.model().logits(IntTensor.of(ids, 1, ids.length), null).softmax(-1).contiguous().toArray();  // (1, L)
        }
    }
}
