package dev.zerolm.models;

import dev.zerolm.autograd.Checkpoint;
import dev.zerolm.nn.Dropout;
import dev.zerolm.nn.Embedding;
import dev.zerolm.nn.KVCache;
import dev.zerolm.nn.Layer;
import dev.zerolm.nn.Linear;
import dev.zerolm.nn.Module;
import dev.zerolm.nn.ModuleList;
import dev.zerolm.nn.PositionalEncoding;
import dev.zerolm.nn.RotaryEmbedding;
import dev.zerolm.nn.SinusoidalPositionalEncoding;
import dev.zerolm.nn.TransformerBlock;
import dev.zerolm.tensor.BufferPool;
import dev.zerolm.tensor.IntTensor;
import dev.zerolm.tensor.NNOps;
import dev.zerolm.tensor.Rng;
import dev.zerolm.tensor.Shapes;
import dev.zerolm.tensor.ShapeException;
import dev.zerolm.tensor.Tensor;

/**
 * A GPT language model, as in GPT-2 and nanoGPT. Given token ids it predicts, at every position, a score for
 * each possible next token:
 * <pre>
 *   x = wte[idx] + wpe[0..T)              token embedding + position embedding     (B, T, C)
 *   x = h.i(x)  for i in 0..nLayer        pre-norm attention + MLP blocks           (B, T, C)
 *   logits = ln_f(x) @ wteᵀ               the output layer (lm_head) reuses wte     (B, T, V)
 * </pre>
 * Parameter names match nanoGPT ({@code transformer.wte.weight}, {@code transformer.h.0.attn.c_attn.weight}, ...).
 * The lm_head is tied to wte: the very same tensor, listed once, under {@code transformer.wte.weight}, so an
 * optimiser updates it once with the sum of both gradients.
 */
public final class GPT extends Module implements CausalLM {

    private final GPTConfig config;
    private final Transformer transformer;
    /** The generator the dropout layers draw from: a checkpointed block replays it when it runs again. */
    private final Rng dropoutRng;
    private boolean gradientCheckpointing;

    /** nanoGPT's {@code transformer} dict: embeddings, blocks and the final norm. */
    private static final class Transformer extends Module {
        final Embedding wte;                        // (V, C) token embeddings, also the output layer
        final Embedding wpe;                        // (blockSize, C) learned positions, or null
        final SinusoidalPositionalEncoding wpeSin;  // fixed positions, or null
        final Dropout drop;
        final ModuleList<TransformerBlock> h = new ModuleList<>();
        final Layer lnF;

        Transformer(GPTConfig c, Rng rng) {
            wte = registerModule("wte", new Embedding(c.vocabSize(), c.nEmbd(), rng));
            wpe = c.positional() == PositionalEncoding.LEARNED
                    ? registerModule("wpe", new Embedding(c.blockSize(), c.nEmbd(), rng)) : null;
            wpeSin = c.positional() == PositionalEncoding.SINUSOIDAL
                    ? registerModule("wpe", new SinusoidalPositionalEncoding(c.blockSize(), c.nEmbd())) : null;
            drop = registerModule("drop", new Dropout(c.dropout(), rng));
            RotaryEmbedding rotary = c.positional() == PositionalEncoding.ROTARY
                    ? new RotaryEmbedding(c.headSize(), c.blockSize(), c.ropeTheta()) : null;
            registerModule("h", h);
            for (int i = 0; i < c.nLayer(); i++) h.add(new TransformerBlock(c.blockConfig(), rotary, rng));
            lnF = registerModule("ln_f", c.norm().create(c.nEmbd(), c.normEps(), c.bias()));
        }
    }

    public GPT(GPTConfig config, Rng rng) {
        this.config = config;
        this.transformer = registerModule("transformer", new Transformer(config, rng));
        this.dropoutRng = rng;
        initWeights(rng);
    }

    /**
     * GPT-2's initialisation: weights of linear layers and embeddings from N(0, 0.02), biases zero, and the
     * projections that write into the residual stream (c_proj, SwiGLU's w2) from N(0, 0.02/√(2·nLayer)), so the
     * stream's variance does not grow with depth. Norms keep weight 1 and bias 0.
     */
    private void initWeights(Rng rng) {
        float std = 0.02f, residualStd = (float) (0.02 / Math.sqrt(2.0 * config.nLayer()));
        for (var e : namedModules().entrySet()) {
            if (e.getValue() instanceof Linear linear) {
                boolean residual = e.getKey().endsWith(".c_proj") || e.getKey().endsWith(".w2");
                linear.weight().copyFrom(Tensor.randn(rng, 0f, residual ? residualStd : std, linear.weight().shape()));
                if (linear.bias() != null) linear.bias().fill(0f);
            } else if (e.getValue() instanceof Embedding embedding) {
                embedding.weight().copyFrom(Tensor.randn(rng, 0f, std, embedding.weight().shape()));
            }
        }
    }

    @Override
    public Tensor forward(IntTensor idx, KVCache cache, int startPos) {
        Tensor x = hiddenStates(idx, null, cache, startPos);                    // (B, T, C)
        Tensor logits = x.matmul(transformer.wte.weight().t());                   // (B, T, C) @ (C, V) -> (B, T, V)
        BufferPool.recycle(x);                                                    // no-grad: only the logits leave
        return logits;
    }

    /** Logits one chunk of the fused loss holds while checkpointing (32 MB): memory first, ~4% of a GPT-2 step slower. */
    private static final int CHECKPOINTED_LOGIT_FLOATS = 1 << 23;

    /**
     * Mean cross-entropy of the next-token predictions, with the output layer fused into the loss
     * ({@link NNOps#linearCrossEntropy}): the logits are not kept for backward and their gradient is made in
     * place. With gradient checkpointing on they are also made in small chunks of rows, never all at once.
     */
    @Override
    public Tensor loss(IntTensor idx, IntTensor targets) {
        Tensor x = hiddenStates(idx, null, null, 0);                                    // (B, T, C)
        int rows = gradientCheckpointing ? Math.max(1, CHECKPOINTED_LOGIT_FLOATS / config.vocabSize()) : 0;
        return NNOps.linearCrossEntropy(x, transformer.wte.weight(), targets, IGNORE_INDEX, rows);  // (B,T,C)@(C,V) -> loss
    }

    /**
     * Activation checkpointing (Hugging Face's gradient_checkpointing_enable): while on, a training forward pass
     * keeps only each block's input and backward runs the block again to differentiate it, and the loss makes
     * its logits in 32 MB chunks. Activation memory drops from all blocks' to one block's; a step costs about one
     * more forward pass. Results are unchanged.
     */
    public void setGradientCheckpointing(boolean on) {
        this.gradientCheckpointing = on;
    }

    /** R sequences advance one token each, sharing every projection; see {@link CausalLM#decodeStep}. */
    @Override
    public Tensor decodeStep(int[] tokens, KVCache[] caches, int[] positions) {
        if (config.positional() == PositionalEncoding.SINUSOIDAL) return CausalLM.super.decodeStep(tokens, caches, positions);
        CausalLM.requireDecodeRows(tokens, caches, positions, blockSize());
        int R = tokens.length;
        Tensor x = transformer.wte.forward(IntTensor.of(tokens.clone(), R, 1));            // (R, 1, C)
        if (config.positional() == PositionalEncoding.LEARNED) {
            x = x.add(transformer.wpe.forward(IntTensor.of(positions.clone(), R, 1)));     // + each row's position (R, 1, C)
        }
        x = transformer.drop.forward(x);
        KVCache.LayerCache[] layerCaches = new KVCache.LayerCache[R];
        for (int i = 0; i < config.nLayer(); i++) {
            for (int r = 0; r < R; r++) layerCaches[r] = caches[r].layer(i);
            x = transformer.h.get(i).decodeRows(x, layerCaches, positions);              // rotary positions: per row inside
        }
        return transformer.lnF.forward(x).matmul(transformer.wte.weight().t()).view(R, config.vocabSize());   // (R, V)
    }

    /**
     * The final-norm hidden states (B, T, C) that the output layer reads, for classification heads. attentionMask
     * (B, T) is 1 for a token and 0 for padding (null: none), so no token attends to padding.
     */
    public Tensor hiddenStates(IntTensor idx, IntTensor attentionMask) {
        Tensor mask = null;
        if (attentionMask != null) {
            if (!java.util.Arrays.equals(attentionMask.shape(), idx.shape())) {
                throw new ShapeException("GPT: attention mask of shape " + Shapes.str(attentionMask.shape())
                        + " does not match the ids' " + Shapes.str(idx.shape()));
            }
            float[] m = new float[attentionMask.numel()];
            for (int i = 0; i < m.length; i++) m[i] = attentionMask.data()[i];
            mask = Tensor.of(m, attentionMask.shape());
        }
        return hiddenStates(idx, mask, null, 0);
    }

    @Override
    public Tensor hiddenStates(IntTensor idx) {
        return hiddenStates(idx, null, null, 0);
    }

    private Tensor hiddenStates(IntTensor idx, Tensor keyPaddingMask, KVCache cache, int startPos) {
        int[] s = idx.shape();
        if (s.length != 2) throw new ShapeException("GPT: token ids must be (B, T), got shape " + Shapes.str(s));
        int T = s[1];
        if (startPos < 0) throw new IllegalArgumentException("GPT: start position must not be negative, got " + startPos);
        if (startPos + T > config.blockSize()) {
            throw new IllegalArgumentException("sequence length " + (startPos + T) + " exceeds the model's block size "
                    + config.blockSize());
        }
        Tensor x = transformer.wte.forward(idx);                                    // (B, T, C)
        x = switch (config.positional()) {
            case LEARNED -> x.add(transformer.wpe.forward(range(startPos, T)));     // + (T, C)
            case SINUSOIDAL -> x.add(transformer.wpeSin.forward(startPos, T));      // + (T, C)
            case ROTARY -> x;                                                       // rotated inside attention
        };
        x = transformer.drop.forward(x);
        for (int i = 0; i < config.nLayer(); i++) {
            TransformerBlock block = transformer.h.get(i);
            Tensor in = x;
            if (gradientCheckpointing && cache == null) {
                x = Checkpoint.apply("h." + i, b -> block.forward(b, keyPaddingMask, null, startPos), in, dropoutRng);
            } else {
                x = block.forward(in, keyPaddingMask, cache == null ? null : cache.layer(i), startPos);
            }
            BufferPool.recycle(in);                     // no-grad: the stream made here is dead once the block has run
        }
        Tensor out = transformer.lnF.forward(x);
        BufferPool.recycle(x);
        return out;
    }

    /** Mean cross-entropy of logits (B, T, V) against targets (B, T); see {@link CausalLM#crossEntropy}. */
    public static Tensor crossEntropy(Tensor logits, IntTensor targets) {
        return CausalLM.crossEntropy(logits, targets);
    }

    @Override
    public KVCache newKVCache(int batchSize) {
        return new KVCache(config.nLayer(), batchSize, config.nHead(), config.blockSize(), config.headSize());
    }

    @Override
    public int blockSize() {
        return config.blockSize();
    }

    @Override
    public int vocabSize() {
        return config.vocabSize();
    }

    public GPTConfig config() {
        return config;
    }

    public TransformerBlock block(int i) {
        return transformer.h.get(i);
    }

    /** The token embedding table (V, C), which is also the output layer. */
    public Tensor tokenEmbedding() {
        return transformer.wte.weight();
    }

    private static IntTensor range(int start, int T) {
        int[] p = new int[T];
        for (int i = 0; i < T; i++) p[i] = start + i;
        return IntTensor.of(p, T);
    }
}
