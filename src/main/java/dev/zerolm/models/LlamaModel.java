package dev.zerolm.models;

import dev.zerolm.nn.Embedding;
import dev.zerolm.nn.GroupedQueryAttention;
import dev.zerolm.nn.KVCache;
import dev.zerolm.nn.Linear;
import dev.zerolm.nn.LlamaMlp;
import dev.zerolm.nn.Module;
import dev.zerolm.nn.ModuleList;
import dev.zerolm.nn.RMSNorm;
import dev.zerolm.nn.RotaryEmbedding;
import dev.zerolm.tensor.IntTensor;
import dev.zerolm.tensor.Rng;
import dev.zerolm.tensor.Shapes;
import dev.zerolm.tensor.ShapeException;
import dev.zerolm.tensor.Tensor;

/**
 * A Llama language model, as Hugging Face's LlamaForCausalLM computes it:
 * <pre>
 *   x = embed_tokens[idx]                                               (B, T, C)
 *   x = x + self_attn(input_layernorm(x))         RMSNorm, rotary GQA   (B, T, C)
 *   x = x + mlp(post_attention_layernorm(x))      RMSNorm, SiLU-gated   (B, T, C)   for each layer
 *   logits = lm_head(norm(x))                     untied unless the config ties it  (B, T, V)
 * </pre>
 * Parameter names are Hugging Face's ({@code model.embed_tokens.weight}, {@code model.layers.0.self_attn.q_proj.weight},
 * {@code lm_head.weight}, ...), so a state dict maps one to one onto a Llama checkpoint. With tied embeddings
 * there is no {@code lm_head}: the output layer is {@code model.embed_tokens.weight} itself.
 */
public final class LlamaModel extends Module implements CausalLM {

    private final LlamaConfig config;
    private final Backbone model;
    private final Linear lmHead; // (V, C), or null when tied

    /** One decoder layer: pre-norm attention and pre-norm MLP, each added to the residual stream. */
    public static final class DecoderLayer extends Module {
        private final RMSNorm inputLayernorm, postAttentionLayernorm;
        private final GroupedQueryAttention selfAttn;
        private final LlamaMlp mlp;

        DecoderLayer(LlamaConfig c, RotaryEmbedding rotary, Rng rng) {
            inputLayernorm = registerModule("input_layernorm", new RMSNorm(c.hiddenSize(), c.rmsNormEps()));
            selfAttn = registerModule("self_attn", new GroupedQueryAttention(c.hiddenSize(), c.numHeads(),
                    c.numKeyValueHeads(), c.headDim(), c.attentionBias(), rotary, rng));
            postAttentionLayernorm = registerModule("post_attention_layernorm", new RMSNorm(c.hiddenSize(), c.rmsNormEps()));
            mlp = registerModule("mlp", new LlamaMlp(c.hiddenSize(), c.intermediateSize(), c.mlpBias(), rng));
        }

        /** (B, T, C) -> (B, T, C); x holds positions [startPos, startPos + T). */
        public Tensor forward(Tensor x, KVCache.LayerCache cache, int startPos) {
            x = x.add(selfAttn.forward(inputLayernorm.forward(x), cache, startPos));
            return x.add(mlp.forward(postAttentionLayernorm.forward(x)));
        }

        /** One generation step for R independent sequences; see {@link GroupedQueryAttention#decodeRows}. */
        Tensor decodeRows(Tensor x, KVCache.LayerCache[] caches, int[] positions) {
            x = x.add(selfAttn.decodeRows(inputLayernorm.forward(x), caches, positions));
            return x.add(mlp.forward(postAttentionLayernorm.forward(x)));
        }

        public GroupedQueryAttention selfAttn() {
            return selfAttn;
        }
    }

    /** Hugging Face's inner LlamaModel ("model."): embeddings, layers, final norm. */
    private static final class Backbone extends Module {
        final Embedding embedTokens;
        final ModuleList<DecoderLayer> layers = new ModuleList<>();
        final RMSNorm norm;

        Backbone(LlamaConfig c, Rng rng) {
            embedTokens = registerModule("embed_tokens", new Embedding(c.vocabSize(), c.hiddenSize(), rng));
            RotaryEmbedding rotary = new RotaryEmbedding(c.headDim(), c.maxPositionEmbeddings(), c.ropeTheta());
            registerModule("layers", layers);
            for (int i = 0; i < c.numLayers(); i++) layers.add(new DecoderLayer(c, rotary, rng));
            norm = registerModule("norm", new RMSNorm(c.hiddenSize(), c.rmsNormEps()));
        }
    }

    public LlamaModel(LlamaConfig config, Rng rng) {
        this.config = config;
        this.model = registerModule("model", new Backbone(config, rng));
        this.lmHead = config.tieWordEmbeddings() ? null
                : registerModule("lm_head", new Linear(config.hiddenSize(), config.vocabSize(), false, rng));
        initWeights(rng);
    }

    /** Hugging Face's initialisation: every linear and embedding weight from N(0, 0.02), biases zero, norms one. */
    private void initWeights(Rng rng) {
        for (Module m : namedModules().values()) {
            if (m instanceof Linear linear) {
                linear.weight().copyFrom(Tensor.randn(rng, 0f, 0.02f, linear.weight().shape()));
                if (linear.bias() != null) linear.bias().fill(0f);
            } else if (m instanceof Embedding embedding) {
                embedding.weight().copyFrom(Tensor.randn(rng, 0f, 0.02f, embedding.weight().shape()));
            }
        }
    }

    @Override
    public Tensor forward(IntTensor idx, KVCache cache, int startPos) {
        Tensor x = hiddenStates(idx, cache, startPos);                              // (B, T, C)
        return lmHead != null ? lmHead.forward(x)                                  // (B, T, C) @ (C, V) -> (B, T, V)
                : x.matmul(model.embedTokens.weight().t());
    }

    /** R sequences advance one token each, sharing every projection; see {@link CausalLM#decodeStep}. */
    @Override
    public Tensor decodeStep(int[] tokens, KVCache[] caches, int[] positions) {
        CausalLM.requireDecodeRows(tokens, caches, positions, blockSize());
        int R = tokens.length;
        Tensor x = model.embedTokens.forward(IntTensor.of(tokens.clone(), R, 1));     // (R, 1, C)
        KVCache.LayerCache[] layerCaches = new KVCache.LayerCache[R];
        for (int i = 0; i < config.numLayers(); i++) {
            for (int r = 0; r < R; r++) layerCaches[r] = caches[r].layer(i);
            x = model.layers.get(i).decodeRows(x, layerCaches, positions);
        }
        x = model.norm.forward(x);
        Tensor logits = lmHead != null ? lmHead.forward(x) : x.matmul(model.embedTokens.weight().t());   // (R, 1, V)
        return logits.view(R, config.vocabSize());
    }

    @Override
    public Tensor hiddenStates(IntTensor idx) {
        return hiddenStates(idx, null, 0);
    }

    /** The output of the final RMSNorm (B, T, C): everything but the output layer. */
    private Tensor hiddenStates(IntTensor idx, KVCache cache, int startPos) {
        int[] s = idx.shape();
        if (s.length != 2) throw new ShapeException("Llama: token ids must be (B, T), got shape " + Shapes.str(s));
        int T = s[1];
        if (startPos < 0) throw new IllegalArgumentException("Llama: start position must not be negative, got " + startPos);
        if (startPos + T > config.maxPositionEmbeddings()) {
            throw new IllegalArgumentException("sequence length " + (startPos + T) + " exceeds the model's context of "
                    + config.maxPositionEmbeddings() + " positions");
        }
        Tensor x = model.embedTokens.forward(idx);                                  // (B, T, C)
        for (int i = 0; i < config.numLayers(); i++) {
            x = model.layers.get(i).forward(x, cache == null ? null : cache.layer(i), startPos);
        }
        return model.norm.forward(x);
    }

    @Override
    public KVCache newKVCache(int batchSize) {
        return new KVCache(config.numLayers(), batchSize, config.numKeyValueHeads(), config.maxPositionEmbeddings(),
                config.headDim());
    }

    @Override
    public int blockSize() {
        return config.maxPositionEmbeddings();
    }

    @Override
    public int vocabSize() {
        return config.vocabSize();
    }

    public LlamaConfig config() {
        return config;
    }

    public DecoderLayer layer(int i) {
        return model.layers.get(i);
    }

    /** The token embedding table (V, C). */
    public Tensor tokenEmbedding() {
        return model.embedTokens.weight();
    }
}
