package dev.zerolm.finetune;

import dev.zerolm.nn.Linear;
import dev.zerolm.nn.LinearHook;
import dev.zerolm.tensor.Rng;
import dev.zerolm.tensor.Tensor;

/**
 * A Houlsby bottleneck adapter (Houlsby et al. 2019) on a sublayer's output: h + up(gelu(down(h))), with down
 * (C -> m) and up (m -> C), m much smaller than C. Attached to the linear layer that ends an attention or
 * feed-forward sublayer, it acts before the residual sum, where the paper puts it. up starts at zero, so the
 * adapter starts as the identity and training begins from the pretrained function.
 */
public final class BottleneckAdapter extends LinearHook {

    private final Linear down;
    private final Linear up;

    public BottleneckAdapter(int width, int bottleneck, Rng rng) {
        if (bottleneck <= 0) throw new IllegalArgumentException("adapter: bottleneck size must be positive, got " + bottleneck);
        this.down = registerModule("down", new Linear(width, bottleneck, true, rng));
        this.up = registerModule("up", new Linear(bottleneck, width, true, rng));
        up.weight().fill(0f);
        up.bias().fill(0f);
    }

    /** The layer's output h (..., C) -> h + up(gelu(down(h))). */
    @Override
    public Tensor apply(Tensor x, Tensor h) {
        return h.add(up.forward(down.forward(h).gelu()));
    }

    public Linear down() {
        return down;
    }

    public Linear up() {
        return up;
    }
}
