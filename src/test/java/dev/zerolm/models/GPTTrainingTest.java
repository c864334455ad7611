package dev.zerolm.models;

import dev.zerolm.tensor.IntTensor;
import dev.zerolm.tensor.Rng;
import dev.zerolm.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.IdentityHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** End to end: forward, loss, backward and a plain Adam step can make a tiny GPT memorise a sequence. */
class GPTTrainingTest {

    @Test
    void tinyGptMemorisesARepeatedSequence() {
        int V = 10, T = 16;
        var model = new GPT(GPTConfig.gpt2(V, T, 2, 2, 32), new Rng(1));
        Rng rng = new Rng(2);
        int[] seq = new int[T + 1];
        for (int i = 0; i < seq.length; i++) seq[i] = rng.nextInt(V);
        int[] x = new int[2 * T], y = new int[2 * T];             // the same sequence twice in a batch of 2
        for (int b = 0; b < 2; b++) {
            System.arraycopy(seq, 0, x, b * T, T);
            System.arraycopy(seq, 1, y, b * T, T);
        }
        IntTensor idx = IntTensor.of(x, 2, T), targets = IntTensor.of(y, 2, T);
        var adam = new Adam(3e-3f);

        float first = Float.NaN, loss = Float.NaN;
        for (int step = 0; step < 300 && !(loss < 0.05f); step++) {
            model.zeroGrad();
            Tensor l = model.loss(idx, targets);
            l.backward();
            adam.step(model);
            loss = l.item();
            if (step == 0) first = loss;
        }
        assertThat(first).isGreaterThan(2f);                     // about ln(10) at the start
        assertThat(loss).isLessThan(0.1f);
    }

    @Test
    void fusedAttentionTrainsLikeTheComposedOpsFor20Steps() {
        float[] fused = lossCurve(false), composed = lossCurve(true);
        for (int step = 0; step < 20; step++) {
            assertThat(fused[step]).as("loss at step %d", step).isCloseTo(composed[step], within(1e-4f * composed[step]));
        }
        assertThat(fused[19]).isLessThan(fused[0]);
    }

    /** Losses of 20 Adam steps on a fixed batch from the same initial weights, attention fused or composed. */
    private static float[] lossCurve(boolean composedAttention) {
        int V = 12, T = 24;
        var model = new GPT(GPTConfig.gpt2(V, T, 2, 2, 32), new Rng(5));
        Rng rng = new Rng(6);
        int[] x = new int[3 * T], y = new int[3 * T];
        for (int i = 0; i < x.length; i++) { x[i] = rng.nextInt(V); y[i] = rng.nextInt(V); }
        IntTensor idx = IntTensor.of(x, 3, T), targets = IntTensor.of(y, 3, T);
        var adam = new Adam(1e-2f);
        float[] losses = new float[20];
        try (var scope = composedAttention ? dev.zerolm.nn.Attention.composedOnly() : null) {
            for (int step = 0; step < 20; step++) {
                model.zeroGrad();
                Tensor l = model.loss(idx, targets);
                l.backward();
                adam.step(model);
                losses[step] = l.item();
            }
        }
        return losses;
    }

    /** Adam (Kingma & Ba) with bias correction, written out for the test. */
    private static final class Adam {
        private final float lr, beta1 = 0.9f, beta2 = 0.999f, eps = 1e-8f;
        private final Map<Tensor, float[][]> moments = new IdentityHashMap<>();
        private int t;

        Adam(float lr) {
            this.lr = lr;
        }

        void step(GPT model) {
            t++;
            double c1 = 1 - Math.pow(beta1, t), c2 = 1 - Math.pow(beta2, t);
            for (Tensor p : model.parameters()) {
                float[] w = p.data(), g = p.grad().contiguous().toArray();
                float[][] mv = moments.computeIfAbsent(p, k -> new float[][] {new float[g.length], new float[g.length]});
                for (int i = 0; i < g.length; i++) {
                    mv[0][i] = beta1 * mv[0][i] + (1 - beta1) * g[i];
                    mv[1][i] = beta2 * mv[1][i] + (1 - beta2) * g[i] * g[i];
                    w[p.offset() + i] -= (float) (lr * (mv[0][i] / c1) / (Math.sqrt(mv[1][i] / c2) + eps));
                }
            }
        }
    }
}
