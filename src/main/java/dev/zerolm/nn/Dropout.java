package dev.zerolm.nn;

import dev.zerolm.tensor.NNOps;
import dev.zerolm.tensor.Rng;
import dev.zerolm.tensor.Tensor;

/** Zeroes each element with probability p while training (scaling the rest by 1/(1-p)); the identity in eval mode. */
public final class Dropout extends Layer {

    private final float p;
    private final Rng rng;

    public Dropout(float p, Rng rng) {
        if (p < 0 || p >= 1) throw new IllegalArgumentException("Dropout: p must be in [0, 1), got " + p);
        this.p = p;
        this.rng = rng;
    }

    @Override
    public Tensor forward(Tensor x) {
        return NNOps.dropout(x, p, isTraining(), rng);
    }

    public float p() {
        return p;
    }
}
