package dev.zerolm.finetune;

import dev.zerolm.tensor.Tensor;

/**
 * One LoRA adapter on a base layer: a low-rank update scaling·(B·A) to the base weight, with A (r, in) and
 * B (out, r) for a linear layer, A (r, V) and B (D, r) for an embedding table. The names give PEFT's keys.
 */
public sealed interface LoraLayer permits LoraLinear, LoraEmbedding {

    /** The adapted layer's weight: (out, in) for a linear layer, (V, D) for an embedding table. */
    Tensor baseWeight();

    Tensor loraA();

    Tensor loraB();

    /** Folds the update into the base weight, so the layer computes the same function at no extra cost. */
    void merge();

    /** Takes the update back out of the base weight (up to float rounding). */
    void unmerge();

    boolean isMerged();

    float scaling();

    /** PEFT's key suffixes for A and B in adapter_model.safetensors, after the module path. */
    String keyA();

    String keyB();
}
