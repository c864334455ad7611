package dev.zerolm.nn;

import dev.zerolm.tensor.Rng;

/** Which feed-forward layer a block uses. */
public enum FeedForwardKind {
    /** c_fc (C -> 4C), activation, c_proj (4C -> C): GPT-2's {@link FeedForward}. */
    MLP,
    /** Llama's gated {@link SwiGLU} (always SiLU), hidden width {@link SwiGLU#defaultHidden}. */
    SWIGLU;

    public Layer create(int nEmbd, boolean bias, Activation activation, float dropout, Rng rng) {
        return switch (this) {
            case MLP -> new FeedForward(nEmbd, 4 * nEmbd, bias, activation, dropout, rng);
            case SWIGLU -> new SwiGLU(nEmbd, SwiGLU.defaultHidden(nEmbd), bias, dropout, rng);
        };
    }
}
