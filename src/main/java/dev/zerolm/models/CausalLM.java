package dev.zerolm.models;

import dev.zerolm.nn.KVCache;
import dev.zerolm.tensor.IntTensor;
import dev.zerolm.tensor.NNOps;
import dev.zerolm.tensor.Tensor;

import java.util.ArrayList;
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
     * One generation step for R independent sequences, as a server batches concurrent requests: tokens[r] is the
     * token at positions[r] of sequence r, whose earlier tokens are in caches[r] (a cache of batch 1). Appends each
     * token to its cache and returns the next-token logits (R, V). This default runs one pass per sequence; models
     * that can share their projections across rows override it. Run inside GradMode.noGrad().
     */
    default Tensor decodeStep(int[] tokens, KVCache[] caches, int[] positions) {
        requireDecodeRows(tokens, caches, positions, blockSize());
        List<Tensor> rows = new ArrayList<>(tokens.length);
        for (int r = 0; r < tokens.length; r++) {
            rows.add(forward(IntTensor.of(new int[] {tokens[r]}, 1, 1), caches[r], positions[r]).view(1, vocabSize()));
        }
        return Tensor.cat(rows, 0);
    }

    /** Checks that decodeStep's arguments describe the same R rows, each position within the context. */
    static void requireDecodeRows(int[] tokens, KVCache[] caches, int[] positions, int context) {
        if (tokens.length != caches.length || tokens.length != positions.length || tokens.length == 0) {
            throw new IllegalArgumentException("decodeStep: " + tokens.length + " tokens, " + caches.length + " caches and "
                    + positions.length + " positions must be the same, non-zero count");
        }
        for (int r = 0; r < positions.length; r++) {
            if (positions[r] < 0 || positions[r] >= context) {
                throw new IllegalArgumentException("decodeStep: row " + r + " is at position " + positions[r]
                        + ", outside the model's context of " + context);
            }
        }
    }

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
