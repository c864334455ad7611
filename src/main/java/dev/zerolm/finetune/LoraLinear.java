package dev.zerolm.finetune;

import dev.zerolm.autograd.GradMode;
import dev.zerolm.nn.Dropout;
import dev.zerolm.nn.Linear;
import dev.zerolm.nn.LinearHook;
import dev.zerolm.tensor.Rng;
import dev.zerolm.tensor.Tensor;

/**
 * LoRA (Hu et al. 2021) on one linear layer: y = W·x + b + (alpha/r)·B·A·dropout(x), with A (r, in) and
 * B (out, r). A starts Kaiming-uniform (a = √5, PyTorch's Linear init, as PEFT) and B at zero, so the adapter
 * starts as a no-op; only A and B train. {@link #merge} folds the update into W for inference at no extra cost,
 * {@link #unmerge} takes it back out.
 */
public final class LoraLinear extends LinearHook implements LoraLayer {

    /** PEFT's key suffixes for A and B of a linear layer. */
    public static final String KEY_A = "lora_A.weight", KEY_B = "lora_B.weight";

    private final Linear base;
    private final Linear loraA;   // in -> r, weight (r, in)
    private final Linear loraB;   // r -> out, weight (out, r)
    private final Dropout dropout;
    private final float scaling;
    private boolean merged;

    /** An adapter of rank r on base, its update scaled by scaling (alpha / r), dropout on its input while training. */
    public LoraLinear(Linear base, int r, float scaling, float dropoutP, Rng rng) {
        this.base = base;
        this.scaling = scaling;
        this.loraA = registerModule("lora_A", new Linear(base.inFeatures(), r, false, rng));
        this.loraB = registerModule("lora_B", new Linear(r, base.outFeatures(), false, rng));
        this.dropout = registerModule("lora_dropout", new Dropout(dropoutP, rng));
        // kaiming_uniform_(a=√5): bound = gain·√(3/fan_in) with gain = √(2/(1+5)) -> 1/√fan_in.
        float bound = (float) (1 / Math.sqrt(base.inFeatures()));
        loraA.weight().copyFrom(Tensor.rand(rng, -bound, bound, loraA.weight().shape()));
        loraB.weight().fill(0f);
    }

    /** y (..., out) + scaling · B·A·dropout(x); nothing is added once merged (W already holds it). */
    @Override
    public Tensor apply(Tensor x, Tensor y) {
        if (merged) return y;
        Tensor update = loraB.forward(loraA.forward(dropout.forward(x)));        // (..., in) -> (..., r) -> (..., out)
        return y.add(update.mul(scaling));
    }

    /** W += scaling · B·A: the layer then computes the same function with one matmul. */
    @Override
    public void merge() {
        if (merged) throw new IllegalStateException("LoRA: merge() on a layer that is already merged");
        addDeltaToBase(1f);
        merged = true;
    }

    /** W -= scaling · B·A: undoes {@link #merge} (up to float rounding). */
    @Override
    public void unmerge() {
        if (!merged) throw new IllegalStateException("LoRA: unmerge() on a layer that is not merged");
        addDeltaToBase(-1f);
        merged = false;
    }

    private void addDeltaToBase(float sign) {
        try (var ignored = GradMode.noGrad()) {
            Tensor delta = loraB.weight().matmul(loraA.weight());                  // (out, r) @ (r, in) -> (out, in)
            base.weight().addInPlace(delta, sign * scaling);
        }
    }

    @Override
    public boolean isMerged() {
        return merged;
    }

    public Linear base() {
        return base;
    }

    /** A (r, in). */
    @Override
    public Tensor loraA() {
        return loraA.weight();
    }

    /** B (out, r). */
    @Override
    public Tensor loraB() {
        return loraB.weight();
    }

    @Override
    public float scaling() {
        return scaling;
    }

    @Override
    public String keyA() {
        return KEY_A;
    }

    @Override
    public String keyB() {
        return KEY_B;
    }

    @Override
    public Tensor baseWeight() {
        return base.weight();
    }
}
