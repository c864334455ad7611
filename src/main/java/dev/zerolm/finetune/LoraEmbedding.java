package dev.zerolm.finetune;

import dev.zerolm.autograd.GradMode;
import dev.zerolm.nn.Embedding;
import dev.zerolm.nn.EmbeddingHook;
import dev.zerolm.tensor.IntTensor;
import dev.zerolm.tensor.NNOps;
import dev.zerolm.tensor.Rng;
import dev.zerolm.tensor.Tensor;

/**
 * LoRA on an embedding table, as PEFT's lora.Embedding: row(id) = W[id] + scaling·(B·A)ᵀ[id], with A (r, V) and
 * B (D, r). A starts at zero and B N(0, 1) (PEFT's choice for embeddings), so the adapter starts as a no-op; each
 * id gets r trainable coefficients A[:, id] in a shared r-dimensional subspace B. No dropout (PEFT has none here).
 */
public final class LoraEmbedding extends EmbeddingHook implements LoraLayer {

    public static final String KEY_A = "lora_embedding_A", KEY_B = "lora_embedding_B";

    private final Embedding base;
    private final Tensor loraA;   // (r, V)
    private final Tensor loraB;   // (D, r)
    private final float scaling;
    private boolean merged;

    /** An adapter of rank r on base, its update scaled by scaling (alpha / r). */
    public LoraEmbedding(Embedding base, int r, float scaling, Rng rng) {
        this.base = base;
        this.scaling = scaling;
        this.loraA = registerParameter(KEY_A, Tensor.zeros(r, base.numEmbeddings()));
        this.loraB = registerParameter(KEY_B, Tensor.randn(rng, base.dim(), r));
    }

    /** y (..., D) + scaling · Aᵀ[ids] · Bᵀ; nothing is added once merged. */
    @Override
    public Tensor apply(IntTensor ids, Tensor y) {
        if (merged) return y;
        Tensor coefficients = NNOps.embedding(loraA.t(), ids);                   // rows of Aᵀ (V, r) -> (..., r)
        return y.add(coefficients.matmul(loraB.t()).mul(scaling));               // (..., r) @ (r, D) -> (..., D)
    }

    @Override
    public void merge() {
        if (merged) throw new IllegalStateException("LoRA: merge() on an embedding that is already merged");
        addDeltaToBase(1f);
        merged = true;
    }

    @Override
    public void unmerge() {
        if (!merged) throw new IllegalStateException("LoRA: unmerge() on an embedding that is not merged");
        addDeltaToBase(-1f);
        merged = false;
    }

    private void addDeltaToBase(float sign) {
        try (var ignored = GradMode.noGrad()) {
            Tensor delta = loraA.t().matmul(loraB.t());                            // (V, r) @ (r, D) -> (V, D)
            base.weight().addInPlace(delta, sign * scaling);
        }
    }

    @Override
    public boolean isMerged() {
        return merged;
    }

    /** A (r, V). */
    @Override
    public Tensor loraA() {
        return loraA;
    }

    /** B (D, r). */
    @Override
    public Tensor loraB() {
        return loraB;
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
