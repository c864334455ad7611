package dev.zerolm.bench;

import dev.zerolm.autograd.GradMode;
import dev.zerolm.models.GPT;
import dev.zerolm.nn.KVCache;
import dev.zerolm.tensor.BufferPool;
import dev.zerolm.tensor.IntTensor;
import dev.zerolm.tensor.Rng;
import dev.zerolm.tensor.Tensor;
import dev.zerolm.train.AdamW;

/** Tokens per second of a GPT: training steps, forward passes and KV-cache generation, on random tokens. */
public final class ModelBench {

    /** nanoGPT's weight decay and a typical learning rate; they do not change the cost of a step. */
    private static final float WEIGHT_DECAY = 0.1f, LEARNING_RATE = 6e-4f;

    private ModelBench() {}

    /** Tokens per second of training, and what the timed steps cost the JVM (allocation, GC). */
    public record TrainRun(Stats tokensPerSecond, StepCost cost) {}

    /**
     * One fp32 training step = zero grads, forward, loss, backward, AdamW step; random (B, T) batches. Lean models
     * run the same step with checkpointed blocks and the AdamW update inside backward.
     */
    public static TrainRun train(BenchModel m, TimingPlan plan) {
        GPT model = new GPT(m.config(), new Rng(1337));
        model.train(true);
        AdamW optimizer = new AdamW(AdamW.defaultGroups(model, WEIGHT_DECAY), LEARNING_RATE);
        if (m.lean()) {
            model.setGradientCheckpointing(true);
            optimizer.stepInBackward();                 // step() below then only counts
        }
        Rng rng = new Rng(7);
        IntTensor[] xy = new IntTensor[2];
        StepCost.Counters[] before = new StepCost.Counters[1];
        double[] seconds = plan.time(() -> {
            xy[0] = randomTokens(rng, m);
            xy[1] = randomTokens(rng, m);
        }, () -> {
            optimizer.releaseGrads();
            try (var pass = BufferPool.trainingPass()) {
                model.loss(xy[0], xy[1]).backward();
            }
            optimizer.step();
        }, () -> before[0] = StepCost.Counters.now());
        // The counters also see the untimed batch preparation: two int arrays per step, negligible next to a step.
        StepCost cost = StepCost.between(before[0], StepCost.Counters.now(), seconds.length);
        return new TrainRun(Stats.ratesOf(m.tokensPerStep(), seconds), cost);
    }

    /** Forward pass to logits (B, T, V) without recording a graph. */
    public static Stats forward(BenchModel m, TimingPlan plan) {
        GPT model = new GPT(m.config(), new Rng(1337));
        model.eval();
        Rng rng = new Rng(7);
        IntTensor[] x = new IntTensor[1];
        double[] seconds;
        try (var noGrad = GradMode.noGrad()) {
            seconds = plan.time(() -> x[0] = randomTokens(rng, m), () -> model.forward(x[0]));
        }
        return Stats.ratesOf(m.tokensPerStep(), seconds);
    }

    /**
     * Greedy generation of newTokens tokens for one sequence with the KV cache: a 1-token prompt, then each
     * step feeds the token just chosen at the next position. One timed step is a whole generation.
     */
    public static Stats generate(BenchModel m, int newTokens, TimingPlan plan) {
        if (newTokens > m.blockSize()) {
            throw new IllegalArgumentException("bench generate: " + newTokens + " new tokens do not fit model " + m.id()
                    + "'s block size " + m.blockSize());
        }
        GPT model = new GPT(m.config(), new Rng(1337));
        model.eval();
        double[] seconds;
        try (var noGrad = GradMode.noGrad()) {
            seconds = plan.time(() -> { }, () -> {
                KVCache cache = model.newKVCache(1);
                int token = 0;
                for (int pos = 0; pos < newTokens; pos++) {
                    Tensor logits = model.forward(IntTensor.of(new int[] {token}, 1, 1), cache, pos);   // (1, 1, V)
                    token = argmax(logits.contiguous().toArray());
                }
            });
        }
        return Stats.ratesOf(newTokens, seconds);
    }

    private static IntTensor randomTokens(Rng rng, BenchModel m) {
        int[] ids = new int[m.tokensPerStep()];
        for (int i = 0; i < ids.length; i++) ids[i] = rng.nextInt(m.config().vocabSize());
        return IntTensor.of(ids, m.batch(), m.blockSize());
    }

    private static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
        return best;
    }
}
