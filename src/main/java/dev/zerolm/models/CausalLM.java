package dev.zerolm.models;

import dev.zerolm.nn.KVCache;
import dev.zerolm.tensor.IntTensor;
import dev.zerolm.tensor.NNOps;
import dev.zerolm.tensor.Tensor;

import java.util.List;
import java.util.Map;

/**
 * A decoder-only language model: at every position it scores each possible next token. This is all that
 * generation, evaluation and fine-tuning need, so {@link GPT} and {@link LlamaModel} serve them alike.
 * The last group of methods is {@link dev.zerolm.nn.Module}'s, which every implementation extends.
 */
public interface CausalLM {

    /** Targets equal to this are not predicted (padding); nanoGPT's convention. */
    int IGNORE_INDEX = -1;

    /** idx (B, T) token ids -> logits (B, T, V). */
    default Tensor forward(IntTensor idx) {
        return forward(idx, null, 0);
    }

    /**
     * idx (B, T) holds the tokens at positions [startPos, startPos + T). With a cache (from {@link #newKVCache})
     * they also attend over the cached earlier tokens, and their keys and values are added to it; run cached
     * passes inside GradMode.noGrad(). Returns logits (B, T, V).
     */
    Tensor forward(IntTensor idx, KVCache cache, int startPos);

    /**
     * idx (B, T) -> the final (normed) hidden states (B, T, C) that the output layer turns into logits: what
     * sentence embeddings pool. Models that do not expose them say so.
     */
    default Tensor hiddenStates(IntTensor idx) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " does not expose its hidden states");
    }

    /** An empty KV cache for batchSize sequences of up to {@link #blockSize()} tokens. */
    KVCache newKVCache(int batchSize);

    /** The longest sequence the model accepts (its context length). */
    int blockSize();

    /** Number of token ids the model scores. */
    int vocabSize();

    /** Mean cross-entropy of predicting targets (B, T) from idx (B, T); targets of -1 count for nothing. */
    default Tensor loss(IntTensor idx, IntTensor targets) {
        return crossEntropy(forward(idx), targets);
    }

    /** Mean cross-entropy of logits (B, T, V) against targets (B, T), ignoring targets equal to {@link #IGNORE_INDEX}. */
    static Tensor crossEntropy(Tensor logits, IntTensor targets) {
        return NNOps.crossEntropy(logits, targets, IGNORE_INDEX, NNOps.Reduction.MEAN);
    }

    // ---- implemented by dev.zerolm.nn.Module

    void train(boolean mode);

    void eval();

    boolean isTraining();

    Map<String, Tensor> namedParameters();

    List<Tensor> parameters();

    long parameterCount();
}
