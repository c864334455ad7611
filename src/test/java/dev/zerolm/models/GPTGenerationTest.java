package dev.zerolm.models;

import dev.zerolm.autograd.GradMode;
import dev.zerolm.nn.KVCache;
import dev.zerolm.nn.PositionalEncoding;
import dev.zerolm.tensor.IntTensor;
import dev.zerolm.tensor.Rng;
import dev.zerolm.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Generation with a KV cache must give what recomputing the whole sequence gives. */
class GPTGenerationTest {

    private static final int VOCAB = 23;

    /** A random model with weights large enough that its predictions are confident (no near-ties to flip). */
    private static GPT randomModel(GPTConfig config, long seed) {
        var model = new GPT(config, new Rng(seed));
        Rng rng = new Rng(seed + 100);
        for (Tensor p : model.parameters()) p.copyFrom(Tensor.randn(rng, 0f, 0.3f, p.shape()));
        model.eval();
        return model;
    }

    private static List<GPTConfig> configs() {
        GPTConfig base = GPTConfig.gpt2(VOCAB, 24, 2, 2, 16);
        return List.of(base, base.withPositional(PositionalEncoding.SINUSOIDAL),
                base.withPositional(PositionalEncoding.ROTARY), base.llamaStyle());
    }

    @Test
    void cachedForwardStepsGiveTheLogitsOfTheFullForward() {
        for (GPTConfig config : configs()) {
            GPT model = randomModel(config, 1);
            int B = 2, T = 12;
            int[] ids = new int[B * T];
            Rng rng = new Rng(2);
            for (int i = 0; i < ids.length; i++) ids[i] = rng.nextInt(VOCAB);
            try (var ignored = GradMode.noGrad()) {
                Tensor full = model.forward(IntTensor.of(ids, B, T));                  // (B, T, V)
                KVCache cache = model.newKVCache(B);
                Tensor prompt = model.forward(columns(ids, B, T, 0, 5), cache, 0);    // a 5-token prompt at once
                assertClose(config, prompt, full.narrow(1, 0, 5));
                for (int t = 5; t < T; t++) {                                         // then one token per step
                    Tensor step = model.forward(columns(ids, B, T, t, t + 1), cache, t);
                    assertClose(config, step, full.narrow(1, t, 1));
                }
                assertThat(cache.length()).isEqualTo(T);
            }
        }
    }

    @Test
    void decodeStepOverSequencesOfDifferentLengthsEqualsStepsTakenAlone() {
        for (GPTConfig config : configs()) {
            GPT model = randomModel(config, 4);
            int[] promptLengths = {1, 5, 3};
            int R = promptLengths.length, steps = 4;
            Rng rng = new Rng(5);
            try (var ignored = GradMode.noGrad()) {
                KVCache[] together = new KVCache[R], alone = new KVCache[R];
                int[] positions = new int[R], tokens = new int[R];
                for (int r = 0; r < R; r++) {
                    int[] prompt = new int[promptLengths[r]];
                    for (int i = 0; i < prompt.length; i++) prompt[i] = rng.nextInt(VOCAB);
                    alone[r] = model.newKVCache(1);
                    model.forward(IntTensor.of(prompt, 1, prompt.length), alone[r], 0);
                    together[r] = alone[r].copy();                                    // the same prompt, cached once
                    positions[r] = prompt.length;
                }
                for (int s = 0; s < steps; s++) {
                    for (int r = 0; r < R; r++) tokens[r] = rng.nextInt(VOCAB);
                    Tensor batched = model.decodeStep(tokens, together, positions);       // (R, V)
                    for (int r = 0; r < R; r++) {
                        Tensor single = model.forward(IntTensor.of(new int[] {tokens[r]}, 1, 1), alone[r], positions[r]);
                        assertClose(config, batched.narrow(0, r, 1), single.view(1, VOCAB));
                        positions[r]++;
                    }
                }
                for (int r = 0; r < R; r++) assertThat(together[r].length()).isEqualTo(promptLengths[r] + steps);
            }
        }
    }

    @Test
    void decodeStepRejectsMismatchedRowsAndPositionsPastTheContext() {
        GPT model = randomModel(configs().get(0), 6);
        try (var ignored = GradMode.noGrad()) {
            KVCache[] caches = {model.newKVCache(1)};
            assertThatThrownBy(() -> model.decodeStep(new int[] {1, 2}, caches, new int[] {0}))
                    .hasMessageContaining("2 tokens, 1 caches and 1 positions");
            assertThatThrownBy(() -> model.decodeStep(new int[] {1}, caches, new int[] {24}))
                    .hasMessageContaining("position 24, outside the model's context of 24");
        }
    }

    @Test
    void greedyDecodingWithTheCacheEqualsDecodingWithout() {
        for (GPTConfig config : configs()) {
            GPT model = randomModel(config, 3);
            int[] prompt = {4, 8, 15};
            try (var ignored = GradMode.noGrad()) {
                assertThat(greedyWithCache(model, prompt, 16)).as(config.toString())
                        .isEqualTo(greedyWithoutCache(model, prompt, 16));
            }
        }
    }

    @Test
    void rewindingTheCacheOverwritesLaterTokens() {
        GPT model = randomModel(GPTConfig.gpt2(VOCAB, 16, 1, 2, 8), 4);
        try (var ignored = GradMode.noGrad()) {
            KVCache cache = model.newKVCache(1);
            model.forward(IntTensor.of(new int[] {1, 2, 3, 4}, 1, 4), cache, 0);
            Tensor rewound = model.forward(IntTensor.of(new int[] {9}, 1, 1), cache, 2);   // replaces tokens 3, 4
            Tensor fresh = model.forward(IntTensor.of(new int[] {1, 2, 9}, 1, 3)).narrow(1, 2, 1);
            assertClose(model.config(), rewound, fresh);
            assertThat(cache.length()).isEqualTo(3);
        }
    }

    private static List<Integer> greedyWithoutCache(GPT model, int[] prompt, int steps) {
        List<Integer> seq = new ArrayList<>();
        for (int p : prompt) seq.add(p);
        for (int s = 0; s < steps; s++) {
            int[] ids = seq.stream().mapToInt(Integer::intValue).toArray();
            Tensor logits = model.forward(IntTensor.of(ids, 1, ids.length));
            seq.add(argmaxLast(logits));
        }
        return seq;
    }

    private static List<Integer> greedyWithCache(GPT model, int[] prompt, int steps) {
        List<Integer> seq = new ArrayList<>();
        for (int p : prompt) seq.add(p);
        KVCache cache = model.newKVCache(1);
        Tensor logits = model.forward(IntTensor.of(prompt, 1, prompt.length), cache, 0);
        for (int s = 0; s < steps; s++) {
            int next = argmaxLast(logits);
            seq.add(next);
            if (s + 1 < steps) logits = model.forward(IntTensor.of(new int[] {next}, 1, 1), cache, seq.size() - 1);
        }
        return seq;
    }

    private static int argmaxLast(Tensor logits) {
        Tensor last = logits.select(1, logits.size(1) - 1).select(0, 0);           // (V)
        return last.argmax(0, false).get(0);
    }

    /** ids (B, T) columns [from, to) as a (B, to - from) batch. */
    private static IntTensor columns(int[] ids, int B, int T, int from, int to) {
        int n = to - from;
        int[] out = new int[B * n];
        for (int b = 0; b < B; b++) System.arraycopy(ids, b * T + from, out, b * n, n);
        return IntTensor.of(out, B, n);
    }

    private static void assertClose(GPTConfig config, Tensor actual, Tensor expected) {
        float[] a = actual.toArray(), e = expected.toArray();
        assertThat(a.length).isEqualTo(e.length);
        double max = 0, worst = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(e[i]));
            worst = Math.max(worst, Math.abs(a[i] - e[i]));
        }
        assertThat(worst).as(config.positional() + " " + config.norm()).isLessThanOrEqualTo(1e-5 * max + 1e-6);
    }
}
