package dev.zerolm.nn;

import dev.zerolm.tensor.Tensor;

/** The element-wise non-linearities used between the two linear maps of a feed-forward layer. */
public enum Activation {
    /** GELU with the tanh approximation, as GPT-2 uses. */
    GELU_TANH,
    /** GELU with the exact erf form, as BERT uses. */
    GELU_EXACT,
    RELU,
    /** x * sigmoid(x), also called swish; the gate of SwiGLU. */
    SILU;

    public Tensor apply(Tensor x) {
        return switch (this) {
            case GELU_TANH -> x.gelu();
            case GELU_EXACT -> x.geluExact();
            case RELU -> x.relu();
            case SILU -> x.silu();
        };
    }
}
