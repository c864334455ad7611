package dev.zerolm.nn;

import dev.zerolm.tensor.IntTensor;
import dev.zerolm.tensor.Tensor;

/**
 * Extra computation attached to an {@link Embedding} after the model is built, as {@link LinearHook} is for a
 * linear layer: LoRA adds a low-rank update per looked-up id. The hook is a child module of the table, so its
 * parameters are named under it ({@code embeddings.word_embeddings.lora.lora_embedding_A}).
 */
public abstract class EmbeddingHook extends Module {

    /** ids (...) are the looked-up ids, y (..., D) the rows so far; returns the rows to use (..., D). */
    public abstract Tensor apply(IntTensor ids, Tensor y);
}
