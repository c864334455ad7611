package dev.zerolm.nn;

/**
 * The shape of one transformer block: width, heads, whether linear layers and norms have biases, dropout, and
 * which norm and feed-forward layer it uses. {@link #gpt2} gives nanoGPT's choices.
 */
public record BlockConfig(int nEmbd, int nHead, boolean bias, float dropout, float normEps, NormKind norm,
                          FeedForwardKind feedForward, Activation activation) {

    public BlockConfig {
        if (nEmbd <= 0 || nHead <= 0 || nEmbd % nHead != 0) {
            throw new IllegalArgumentException("block: n_embd " + nEmbd + " must be a positive multiple of n_head " + nHead);
        }
        if (dropout < 0 || dropout >= 1) throw new IllegalArgumentException("block: dropout must be in [0, 1), got " + dropout);
    }

    /** LayerNorm (eps 1e-5), 4x GELU-tanh MLP, biases, no dropout. */
    public static BlockConfig gpt2(int nEmbd, int nHead) {
        return new BlockConfig(nEmbd, nHead, true, 0f, 1e-5f, NormKind.LAYER_NORM, FeedForwardKind.MLP, Activation.GELU_TANH);
    }
}
