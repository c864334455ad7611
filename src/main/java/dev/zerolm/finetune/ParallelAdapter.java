package dev.zerolm.finetune;

import dev.zerolm.nn.Linear;
import dev.zerolm.nn.SublayerHook;
import dev.zerolm.tensor.Rng;
import dev.zerolm.tensor.Tensor;

/**
 * A parallel bottleneck adapter (He et al. 2022, "Towards a Unified View of Parameter-Efficient Transfer
 * Learning"): beside a sublayer rather than after it, out + s * up(gelu(down(in))), reading what the sublayer read.
 * A sequential adapter sees only the sublayer's output; this one sees the residual stream itself, word identity
 * included, as LoRA on a sublayer's input projections does. up starts at zero, so the model starts unchanged.
 */
public final class ParallelAdapter extends SublayerHook {

    private final Linear down;
    private final Linear up;
    private final float scale;

    public ParallelAdapter(int width, int bottleneck, float scale, Rng rng) {
        if (bottleneck <= 0) throw new IllegalArgumentException("adapter: bottleneck size must be positive, got " + bottleneck);
        if (!(scale > 0f) || Float.isInfinite(scale)) throw new IllegalArgumentException("adapter: scale must be positive, got " + scale);
        this.down = registerModule("down", new Linear(width, bottleneck, true, rng));
        this.up = registerModule("up", new Linear(bottleneck, width, true, rng));
        this.scale = scale;
        up.weight().fill(0f);
        up.bias().fill(0f);
    }

    /** in (..., C), out (..., C) -> out + scale * up(gelu(down(in))). */
    @Override
    public Tensor apply(Tensor input, Tensor output) {
        return output.add(up.forward(down.forward(input).gelu()).mul(scale));
    }

    public Linear down() {
        return down;
    }

    public Linear up() {
        return up;
    }
}
