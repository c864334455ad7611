package dev.zerolm.generate;

import dev.zerolm.autograd.GradMode;
import dev.zerolm.models.CausalLM;
import dev.zerolm.nn.KVCache;
import dev.zerolm.tensor.IntTensor;
import dev.zerolm.tensor.Tensor;
import dev.zerolm.tokenize.Tokenizer;

import java.util.Arrays;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * Autoregressive text generation from a causal language model (a GPT, a Llama, ...). With the KV cache each new
 * token costs one position's work; without it every step re-runs the whole context (kept as the reference the
 * cache is tested against).
 * <p>When the context fills the model's block size, generation keeps the last half of it and continues
 * (the cache is rebuilt from that half), so any number of tokens can be produced.
 */
public final class Generator {

    private final CausalLM model;
    private final Tokenizer tokenizer;

    public Generator(CausalLM model, Tokenizer tokenizer) {
        this.model = model;
        this.tokenizer = tokenizer;
    }

    /** Generates ids after the prompt ids; onToken sees each new id as it is chosen. Returns only the new ids. */
    public int[] generateIds(int[] prompt, SamplingConfig cfg, boolean useCache, IntConsumer onToken) {
        int blockSize = model.blockSize();
        if (prompt.length == 0) throw new IllegalArgumentException("generate: the prompt is empty; give at least one token");
        if (prompt.length > blockSize) {
            throw new IllegalArgumentException("generate: the prompt is " + prompt.length + " tokens but the model's context is "
                    + blockSize + " tokens; shorten it");
        }
        Sampler sampler = new Sampler(cfg);
        int[] tokens = Arrays.copyOf(prompt, prompt.length + cfg.maxNewTokens());
        int len = prompt.length;
        int windowStart = 0;   // the model sees tokens[windowStart, len)
        int cached = 0;        // how many of those already sit in the cache
        KVCache cache = useCache ? model.newKVCache(1) : null;
        boolean wasTraining = model.isTraining();
        model.eval();
        try (var ignored = GradMode.noGrad()) {
            for (int i = 0; i < cfg.maxNewTokens(); i++) {
                if (len - windowStart > blockSize) { // the context is full: keep its last half
                    windowStart = len - blockSize / 2;
                    cached = 0;
                    if (useCache) cache = model.newKVCache(1);
                }
                Tensor logits;
                if (useCache) {
                    int from = windowStart + cached;
                    int[] fresh = Arrays.copyOfRange(tokens, from, len);
                    logits = model.forward(IntTensor.of(fresh, 1, fresh.length), cache, cached);   // (1, n, V)
                    cached = len - windowStart;
                } else {
                    int[] ctx = Arrays.copyOfRange(tokens, windowStart, len);
                    logits = model.forward(IntTensor.of(ctx, 1, ctx.length));                      // (1, T, V)
                }
                int next = sampler.next(lastRow(logits));
                tokens[len++] = next;
                if (onToken != null) onToken.accept(next);
            }
        } finally {
            model.train(wasTraining);
        }
        return Arrays.copyOfRange(tokens, prompt.length, len);
    }

    /**
     * Generates text after the prompt, streaming decoded text to onText as it becomes printable, and stopping
     * early at any of the config's stop strings (which are not included). Returns the generated text.
     */
    public String generate(String prompt, SamplingConfig cfg, Consumer<String> onText) {
        return generate(tokenizer.encode(prompt), cfg, onText);
    }

    /** As {@link #generate(String, SamplingConfig, Consumer)} from prompt ids, e.g. ones that start with a BOS token. */
    public String generate(int[] promptIds, SamplingConfig cfg, Consumer<String> onText) {
        StringBuilder emitted = new StringBuilder();
        int[][] generated = {new int[0]};
        class Stop extends RuntimeException {
            Stop() {
                super(null, null, false, false);
            }
        }
        try {
            generateIds(promptIds, cfg, true, id -> {
                int[] g = Arrays.copyOf(generated[0], generated[0].length + 1);
                g[g.length - 1] = id;
                generated[0] = g;
                String text = tokenizer.decode(g);
                if (text.endsWith("\uFFFD")) return; // half of a multi-byte character: wait for the rest
                int stopAt = firstStop(text, cfg);
                // Hold back a tail that may be the start of a stop string until it is decided.
                String upTo = stopAt >= 0 ? text.substring(0, stopAt) : text.substring(0, text.length() - pendingStop(text, cfg));
                if (upTo.length() > emitted.length()) {
                    String fresh = upTo.substring(emitted.length());
                    emitted.append(fresh);
                    if (onText != null) onText.accept(fresh);
                }
                if (stopAt >= 0) throw new Stop();
            });
            // No stop string came: flush the tail that was held back in case one would.
            String text = tokenizer.decode(generated[0]);
            if (text.length() > emitted.length()) {
                String rest = text.substring(emitted.length());
                emitted.append(rest);
                if (onText != null) onText.accept(rest);
            }
        } catch (Stop stop) {
            // a stop string ended generation early
        }
        return emitted.toString();
    }

    /** Length of the longest suffix of text that is a proper prefix of some stop string. */
    private static int pendingStop(String text, SamplingConfig cfg) {
        int longest = 0;
        for (String s : cfg.stop()) {
            for (int k = Math.min(s.length() - 1, text.length()); k > longest; k--) {
                if (text.endsWith(s.substring(0, k))) {
                    longest = k;
                    break;
                }
            }
        }
        return longest;
    }

    private static int firstStop(String text, SamplingConfig cfg) {
        int best = -1;
        for (String s : cfg.stop()) {
            int at = s.isEmpty() ? -1 : text.indexOf(s);
            if (at >= 0 && (best < 0 || at < best)) best = at;
        }
        return best;
    }

    /** The logits of the last position of a (1, T, V) tensor. */
    private static float[] lastRow(Tensor logits) {
        int T = logits.size(1);
        return logits.select(0, 0).select(0, T - 1).contiguous().toArray();
    }
}
