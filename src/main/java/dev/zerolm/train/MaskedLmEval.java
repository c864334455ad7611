package dev.zerolm.train;

import dev.zerolm.autograd.GradMode;
import dev.zerolm.models.Bert;
import dev.zerolm.tensor.IntTensor;
import dev.zerolm.tensor.NNOps;
import dev.zerolm.tensor.Rng;
import dev.zerolm.tensor.Tensor;
import dev.zerolm.tokenize.WordPiece;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Masked-LM loss of a BERT-style encoder on a text: the token stream is cut into windows of at most
 * {@code context} positions ([CLS] tokens [SEP]); a seeded {@value #MASK_FRACTION} of the tokens of every window
 * (at least one) are replaced by [MASK] and predicted. Evaluation always replaces (no 80/10/10 mix), so the number
 * measures prediction from context alone; exp(loss) is the masked-token ("pseudo") perplexity.
 */
public final class MaskedLmEval {

    public static final double MASK_FRACTION = 0.15;

    /** Mean cross-entropy over the masked tokens, its exp, top-1 accuracy, and how it was measured. */
    public record Result(double loss, double perplexity, double accuracy, long maskedTokens, int windows, int context) {}

    private MaskedLmEval() {}

    public static Result evaluate(Bert model, WordPiece tokenizer, String text, int context, int batchSize, long seed) {
        int maxContext = model.config().maxPositionEmbeddings();
        if (context < 3 || context > maxContext) {
            throw new IllegalArgumentException("masked-LM eval: context " + context + " must be in [3, " + maxContext
                    + "] ([CLS], at least one token, [SEP])");
        }
        if (batchSize <= 0) throw new IllegalArgumentException("masked-LM eval: batch size must be positive, got " + batchSize);
        int[] tokens = tokenizer.encode(text);
        if (tokens.length == 0) throw new IllegalArgumentException("masked-LM eval: the text has no tokens");
        int perWindow = context - 2;
        List<int[]> windows = new ArrayList<>();
        for (int start = 0; start < tokens.length; start += perWindow) {
            int[] w = new int[Math.min(perWindow, tokens.length - start) + 2];
            w[0] = tokenizer.clsId();
            System.arraycopy(tokens, start, w, 1, w.length - 2);
            w[w.length - 1] = tokenizer.sepId();
            windows.add(w);
        }
        Rng rng = new Rng(seed);
        double totalLoss = 0;
        long masked = 0, correct = 0;
        boolean wasTraining = model.isTraining();
        model.eval();
        try (var ignored = GradMode.noGrad()) {
            for (int first = 0; first < windows.size(); first += batchSize) {
                List<int[]> batch = windows.subList(first, Math.min(windows.size(), first + batchSize));
                int B = batch.size(), T = batch.get(0).length;
                for (int[] w : batch) T = Math.max(T, w.length);
                int[] ids = new int[B * T], mask = new int[B * T], labels = new int[B * T];
                Arrays.fill(ids, tokenizer.padId());
                Arrays.fill(labels, Bert.IGNORE_INDEX);
                for (int b = 0; b < B; b++) {
                    int[] w = batch.get(b);
                    for (int t = 0; t < w.length; t++) {
                        ids[b * T + t] = w[t];
                        mask[b * T + t] = 1;
                    }
                    maskTokens(w.length, rng, b * T, ids, labels, tokenizer.maskId());
                }
                IntTensor labelTensor = IntTensor.of(labels, B, T);
                Tensor logits = model.mlmLogits(model.forward(IntTensor.of(ids, B, T), null, IntTensor.of(mask, B, T))
                        .lastHiddenState());                                                  // (B, T, V)
                totalLoss += NNOps.crossEntropy(logits, labelTensor, Bert.IGNORE_INDEX, NNOps.Reduction.SUM).item();
                int[] predicted = logits.argmax(-1, false).data();                            // (B, T)
                for (int i = 0; i < labels.length; i++) {
                    if (labels[i] == Bert.IGNORE_INDEX) continue;
                    masked++;
                    if (predicted[i] == labels[i]) correct++;
                }
            }
        } finally {
            if (wasTraining) model.train(true);
        }
        double loss = totalLoss / masked;
        return new Result(loss, Math.exp(loss), (double) correct / masked, masked, windows.size(), context);
    }

    /** Masks a seeded MASK_FRACTION (at least one) of the tokens between [CLS] and [SEP] of one window. */
    private static void maskTokens(int length, Rng rng, int offset, int[] ids, int[] labels, int maskId) {
        int chosen = 0;
        for (int t = 1; t < length - 1; t++) {
            if (rng.nextDouble() < MASK_FRACTION) {
                labels[offset + t] = ids[offset + t];
                ids[offset + t] = maskId;
                chosen++;
            }
        }
        if (chosen == 0) {
            int t = 1 + rng.nextInt(length - 2);
            labels[offset + t] = ids[offset + t];
            ids[offset + t] = maskId;
        }
    }
}
