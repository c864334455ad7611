package dev.zerolm.models;

/**
 * Everything that fixes a {@link LlamaModel}'s shape, under the meaning of Hugging Face's LlamaConfig fields
 * (hidden_size, intermediate_size, num_key_value_heads, rope_theta, ...).
 *
 * @param headDim               width of one attention head (hidden_size / num_attention_heads unless the config says)
 * @param maxPositionEmbeddings the longest sequence (context length) the model accepts
 * @param tieWordEmbeddings     whether the output layer reuses the token embedding table instead of its own lm_head
 * @param attentionBias         whether q/k/v/o projections have biases (Llama: no)
 * @param mlpBias               whether the gate/up/down projections have biases (Llama: no)
 */
public record LlamaConfig(int vocabSize, int hiddenSize, int intermediateSize, int numLayers, int numHeads,
                          int numKeyValueHeads, int headDim, int maxPositionEmbeddings, float rmsNormEps, float ropeTheta,
                          boolean tieWordEmbeddings, boolean attentionBias, boolean mlpBias) {

    public LlamaConfig {
        if (vocabSize <= 0 || hiddenSize <= 0 || intermediateSize <= 0 || numLayers <= 0 || numHeads <= 0
                || numKeyValueHeads <= 0 || headDim <= 0 || maxPositionEmbeddings <= 0) {
            throw new IllegalArgumentException("LlamaConfig: sizes must be positive: vocab " + vocabSize + ", hidden "
                    + hiddenSize + ", intermediate " + intermediateSize + ", layers " + numLayers + ", heads " + numHeads
                    + ", kv heads " + numKeyValueHeads + ", head dim " + headDim + ", positions " + maxPositionEmbeddings);
        }
        if (numHeads % numKeyValueHeads != 0) {
            throw new IllegalArgumentException("LlamaConfig: num_attention_heads " + numHeads
                    + " is not a multiple of num_key_value_heads " + numKeyValueHeads);
        }
        if (headDim % 2 != 0) throw new IllegalArgumentException("LlamaConfig: rotary positions need an even head_dim, got " + headDim);
        if (!(rmsNormEps > 0) || !(ropeTheta > 0)) {
            throw new IllegalArgumentException("LlamaConfig: rms_norm_eps " + rmsNormEps + " and rope_theta " + ropeTheta
                    + " must be positive");
        }
    }

    /** A Llama of the given shape with head_dim = hidden / heads, eps 1e-5, theta 10000, untied, no biases. */
    public static LlamaConfig of(int vocabSize, int hiddenSize, int intermediateSize, int numLayers, int numHeads,
                                 int numKeyValueHeads, int maxPositionEmbeddings) {
        if (numHeads <= 0 || hiddenSize % numHeads != 0) {
            throw new IllegalArgumentException("LlamaConfig: hidden_size " + hiddenSize + " is not divisible by "
                    + numHeads + " heads");
        }
        return new LlamaConfig(vocabSize, hiddenSize, intermediateSize, numLayers, numHeads, numKeyValueHeads,
                hiddenSize / numHeads, maxPositionEmbeddings, 1e-5f, 10000f, false, false, false);
    }

    /** The same model with a shorter (or longer) context, e.g. to cap the KV cache of a 128k-context model. */
    public LlamaConfig withMaxPositionEmbeddings(int positions) {
        return new LlamaConfig(vocabSize, hiddenSize, intermediateSize, numLayers, numHeads, numKeyValueHeads, headDim,
                positions, rmsNormEps, ropeTheta, tieWordEmbeddings, attentionBias, mlpBias);
    }

    public LlamaConfig withTiedEmbeddings(boolean tied) {
        return new LlamaConfig(vocabSize, hiddenSize, intermediateSize, numLayers, numHeads, numKeyValueHeads, headDim,
                maxPositionEmbeddings, rmsNormEps, ropeTheta, tied, attentionBias, mlpBias);
    }

    /** Query heads that share one key/value head. */
    public int groupSize() {
        return numHeads / numKeyValueHeads;
    }
}
