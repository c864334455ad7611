package dev.zerolm.nn;

import dev.zerolm.tensor.NNOps;
import dev.zerolm.tensor.Tensor;

/** Normalises the last dim to zero mean and unit variance, then scales and shifts (GPT-2's norm; bias optional as in nanoGPT). */
public final class LayerNorm extends Layer {

    private final float eps;
    private final Tensor weight; // (C), ones
    private final Tensor bias;   // (C), zeros, or null

    public LayerNorm(int dim, float eps, boolean bias) {
        this.eps = eps;
        this.weight = registerParameter("weight", Tensor.ones(dim));
        this.bias = bias ? registerParameter("bias", Tensor.zeros(dim)) : null;
    }

    /** (..., C) -> (..., C). */
    @Override
    public Tensor forward(Tensor x) {
        return NNOps.layerNorm(x, weight, bias, eps);
    }

    public Tensor weight() {
        return weight;
    }

    public Tensor bias() {
        return bias;
    }
}
