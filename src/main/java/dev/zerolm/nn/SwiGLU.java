package dev.zerolm.nn;

import dev.zerolm.tensor.Rng;
import dev.zerolm.tensor.Tensor;

/**
 * The gated MLP of Llama: w2(silu(w1 x) * w3 x). w1 is the gate, w3 the up projection, w2 the down projection
 * (Llama's checkpoint names; Hugging Face calls them gate_proj, up_proj and down_proj).
 */
public final class SwiGLU extends Layer {

    private final Linear w1, w2, w3;
    private final Dropout dropout;

    public SwiGLU(int nEmbd, int hidden, boolean bias, float dropout, Rng rng) {
        this.w1 = registerModule("w1", new Linear(nEmbd, hidden, bias, rng));
        this.w2 = registerModule("w2", new Linear(hidden, nEmbd, bias, rng));
        this.w3 = registerModule("w3", new Linear(nEmbd, hidden, bias, rng));
        this.dropout = registerModule("dropout", new Dropout(dropout, rng));
    }

    /**
     * A hidden width with about the parameters of a 4x GELU MLP: two thirds of 4C (three matrices instead of two),
     * rounded up to a multiple of 8.
     */
    public static int defaultHidden(int nEmbd) {
        int h = (int) Math.ceil(8.0 * nEmbd / 3);
        return (h + 7) / 8 * 8;
    }

    /** (B, T, C) -> gate and up (B, T, hidden) -> (B, T, C). */
    @Override
    public Tensor forward(Tensor x) {
        Tensor gate = w1.forward(x).silu();
        Tensor up = w3.forward(x);
        return dropout.forward(w2.forward(gate.mul(up)));
    }
}
