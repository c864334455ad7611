package dev.zerolm.nn;

import dev.zerolm.tensor.Tensor;

/**
 * Extra computation attached to a {@link Linear} after the model is built, so fine-tuning methods can change a
 * layer without rebuilding the model: LoRA adds a low-rank update from the input, a bottleneck adapter rewrites the
 * output. The hook is a child module of the layer, so its parameters are named under it
 * ({@code h.0.attn.c_attn.lora.lora_A.weight}).
 */
public abstract class LinearHook extends Module {

    /** x (..., in) is the layer's input, y (..., out) its output so far; returns the output to use (..., out). */
    public abstract Tensor apply(Tensor x, Tensor y);
}
