package dev.zerolm.nn;

import dev.zerolm.tensor.BufferPool;
import dev.zerolm.tensor.Rng;
import dev.zerolm.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * One pre-norm transformer block, as in GPT-2 and nanoGPT:
 * <pre>
 *   x = x + attn(ln_1(x))     // tokens exchange information
 *   x = x + mlp(ln_2(x))      // each token is processed on its own
 * </pre>
 * The residual stream x keeps its shape (B, T, C) throughout.
 */
public final class TransformerBlock extends Module implements SublayerHost {

    private final Layer ln1;
    private final MultiHeadSelfAttention attn;
    private final Layer ln2;
    private final Layer mlp;
    private final List<SublayerHook> attnHooks = new ArrayList<>(), mlpHooks = new ArrayList<>();

    /** rotary may be null (positions then come from the embeddings). */
    public TransformerBlock(BlockConfig config, RotaryEmbedding rotary, Rng rng) {
        int C = config.nEmbd();
        this.ln1 = registerModule("ln_1", config.norm().create(C, config.normEps(), config.bias()));
        this.attn = registerModule("attn",
                new MultiHeadSelfAttention(C, config.nHead(), config.bias(), config.dropout(), true, rotary, rng));
        this.ln2 = registerModule("ln_2", config.norm().create(C, config.normEps(), config.bias()));
        this.mlp = registerModule("mlp", config.feedForward().create(C, config.bias(), config.activation(), config.dropout(), rng));
    }

    /** (B, T, C) -> (B, T, C). */
    public Tensor forward(Tensor x) {
        return forward(x, null, null, 0);
    }

    /**
     * keyPaddingMask (B, Tk) marks real tokens 1 and padding 0 (null: none); cache (null: none) holds this
     * block's earlier keys and values, x being the tokens at positions [startPos, startPos + T).
     */
    public Tensor forward(Tensor x, Tensor keyPaddingMask, KVCache.LayerCache cache, int startPos) {
        Tensor h = ln1.forward(x);
        Tensor a = SublayerHook.applyAll(attnHooks, h, attn.forward(h, keyPaddingMask, cache, startPos));
        return residualThenFeedForward(x, h, a);
    }

    /** One generation step for R independent sequences, each with its own cache; see {@link MultiHeadSelfAttention#decodeRows}. */
    public Tensor decodeRows(Tensor x, KVCache.LayerCache[] caches, int[] positions) {
        Tensor h = ln1.forward(x);
        Tensor a = SublayerHook.applyAll(attnHooks, h, attn.decodeRows(h, caches, positions));
        return residualThenFeedForward(x, h, a);
    }

    /**
     * x + a, then the feed-forward half. Without grad the block's own temporaries (each norm's output, each
     * sublayer's, the stream between the halves) go back to the {@link BufferPool} as soon as they are used; x is
     * the caller's and stays.
     */
    private Tensor residualThenFeedForward(Tensor x, Tensor h, Tensor a) {
        Tensor mid = x.add(a);
        BufferPool.recycle(h, a);
        Tensor h2 = ln2.forward(mid);
        Tensor m = SublayerHook.applyAll(mlpHooks, h2, mlp.forward(h2));
        Tensor out = mid.add(m);
        BufferPool.recycle(h2, m, mid);
        return out;
    }

    /** The hook sees ln_1(x) and attn's output; it is attn's child, run by the block, which holds both. */
    @Override
    public <H extends SublayerHook> H attachToAttention(String name, H hook) {
        attn.registerModule(name, hook);
        attnHooks.add(hook);
        return hook;
    }

    /** The hook sees ln_2(x) and mlp's output; it is mlp's child. */
    @Override
    public <H extends SublayerHook> H attachToFeedForward(String name, H hook) {
        mlp.registerModule(name, hook);
        mlpHooks.add(hook);
        return hook;
    }

    public MultiHeadSelfAttention attn() {
        return attn;
    }
}
