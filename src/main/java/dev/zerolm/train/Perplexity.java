package dev.zerolm.train;

import dev.zerolm.autograd.GradMode;
import dev.zerolm.models.CausalLM;
import dev.zerolm.tensor.IntTensor;
import dev.zerolm.tensor.Tensor;

/**
 * Loss and perplexity of a causal language model over a long stream of tokens. The stream is cut into
 * consecutive windows of at most {@code context} inputs, window w predicting tokens (w·context, (w+1)·context]
 * from the ones before it in the window, so every token but the first is predicted exactly once. Windows of
 * full length run {@code batchSize} at a time; a shorter last window runs on its own.
 */
public final class Perplexity {

    /** Mean cross-entropy (nats per token) over the predicted tokens, its exp, and how it was measured. */
    public record Result(double loss, double perplexity, long predictedTokens, int windows, int context) {}

    private Perplexity() {}

    public static Result evaluate(CausalLM model, int[] tokens, int context, int batchSize) {
        if (context <= 0 || context > model.blockSize()) {
            throw new IllegalArgumentException("perplexity: context " + context + " must be in [1, " + model.blockSize()
                    + "], the model's context");
        }
        if (batchSize <= 0) throw new IllegalArgumentException("perplexity: batch size must be positive, got " + batchSize);
        if (tokens.length < 2) {
            throw new IllegalArgumentException("perplexity: needs at least 2 tokens to predict one, got " + tokens.length);
        }
        int predictable = tokens.length - 1;
        int fullWindows = predictable / context, rest = predictable % context;
        double totalLoss = 0;
        boolean wasTraining = model.isTraining();
        model.eval();
        try (var ignored = GradMode.noGrad()) {
            for (int w = 0; w < fullWindows; w += batchSize) {
                int B = Math.min(batchSize, fullWindows - w);
                totalLoss += windowsLoss(model, tokens, w * context, B, context);
            }
            if (rest > 0) totalLoss += windowsLoss(model, tokens, fullWindows * context, 1, rest);
        } finally {
            model.train(wasTraining);
        }
        double loss = totalLoss / predictable;
        return new Result(loss, Math.exp(loss), predictable, fullWindows + (rest > 0 ? 1 : 0), context);
    }

    /** Summed loss of B consecutive windows of T inputs starting at token start. */
    private static double windowsLoss(CausalLM model, int[] tokens, int start, int B, int T) {
        int[] x = new int[B * T], y = new int[B * T];
        for (int b = 0; b < B; b++) {
            System.arraycopy(tokens, start + b * T, x, b * T, T);
            System.arraycopy(tokens, start + b * T + 1, y, b * T, T);
        }
        Tensor meanLoss = model.loss(IntTensor.of(x, B, T), IntTensor.of(y, B, T));   // mean over B·T targets
        return (double) meanLoss.item() * B * T;
    }
}
