package dev.zerolm.models;

import dev.zerolm.autograd.Checkpoint;
import dev.zerolm.nn.Embedding;
import dev.zerolm.nn.LayerNorm;
import dev.zerolm.nn.Linear;
import dev.zerolm.nn.Module;
import dev.zerolm.nn.ModuleList;
import dev.zerolm.tensor.BufferPool;
import dev.zerolm.tensor.IntTensor;
import dev.zerolm.tensor.NNOps;
import dev.zerolm.tensor.Rng;
import dev.zerolm.tensor.Shapes;
import dev.zerolm.tensor.ShapeException;
import dev.zerolm.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Path;

/**
 * BERT, the bidirectional encoder, with its masked-language-model head, computing exactly what Hugging Face's
 * BertModel and BertForMaskedLM compute:
 * <pre>
 *   x = LayerNorm(word[ids] + position[0..T) + tokenType[types])     bert.embeddings          (B, T, H)
 *   x = layer.i(x, mask)  for i in 0..L                               bert.encoder.layer.i     (B, T, H)
 *   pooled = tanh(dense(x[:, 0]))                                     bert.pooler, on [CLS]    (B, H)
 *   logits = LayerNorm(gelu(dense(x))) @ wordᵀ + bias                 cls.predictions          (B, T, V)
 * </pre>
 * Parameter names are Hugging Face's ({@code bert.encoder.layer.0.attention.self.query.weight}, ...), so
 * {@link #fromPretrained} and {@link #savePretrained} read and write its checkpoints directly.
 */
public final class Bert extends Module {

    /** Masked-LM labels equal to this are not predicted (PyTorch's and Hugging Face's convention). */
    public static final int IGNORE_INDEX = -100;

    /** The encoder's results: every token's final vector, and the pooled [CLS] vector for sentence-level tasks. */
    public record Output(Tensor lastHiddenState, Tensor pooled) {}

    private final BertConfig config;
    private final Body bert;
    private final BertMlmHead cls;
    /** The generator the dropout layers draw from: a checkpointed layer replays it when it runs again. */
    private final Rng dropoutRng;
    private boolean gradientCheckpointing;

    /** Hugging Face's BertModel: what checkpoints store under {@code bert.}. */
    private static final class Body extends Module {
        final BertEmbeddings embeddings;
        final Encoder encoder;
        final Pooler pooler;

        Body(BertConfig c, Rng rng) {
            embeddings = registerModule("embeddings", new BertEmbeddings(c, rng));
            encoder = registerModule("encoder", new Encoder(c, rng));
            pooler = registerModule("pooler", new Pooler(c, rng));
        }
    }

    private static final class Encoder extends Module {
        final ModuleList<BertLayer> layer = new ModuleList<>();

        Encoder(BertConfig c, Rng rng) {
            registerModule("layer", layer);
            for (int i = 0; i < c.numHiddenLayers(); i++) layer.add(new BertLayer(c, rng));
        }
    }

    /** tanh(dense(h[:, 0])): the [CLS] token's vector, made into a sentence vector. */
    private static final class Pooler extends Module {
        final Linear dense;

        Pooler(BertConfig c, Rng rng) {
            dense = registerModule("dense", new Linear(c.hiddenSize(), c.hiddenSize(), true, rng));
        }

        Tensor forward(Tensor h) {
            return dense.forward(h.select(1, 0)).tanh();                  // (B, T, H) -> (B, H)
        }
    }

    /**
     * How a new model's weights are drawn. Either way biases are zero (the MLM bias too), LayerNorms weight 1 and
     * bias 0, embeddings N(0, initializer_range) and the [PAD] embedding row zero.
     */
    public enum Init {
        /** Hugging Face's: every linear weight N(0, initializer_range), 0.02 whatever the width. */
        HF,
        /**
         * Every linear weight N(0, 1 / fan_in), as T5 and OLMo draw them. HF's fixed 0.02 suits 768-wide layers
         * (1/sqrt(768) = 0.036); a 128-wide encoder's attention scores then start so flat that masked-LM training
         * sits on the unigram plateau for thousands of steps (measured: see README, Fine-tuning).
         */
        FAN_IN
    }

    /** A new BERT with Hugging Face's initialisation. */
    public Bert(BertConfig config, Rng rng) {
        this(config, rng, Init.HF);
    }

    public Bert(BertConfig config, Rng rng, Init init) {
        this.config = config;
        this.bert = registerModule("bert", new Body(config, rng));
        this.cls = registerModule("cls", new BertMlmHead(config, rng));
        this.dropoutRng = rng;
        initWeights(rng, init);
    }

    /**
     * Activation checkpointing, as {@link GPT#setGradientCheckpointing}: while training, each encoder layer keeps only
     * its input and runs again in backward. Results are unchanged.
     */
    public void setGradientCheckpointing(boolean on) {
        this.gradientCheckpointing = on;
    }

    private void initWeights(Rng rng, Init init) {
        float std = config.initializerRange();
        for (Module m : namedModules().values()) {
            if (m instanceof Linear linear) {
                int[] shape = linear.weight().shape();                   // (out, in)
                float linearStd = init == Init.FAN_IN ? (float) (1 / Math.sqrt(shape[1])) : std;
                linear.weight().copyFrom(Tensor.randn(rng, 0f, linearStd, shape));
                linear.bias().fill(0f);
            } else if (m instanceof Embedding embedding) {
                embedding.weight().copyFrom(Tensor.randn(rng, 0f, std, embedding.weight().shape()));
            } else if (m instanceof LayerNorm norm) {
                norm.weight().fill(1f);
                norm.bias().fill(0f);
            }
        }
        Tensor word = wordEmbeddings();
        for (int j = 0; j < config.hiddenSize(); j++) word.set(0f, config.padTokenId(), j);
    }

    /**
     * Encodes a batch. ids (B, T); tokenTypeIds (B, T), 0 for the first segment and 1 for the second (null: all 0);
     * attentionMask (B, T), 1 for a token and 0 for padding (null: no padding). Padded positions get vectors too,
     * which mean nothing; the real tokens' vectors do not depend on them.
     */
    public Output forward(IntTensor ids, IntTensor tokenTypeIds, IntTensor attentionMask) {
        int[] s = ids.shape();
        if (s.length != 2) throw new ShapeException("BERT: token ids must be (B, T), got shape " + Shapes.str(s));
        int B = s[0], T = s[1];
        if (tokenTypeIds == null) tokenTypeIds = IntTensor.of(new int[B * T], B, T);
        requireBatchShape("token type ids", tokenTypeIds, B, T);
        Tensor additiveMask = null;
        if (attentionMask != null) {
            requireBatchShape("attention mask", attentionMask, B, T);
            additiveMask = maskOrNull(attentionMask, B, T);
        }
        Tensor x = bert.embeddings.forward(ids, tokenTypeIds);                   // (B, T, H)
        Tensor mask = additiveMask;
        for (int i = 0; i < bert.encoder.layer.size(); i++) {
            BertLayer layer = bert.encoder.layer.get(i);
            Tensor in = x;
            x = gradientCheckpointing
                    ? Checkpoint.apply("layer." + i, l -> layer.forward(l, mask), x, dropoutRng)
                    : layer.forward(x, additiveMask);
            BufferPool.recycle(in);                     // no-grad: the stream between layers is dead once read
        }
        return new Output(x, bert.pooler.forward(x));
    }

    private static void requireBatchShape(String what, IntTensor t, int B, int T) {
        int[] s = t.shape();
        if (s.length != 2 || s[0] != B || s[1] != T) {
            throw new ShapeException("BERT: " + what + " of shape " + Shapes.str(s) + " does not match the ids' (" + B + "," + T + ")");
        }
    }

    /** The additive mask, or null when nothing is padded (adding zeros would change nothing). */
    private static Tensor maskOrNull(IntTensor attentionMask, int B, int T) {
        int[] m = attentionMask.data();
        boolean padded = false;
        for (int i = 0; i < m.length; i++) {
            if (m[i] != 0 && m[i] != 1) {
                throw new IllegalArgumentException("BERT: attention mask value " + m[i] + " at position " + i
                        + " must be 1 (token) or 0 (padding)");
            }
            padded |= m[i] == 0;
        }
        return padded ? BertSelfAttention.additiveMask(m, B, T) : null;
    }

    /** Masked-LM scores (B, T, V) for every position of the encoder's output (B, T, H). */
    public Tensor mlmLogits(Tensor lastHiddenState) {
        return cls.forward(lastHiddenState, wordEmbeddings());
    }

    /** Mean masked-LM cross-entropy of a batch; labels (B, T) hold the original ids at masked positions, else -100. */
    public Tensor mlmLoss(IntTensor ids, IntTensor tokenTypeIds, IntTensor attentionMask, IntTensor labels) {
        return mlmLoss(mlmLogits(forward(ids, tokenTypeIds, attentionMask).lastHiddenState()), labels);
    }

    /** Mean cross-entropy of logits (B, T, V) against labels (B, T), ignoring labels equal to {@link #IGNORE_INDEX}. */
    public static Tensor mlmLoss(Tensor logits, IntTensor labels) {
        return NNOps.crossEntropy(logits, labels, IGNORE_INDEX, NNOps.Reduction.MEAN);
    }

    public BertConfig config() {
        return config;
    }

    /** The word embedding table (V, H), which is also the MLM decoder's weight. */
    public Tensor wordEmbeddings() {
        return bert.embeddings.wordEmbeddings().weight();
    }

    public BertLayer layer(int i) {
        return bert.encoder.layer.get(i);
    }

    /** Reads a Hugging Face BERT directory (config.json + model.safetensors); see {@link BertCheckpoint#load}. */
    public static Bert fromPretrained(Path dir) throws IOException {
        return BertCheckpoint.load(dir).model();
    }

    /** Writes config.json and model.safetensors with Hugging Face's names; see {@link BertCheckpoint#save}. */
    public void savePretrained(Path dir) throws IOException {
        BertCheckpoint.save(this, dir);
    }
}
