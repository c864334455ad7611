package dev.zerolm.autograd;

import dev.zerolm.tensor.BufferPool;
import dev.zerolm.tensor.NNOps;
import dev.zerolm.tensor.Rng;
import dev.zerolm.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Backward passes that recycle gradient arrays (the default) give exactly the gradients of passes that recycle
 * nothing (retainGraph), even where one rule's gradient goes to several inputs and where gradients meet.
 */
class GradientRecyclingTest {

    private record Leaves(Tensor x, Tensor w1, Tensor b1, Tensor w2, Tensor ln) {}

    private static Leaves leaves() {
        Rng rng = new Rng(42);
        return new Leaves(Tensor.randn(rng, 3, 5, 8).requiresGrad(true), Tensor.randn(rng, 16, 8).requiresGrad(true),
                Tensor.randn(rng, 16).requiresGrad(true), Tensor.randn(rng, 8, 16).requiresGrad(true),
                Tensor.ones(8).requiresGrad(true));
    }

    /**
     * A small block with every pattern the recycling must survive: a gradient passed straight to two inputs (add),
     * a tensor used several times (gradients meet and add up), a residual stream, GELU and layer norm rules that
     * take recycled arrays, and linear weight gradients that reach leaves.
     */
    private static Tensor loss(Leaves p) {
        Tensor h = NNOps.linear(p.x(), p.w1(), p.b1());                  // (3, 5, 16)
        Tensor a = h.gelu();
        Tensor s = a.add(a).add(h);                                        // a twice, h twice in all
        Tensor y = NNOps.linear(s, p.w2(), null).add(p.x());              // residual
        Tensor z = NNOps.layerNorm(y, p.ln(), null, 1e-5f);
        return z.mul(z).sum().add(NNOps.layerNorm(y, null, null, 1e-5f).sum());
    }

    private static float[][] gradients(Leaves p) {
        return new float[][] {p.x().grad().toArray(), p.w1().grad().toArray(), p.b1().grad().toArray(),
                p.w2().grad().toArray(), p.ln().grad().toArray()};
    }

    private static float[][] run(boolean retainGraph) {
        Leaves p = leaves();
        Tensor l = loss(p);
        l.backward(Tensor.ones(l.shape()), retainGraph);
        return gradients(p);
    }

    @Test
    void recyclingGivesTheSameGradientsAsKeepingEverything() {
        float[][] kept = run(true);
        for (int pass = 0; pass < 3; pass++) {                   // later passes run on arrays recycled by earlier ones
            float[][] recycled = run(false);
            for (int i = 0; i < kept.length; i++) assertThat(recycled[i]).as("pass %d, leaf %d", pass, i).containsExactly(kept[i]);
        }
    }

    @Test
    void aSecondStepTakesItsArraysFromTheFirstStepsLeftovers() {
        BufferPool.clear();
        run(false);
        long afterFirst = BufferPool.pooledFloats();
        assertThat(afterFirst).as("dead gradient arrays handed back").isPositive();
        run(false);
        assertThat(BufferPool.pooledFloats()).as("nothing new minted by the same step").isEqualTo(afterFirst);
    }

    @Test
    void aRetainedGraphRecyclesNothingAndCanRunAgain() {
        BufferPool.clear();
        Leaves p = leaves();
        Tensor l = loss(p);
        l.backward(Tensor.ones(l.shape()), true);
        assertThat(BufferPool.pooledFloats()).isZero();
        float[][] first = gradients(p);
        l.backward(Tensor.ones(l.shape()), true);                // gradients accumulate: twice the first
        float[][] second = gradients(p);
        for (int i = 0; i < first.length; i++) {
            for (int j = 0; j < first[i].length; j++) assertThat(second[i][j]).isEqualTo(2 * first[i][j]);
        }
    }

    @Test
    void onlyArraysMintedByThePoolAreTakenBack() {
        BufferPool.clear();
        BufferPool.give(new float[64]);
        assertThat(BufferPool.pooledFloats()).isZero();
        float[] minted = BufferPool.take(64);
        assertThat(BufferPool.isRecyclable(minted)).isTrue();
        BufferPool.give(minted);
        assertThat(BufferPool.pooledFloats()).isEqualTo(64);
        assertThat(BufferPool.take(64)).isSameAs(minted);
    }
}
