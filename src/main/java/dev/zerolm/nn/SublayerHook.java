package dev.zerolm.nn;

import dev.zerolm.tensor.Tensor;

/**
 * Extra computation attached to a whole sublayer (attention or feed-forward) of a built model: it sees what the
 * sublayer read and what it produced, before the residual sum, so a method such as a parallel adapter can add a
 * path beside the sublayer. Like a {@link LinearHook} it is a child module, so its parameters are named under the
 * sublayer ({@code transformer.h.0.mlp.adapter.down.weight}).
 */
public abstract class SublayerHook extends Module {

    /** input (..., C) is what the sublayer read, output (..., C) its result; returns the result to use (..., C). */
    public abstract Tensor apply(Tensor input, Tensor output);

    /** Runs hooks in order on a sublayer's result. */
    public static Tensor applyAll(java.util.List<SublayerHook> hooks, Tensor input, Tensor output) {
        for (SublayerHook hook : hooks) output = hook.apply(input, output);
        return output;
    }
}
