package dev.zerolm.nn;

import dev.zerolm.tensor.IntTensor;
import dev.zerolm.tensor.NNOps;
import dev.zerolm.tensor.Rng;
import dev.zerolm.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/** A lookup table of V learned vectors of size D: ids (...) -> vectors (..., D). Initialised N(0, 1) as in PyTorch. */
public final class Embedding extends Module {

    private final Tensor weight; // (V, D)
    private final List<EmbeddingHook> hooks = new ArrayList<>(); // LoRA: applied in the order attached

    public Embedding(int numEmbeddings, int dim, Rng rng) {
        if (numEmbeddings <= 0 || dim <= 0) {
            throw new IllegalArgumentException("Embedding: sizes must be positive, got " + numEmbeddings + " x " + dim);
        }
        this.weight = registerParameter("weight", Tensor.randn(rng, numEmbeddings, dim));
    }

    /** (...) ids -> (..., D) rows of the table. */
    public Tensor forward(IntTensor ids) {
        Tensor y = NNOps.embedding(weight, ids);
        for (EmbeddingHook hook : hooks) y = hook.apply(ids, y);
        return y;
    }

    /** Attaches a hook as the child module called name; every later forward runs it (see {@link EmbeddingHook}). */
    public <H extends EmbeddingHook> H attach(String name, H hook) {
        if (namedChildren().containsKey(name)) {
            throw new IllegalArgumentException("Embedding(" + numEmbeddings() + " x " + dim() + "): a hook named '" + name + "' is already attached");
        }
        registerModule(name, hook);
        hooks.add(hook);
        return hook;
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
