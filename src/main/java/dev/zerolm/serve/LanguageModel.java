package dev.zerolm.serve;

import dev.zerolm.autograd.GradMode;
import dev.zerolm.models.CausalLM;
import dev.zerolm.nn.KVCache;
import dev.zerolm.tensor.IntTensor;
import dev.zerolm.tensor.Tensor;
import dev.zerolm.tokenize.Tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * A causal language model served at /v1/completions, /v1/chat/completions and /v1/embeddings (mean-pooled final
 * hidden states). Every call builds its own KV cache, so any number of threads may generate at once; the weights
 * are only read.
 *
 * @param encoder prompt text to ids (Hugging Face models put their BOS token first)
 * @param endIds  ids that end a choice like a stop string does (e.g. &lt;|endoftext|&gt;)
 */
public record LanguageModel(String name, CausalLM model, Tokenizer tokenizer, Function<String, int[]> encoder,
                            ChatTemplate chatTemplate, Set<Integer> endIds) implements ServedModel {

    @Override
    public String kind() {
        return "causal-lm";
    }

    @Override
    public int contextLength() {
        return model.blockSize();
    }

    public int[] encode(String text) {
        return encoder.apply(text);
    }

    /** What to generate: n choices of at most maxTokens each after the same prompt. */
    public record Params(int[] promptIds, int n, int maxTokens, float temperature, float topP, List<String> stop, long seed) {}

    /** One finished choice; finishReason is "stop" (a stop string or an end token) or "length". */
    public record Choice(String text, String finishReason, int tokens) {}

    /** Sees each choice's text as it becomes final; text is empty for a token whose text is still held back. */
    public interface TokenListener {
        void onToken(int choice, String text);
    }

    /**
     * Generates all n choices together as one batch of n rows (one forward pass per step for all of them). Checks
     * cancelled before every step and throws CancellationException when it says so (client gone, or timed out).
     * The caller ensures promptIds.length + maxTokens - 1 fits the context.
     */
    public List<Choice> generate(Params p, TokenListener listener, BooleanSupplier cancelled) {
        int n = p.n(), P = p.promptIds().length;
        requireFits(p);
        ChoiceRun[] runs = new ChoiceRun[n];
        for (int b = 0; b < n; b++) runs[b] = new ChoiceRun(this, p, b);
        int[] rows = new int[n * P];
        for (int b = 0; b < n; b++) System.arraycopy(p.promptIds(), 0, rows, b * P, P);
        int[] next = new int[n];
        try (var ignored = GradMode.noGrad()) {
            KVCache cache = model.newKVCache(n);
            if (cancelled.getAsBoolean()) throw new CancellationException("cancelled before the prompt was read");
            Tensor logits = model.forward(IntTensor.of(rows, n, P), cache, 0);            // (n, P, V)
            int pos = P;
            for (int step = 0; ; step++) {
                int active = 0;
                for (int b = 0; b < n; b++) {
                    if (runs[b].ended()) continue;
                    next[b] = runs[b].step(lastRow(logits, b), listener);
                    if (!runs[b].ended()) active++;
                }
                if (active == 0) break;
                if (cancelled.getAsBoolean()) throw new CancellationException("cancelled after " + (step + 1) + " tokens");
                logits = model.forward(IntTensor.of(next.clone(), n, 1), cache, pos++);      // (n, 1, V)
            }
        }
        List<Choice> out = new ArrayList<>(n);
        for (ChoiceRun run : runs) out.add(run.result());
        return out;
    }

    /** Rejects a request whose prompt and new tokens would not fit the context. */
    void requireFits(Params p) {
        int P = p.promptIds().length;
        if (P + p.maxTokens() - 1 > model.blockSize()) {
            throw new IllegalArgumentException("generate: " + P + " prompt tokens + " + p.maxTokens()
                    + " new tokens exceed the context of " + model.blockSize());
        }
    }

    /** The mean over positions of the final hidden states (C) of one tokenized text. */
    public float[] embed(int[] ids) {
        try (var ignored = GradMode.noGrad()) {
            Tensor h = model.hiddenStates(IntTensor.of(ids, 1, ids.length));   // (1, T, C)
            return h.mean(1, false).contiguous().toArray();                           // (1, C)
        }
    }

    /** Row b's logits at the last position of (n, T, V). */
    static float[] lastRow(Tensor logits, int b) {
        int T = logits.size(1);
        return logits.select(0, b).select(0, T - 1).contiguous().toArray();
    }
}
