package dev.zerolm.nn;

import dev.zerolm.tensor.NNOps;
import dev.zerolm.tensor.Tensor;

/** Scales the last dim by its reciprocal root-mean-square, then by a learned weight (Llama's norm: no centring, no bias). */
public final class RMSNorm extends Layer {

    private final float eps;
    private final Tensor weight; // (C), ones

    public RMSNorm(int dim, float eps) {
        this.eps = eps;
        this.weight = registerParameter("weight", Tensor.ones(dim));
    }

    /** (..., C) -> (..., C). */
    @Override
    public Tensor forward(Tensor x) {
        return NNOps.rmsNorm(x, weight, eps);
    }

    public Tensor weight() {
        return weight;
    }
}
