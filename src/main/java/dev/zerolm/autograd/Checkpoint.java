package dev.zerolm.autograd;

import dev.zerolm.tensor.BufferPool;
import dev.zerolm.tensor.Rng;
import dev.zerolm.tensor.Tensor;

import java.util.function.UnaryOperator;

/**
 * Activation checkpointing, as PyTorch's {@code torch.utils.checkpoint}: runs a function without recording its
 * graph, so none of its intermediate activations are kept, and runs it again, recording, when backward reaches
 * it. A transformer block then holds its activations (~24 floats per token and channel) only while backward is
 * inside it: memory for one block instead of all of them, for the price of one more forward pass per step.
 *
 * <p>The function's parameters receive their gradients from the re-run (with their gradient hooks), its input
 * from the node recorded here. Dropout draws the same masks twice: the Rng's state is replayed for the re-run.
 */
public final class Checkpoint {

    private Checkpoint() {}

    /**
     * fn(x), without keeping fn's activations for backward. rng is the generator fn's dropout draws from (null:
     * fn draws nothing). When x needs no gradient (frozen embeddings below LoRA or adapters), the node hangs on a
     * stand-in for x that does, as Hugging Face's enable_input_require_grads: otherwise backward would never reach
     * the re-run and the parameters inside fn would get no gradient. Its gradient is computed and dropped.
     */
    public static Tensor apply(String name, UnaryOperator<Tensor> fn, Tensor x, Rng rng) {
        if (!GradMode.isEnabled()) return fn.apply(x);
        Tensor input = x.requiresGrad() ? x : x.detach().requiresGrad(true);
        long[] rngBefore = rng == null ? null : rng.state();
        Tensor y;
        try (var noGrad = GradMode.noGrad()) {
            y = fn.apply(x);
        }
        Tensor out = y.detach();                         // y may be a view; record on a fresh tensor object
        return Tensor.record(out, "checkpoint(" + name + ")", g -> {
            Tensor leaf = x.detach().requiresGrad(true);
            long[] rngNow = rng == null ? null : rng.state();
            if (rng != null) rng.setState(rngBefore);
            try (var pass = BufferPool.recomputePass()) {      // the re-run's activations die with its backward
                Tensor recomputed;
                try (var grad = GradMode.enableGrad()) {
                    recomputed = fn.apply(leaf);
                } finally {
                    if (rng != null) rng.setState(rngNow);
                }
                Engine.backward(recomputed, g, false);
            }
            Tensor dx = leaf.grad();
            if (dx != null) BufferPool.remint(dx.storage().heapArray());  // only an adopted array is taken back
            return new Tensor[] {dx};                            // the outer backward recycles it once passed on
        }, input);
    }
}
