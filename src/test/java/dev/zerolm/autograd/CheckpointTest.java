package dev.zerolm.autograd;

import dev.zerolm.tensor.BufferPool;
import dev.zerolm.tensor.NNOps;
import dev.zerolm.tensor.Rng;
import dev.zerolm.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class CheckpointTest {

    @Test
    void recomputesInBackwardAndGivesTheSameGradientsWithDropout() {
        Rng init = new Rng(1);
        Tensor w = Tensor.randn(init, 6, 4).requiresGrad(true), b = Tensor.randn(init, 6).requiresGrad(true);
        Tensor x0 = Tensor.randn(init, 3, 4);
        int[] calls = {0};
        java.util.function.Function<Rng, java.util.function.UnaryOperator<Tensor>> block = rng -> in -> {
            calls[0]++;
            return NNOps.dropout(NNOps.linear(in, w, b).tanh(), 0.5f, true, rng);
        };

        List<float[]> plain = run(x0, w, b, block.apply(new Rng(7)), null);
        assertThat(calls[0]).isEqualTo(1);
        Rng rng = new Rng(7);
        List<float[]> checkpointed = run(x0, w, b, block.apply(rng), rng);
        assertThat(calls[0]).as("forward once, again in backward").isEqualTo(3);
        for (int k = 0; k < plain.size(); k++) assertThat(checkpointed.get(k)).containsExactly(plain.get(k));
    }

    @Test
    void anInputThatNeedsNoGradientStillGetsItsParametersTheirGradient() {
        Tensor w = Tensor.randn(new Rng(2), 3, 3).requiresGrad(true);
        Tensor x = Tensor.randn(new Rng(3), 2, 3);                 // e.g. frozen embeddings under LoRA
        int[] calls = {0};
        Tensor y = Checkpoint.apply("f", in -> { calls[0]++; return in.matmul(w); }, x, null);
        y.sum().backward();
        assertThat(calls[0]).as("checkpointed: run again in backward").isEqualTo(2);
        float[] viaCheckpoint = w.grad().toArray();
        w.zeroGrad();
        x.matmul(w).sum().backward();
        assertThat(viaCheckpoint).containsExactly(w.grad().toArray());
        assertThat(x.grad()).as("the frozen input itself gets nothing").isNull();
    }

    @Test
    void aResidualBlocksInputGradientComesFromThePoolAndGoesBackToIt() {
        Rng init = new Rng(4);
        Tensor w = Tensor.randn(init, 4, 4).requiresGrad(true), b = Tensor.randn(init, 4).requiresGrad(true);
        Tensor x = Tensor.randn(init, 3, 4).requiresGrad(true);
        java.util.function.UnaryOperator<Tensor> block = in -> in.add(NNOps.linear(in, w, b).tanh());
        block.apply(x).sum().backward();
        float[] plain = x.grad().toArray();
        x.zeroGrad();
        Checkpoint.apply("residual", block, x, null).sum().backward();
        assertThat(x.grad().toArray()).containsExactly(plain);
        // Inside, the input's gradient sums the caller's seed and the branch's: that sum is a pooled array, which the
        // inner backward adopts and the outer one adopts again, so x.grad goes back to the pool when released.
        BufferPool.clear();
        x.releaseGrad();
        assertThat(BufferPool.pooledFloats()).as("x.grad was the pool's own array, no copy").isEqualTo(12);
    }

    @Test
    void leafHookSeesTheCompleteGradientOncePerBackward() {
        Tensor p = Tensor.of(new float[] {1, 2}, 2).requiresGrad(true);
        List<float[]> seen = new ArrayList<>();
        p.setPostAccumulateGradHook(t -> seen.add(t.grad().toArray()));
        p.mul(p).add(p.mul(3f)).sum().backward();               // p used three times: d/dp = 2p + 3
        assertThat(seen).hasSize(1);
        assertThat(seen.get(0)).containsExactly(5f, 7f);
    }

    /** Output, then the gradients of the input, w and b, of sum(fn(x) * r), checkpointed when rng is given. */
    private static List<float[]> run(Tensor x0, Tensor w, Tensor b, java.util.function.UnaryOperator<Tensor> fn, Rng rng) {
        w.zeroGrad();
        b.zeroGrad();
        Tensor x = x0.detach().copy().requiresGrad(true);
        Tensor h = x.mul(2f);                                    // something in the graph before the checkpoint
        Tensor y = rng == null ? fn.apply(h) : Checkpoint.apply("block", fn, h, rng);
        y.mul(Tensor.randn(new Rng(5), y.shape())).sum().backward();
        return List.of(y.toArray(), x.grad().toArray(), w.grad().toArray(), b.grad().toArray());
    }
}
