package dev.zerolm.generate;

import dev.zerolm.tensor.Rng;

import java.util.Arrays;

/** Turns one position's logits into a token id: greedy, or temperature + top-k + top-p (nucleus) sampling. */
public final class Sampler {

    private final SamplingConfig config;
    private final Rng rng;

    public Sampler(SamplingConfig config) {
        this.config = config;
        this.rng = new Rng(config.seed());
    }

    public int next(float[] logits) {
        if (config.isGreedy()) return argmax(logits);
        int V = logits.length;
        double[] p = new double[V];
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) max = Math.max(max, l / config.temperature());
        double sum = 0;
        for (int i = 0; i < V; i++) {
            p[i] = Math.exp(logits[i] / config.temperature() - max);
            sum += p[i];
        }
        for (int i = 0; i < V; i++) p[i] /= sum;
        Integer[] order = null;
        if (config.topK() > 0 && config.topK() < V) {
            order = sortedByProbability(p);
            for (int r = config.topK(); r < V; r++) p[order[r]] = 0;
        }
        if (config.topP() < 1f) {
            if (order == null) order = sortedByProbability(p);
            // keep the smallest prefix of most likely tokens whose mass reaches topP (always at least one)
            double total = 0, mass = 0;
            for (double v : p) total += v;
            int r = 0;
            for (; r < V && mass < config.topP() * total; r++) mass += p[order[r]];
            for (; r < V; r++) p[order[r]] = 0;
        }
        double total = 0;
        for (double v : p) total += v;
        double u = rng.nextDouble() * total;
        double acc = 0;
        int last = 0;
        for (int i = 0; i < V; i++) {
            if (p[i] == 0) continue;
            acc += p[i];
            last = i;
            if (u < acc) return i;
        }
        return last;
    }

    private static Integer[] sortedByProbability(double[] p) {
        Integer[] idx = new Integer[p.length];
        for (int i = 0; i < idx.length; i++) idx[i] = i;
        Arrays.sort(idx, (a, b) -> Double.compare(p[b], p[a]));
        return idx;
    }

    /** Index of the largest logit (the first one on ties). */
    public static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
        return best;
    }
}
