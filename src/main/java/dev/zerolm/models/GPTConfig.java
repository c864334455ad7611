package dev.zerolm.models;

import dev.zerolm.nn.Activation;
import dev.zerolm.nn.BlockConfig;
import dev.zerolm.nn.FeedForwardKind;
import dev.zerolm.nn.NormKind;
import dev.zerolm.nn.PositionalEncoding;

/**
 * Everything that fixes a {@link GPT}'s shape. A plain record, so Jackson writes and reads it as JSON next to a
 * checkpoint. GPT-2's choices are LEARNED positions, LAYER_NORM, a GELU_TANH MLP and biases; {@link #llamaStyle()}
 * switches to rotary positions, RMSNorm and SwiGLU without biases.
 *
 * @param blockSize  the longest sequence (context length) the model accepts
 * @param dropout    dropout probability on embeddings, attention weights and residual branches while training
 * @param bias       whether linear layers and LayerNorms have biases
 * @param ropeTheta  base of the rotary angles (10000 in GPT-NeoX and Llama 2); unused unless positional is ROTARY
 * @param normEps    epsilon of every norm
 */
public record GPTConfig(int vocabSize, int blockSize, int nLayer, int nHead, int nEmbd, float dropout, boolean bias,
                        PositionalEncoding positional, float ropeTheta, NormKind norm, FeedForwardKind feedForward,
                        Activation activation, float normEps) {

    /** GPT-2's vocabulary: 50,000 BPE merges, 256 byte tokens and the end-of-text token. */
    public static final int GPT2_VOCAB_SIZE = 50257;

    public GPTConfig {
        if (vocabSize <= 0 || blockSize <= 0 || nLayer <= 0 || nHead <= 0 || nEmbd <= 0) {
            throw new IllegalArgumentException("GPTConfig: sizes must be positive: vocab " + vocabSize + ", block " + blockSize
                    + ", layers " + nLayer + ", heads " + nHead + ", embd " + nEmbd);
        }
        if (nEmbd % nHead != 0) {
            throw new IllegalArgumentException("GPTConfig: n_embd " + nEmbd + " is not divisible by n_head " + nHead);
        }
        if (positional == PositionalEncoding.ROTARY && (nEmbd / nHead) % 2 != 0) {
            throw new IllegalArgumentException("GPTConfig: rotary positions need an even head size, got " + nEmbd / nHead);
        }
        if (positional == PositionalEncoding.SINUSOIDAL && nEmbd % 2 != 0) {
            throw new IllegalArgumentException("GPTConfig: sinusoidal positions need an even n_embd, got " + nEmbd);
        }
        if (dropout < 0 || dropout >= 1) throw new IllegalArgumentException("GPTConfig: dropout must be in [0, 1), got " + dropout);
        if (positional == null || norm == null || feedForward == null || activation == null) {
            throw new IllegalArgumentException("GPTConfig: positional, norm, feedForward and activation must be set");
        }
    }

    /** A GPT-2-style model of the given shape (learned positions, LayerNorm, GELU MLP, biases, no dropout). */
    public static GPTConfig gpt2(int vocabSize, int blockSize, int nLayer, int nHead, int nEmbd) {
        return new GPTConfig(vocabSize, blockSize, nLayer, nHead, nEmbd, 0f, true, PositionalEncoding.LEARNED, 10000f,
                NormKind.LAYER_NORM, FeedForwardKind.MLP, Activation.GELU_TANH, 1e-5f);
    }

    /** 4 layers, 4 heads, 128 wide, context 64: trains in minutes on a CPU. */
    public static GPTConfig tiny(int vocabSize) {
        return gpt2(vocabSize, 64, 4, 4, 128);
    }

    public static GPTConfig tiny() {
        return tiny(GPT2_VOCAB_SIZE);
    }

    /** nanoGPT's Shakespeare-char model: 6 layers, 6 heads, 384 wide, context 256, dropout 0.2. */
    public static GPTConfig small(int vocabSize) {
        return gpt2(vocabSize, 256, 6, 6, 384).withDropout(0.2f);
    }

    public static GPTConfig small() {
        return small(GPT2_VOCAB_SIZE);
    }

    public int headSize() {
        return nEmbd / nHead;
    }

    /** The configuration shared by every block. */
    public BlockConfig blockConfig() {
        return new BlockConfig(nEmbd, nHead, bias, dropout, normEps, norm, feedForward, activation);
    }

    public GPTConfig withVocabSize(int v) {
        return new GPTConfig(v, blockSize, nLayer, nHead, nEmbd, dropout, bias, positional, ropeTheta, norm, feedForward,
                activation, normEps);
    }

    public GPTConfig withBlockSize(int b) {
        return new GPTConfig(vocabSize, b, nLayer, nHead, nEmbd, dropout, bias, positional, ropeTheta, norm, feedForward,
                activation, normEps);
    }

    public GPTConfig withDropout(float p) {
        return new GPTConfig(vocabSize, blockSize, nLayer, nHead, nEmbd, p, bias, positional, ropeTheta, norm, feedForward,
                activation, normEps);
    }

    public GPTConfig withPositional(PositionalEncoding p) {
        return new GPTConfig(vocabSize, blockSize, nLayer, nHead, nEmbd, dropout, bias, p, ropeTheta, norm, feedForward,
                activation, normEps);
    }

    /** Llama's choices on this shape: rotary positions, RMSNorm (eps 1e-6), SwiGLU, no biases. */
    public GPTConfig llamaStyle() {
        return new GPTConfig(vocabSize, blockSize, nLayer, nHead, nEmbd, dropout, false, PositionalEncoding.ROTARY, ropeTheta,
                NormKind.RMS_NORM, FeedForwardKind.SWIGLU, Activation.SILU, 1e-6f);
    }
}
