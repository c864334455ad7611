package dev.zerolm.nn;

import dev.zerolm.tensor.IntTensor;
import dev.zerolm.tensor.NNOps;
import dev.zerolm.tensor.Rng;
import dev.zerolm.tensor.Tensor;

/** A lookup table of V learned vectors of size D: ids (...) -> vectors (..., D). Initialised N(0, 1) as in PyTorch. */
public final class Embedding extends Module {

    private final Tensor weight; // (V, D)

    public Embedding(int numEmbeddings, int dim, Rng rng) {
        if (numEmbeddings <= 0 || dim <= 0) {
            throw new IllegalArgumentException("Embedding: sizes must be positive, got " + numEmbeddings + " x " + dim);
        }
        this.weight = registerParameter("weight", Tensor.randn(rng, numEmbeddings, dim));
    }

    /** (...) ids -> (..., D) rows of the table. */
    public Tensor forward(IntTensor ids) {
        return NNOps.embedding(weight, ids);
    }

    public Tensor weight() {
        return weight;
    }

    public int numEmbeddings() {
        return weight.size(0);
    }

    public int dim() {
        return weight.size(1);
    }
}
