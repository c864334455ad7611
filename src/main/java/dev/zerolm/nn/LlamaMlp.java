package dev.zerolm.nn;

import dev.zerolm.tensor.Rng;
import dev.zerolm.tensor.Tensor;

/**
 * Llama's gated feed-forward layer, down_proj(silu(gate_proj(x)) * up_proj(x)), under Hugging Face's names so
 * Llama checkpoints load without renaming. The same math as {@link SwiGLU} (w1 = gate, w3 = up, w2 = down),
 * with the hidden width (intermediate_size) taken from the model's config.
 */
public final class LlamaMlp extends Layer {

    private final Linear gateProj, upProj, downProj;

    public LlamaMlp(int nEmbd, int hidden, boolean bias, Rng rng) {
        this.gateProj = registerModule("gate_proj", new Linear(nEmbd, hidden, bias, rng));
        this.upProj = registerModule("up_proj", new Linear(nEmbd, hidden, bias, rng));
        this.downProj = registerModule("down_proj", new Linear(hidden, nEmbd, bias, rng));
    }

    /** (B, T, C) -> gate and up (B, T, hidden) -> (B, T, C). */
    @Override
    public Tensor forward(Tensor x) {
        return downProj.forward(gateProj.forward(x).silu().mul(upProj.forward(x)));
    }
}
