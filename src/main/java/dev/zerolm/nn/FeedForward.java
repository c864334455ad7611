package dev.zerolm.nn;

import dev.zerolm.tensor.BufferPool;
import dev.zerolm.tensor.Rng;
import dev.zerolm.tensor.Tensor;

/**
 * The position-wise MLP of a transformer block: c_fc (C -> hidden), activation, c_proj (hidden -> C), dropout.
 * Names follow nanoGPT, so a block's MLP appears as {@code mlp.c_fc.weight} and {@code mlp.c_proj.weight}.
 */
public final class FeedForward extends Layer {

    private final Linear cFc;
    private final Activation activation;
    private final Linear cProj;
    private final Dropout dropout;

    public FeedForward(int nEmbd, int hidden, boolean bias, Activation activation, float dropout, Rng rng) {
        this.cFc = registerModule("c_fc", new Linear(nEmbd, hidden, bias, rng));
        this.activation = activation;
        this.cProj = registerModule("c_proj", new Linear(hidden, nEmbd, bias, rng));
        this.dropout = registerModule("dropout", new Dropout(dropout, rng));
    }

    /** (B, T, C) -> (B, T, hidden) -> (B, T, C). */
    @Override
    public Tensor forward(Tensor x) {
        Tensor hidden = cFc.forward(x);
        Tensor activated = activation.apply(hidden);
        Tensor out = cProj.forward(activated);
        BufferPool.recycle(hidden, activated);                  // no-grad: the (B, T, hidden) temporaries are dead
        return dropout.forward(out);
    }

    public Linear cFc() {
        return cFc;
    }

    public Linear cProj() {
        return cProj;
    }
}
