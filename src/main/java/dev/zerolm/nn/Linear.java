package dev.zerolm.nn;

import dev.zerolm.tensor.NNOps;
import dev.zerolm.tensor.Rng;
import dev.zerolm.tensor.Shapes;
import dev.zerolm.tensor.ShapeException;
import dev.zerolm.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * y = x @ Wᵀ + b with PyTorch's layout: weight (out, in), so checkpoints load without transposing.
 * Initialised like torch.nn.Linear: U(-1/√in, 1/√in) for weight and bias (models may re-initialise).
 */
public final class Linear extends Layer {

    private final int in, out;
    private final Tensor weight; // (out, in)
    private final Tensor bias;   // (out), or null
    private final List<LinearHook> hooks = new ArrayList<>(); // LoRA, adapters: applied in the order attached

    public Linear(int in, int out, boolean bias, Rng rng) {
        if (in <= 0 || out <= 0) throw new IllegalArgumentException("Linear: sizes must be positive, got " + in + " -> " + out);
        this.in = in;
        this.out = out;
        float bound = (float) (1 / Math.sqrt(in));
        this.weight = registerParameter("weight", Tensor.rand(rng, -bound, bound, out, in));
        this.bias = bias ? registerParameter("bias", Tensor.rand(rng, -bound, bound, out)) : null;
    }

    /** (..., in) -> (..., out): one GEMM that reads W transposed in place and adds the bias as it writes. */
    @Override
    public Tensor forward(Tensor x) {
        if (x.size(-1) != in) {
            throw new ShapeException("Linear(" + in + " -> " + out + "): input of shape " + Shapes.str(x.shape())
                    + " has last dim " + x.size(-1) + ", expected " + in);
        }
        Tensor y = NNOps.linear(x, weight, bias);
        for (LinearHook hook : hooks) y = hook.apply(x, y);
        return y;
    }

    /** Attaches a hook as the child module called name; every later forward runs it (see {@link LinearHook}). */
    public <H extends LinearHook> H attach(String name, H hook) {
        if (namedChildren().containsKey(name)) {
            throw new IllegalArgumentException("Linear(" + in + " -> " + out + "): a hook named '" + name + "' is already attached");
        }
        registerModule(name, hook);
        hooks.add(hook);
        return hook;
    }

    public Tensor weight() {
        return weight;
    }

    /** The bias, or null when the layer has none. */
    public Tensor bias() {
        return bias;
    }

    public int inFeatures() {
        return in;
    }

    public int outFeatures() {
        return out;
    }
}
