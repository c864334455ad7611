package dev.zerolm.models;

import dev.zerolm.nn.Dropout;
import dev.zerolm.nn.Embedding;
import dev.zerolm.nn.LayerNorm;
import dev.zerolm.nn.Module;
import dev.zerolm.tensor.IntTensor;
import dev.zerolm.tensor.Rng;
import dev.zerolm.tensor.ShapeException;
import dev.zerolm.tensor.Tensor;

/**
 * BERT's input layer: x = LayerNorm(word[ids] + position[0..T) + tokenType[types]), then dropout.
 * Names match Hugging Face's BertEmbeddings ({@code word_embeddings}, {@code position_embeddings},
 * {@code token_type_embeddings}, {@code LayerNorm}).
 */
public final class BertEmbeddings extends Module {

    private final BertConfig config;
    private final Embedding wordEmbeddings;      // (V, H)
    private final Embedding positionEmbeddings;  // (maxPositions, H)
    private final Embedding tokenTypeEmbeddings; // (types, H)
    private final LayerNorm layerNorm;
    private final Dropout dropout;

    public BertEmbeddings(BertConfig c, Rng rng) {
        this.config = c;
        wordEmbeddings = registerModule("word_embeddings", new Embedding(c.vocabSize(), c.hiddenSize(), rng));
        positionEmbeddings = registerModule("position_embeddings", new Embedding(c.maxPositionEmbeddings(), c.hiddenSize(), rng));
        tokenTypeEmbeddings = registerModule("token_type_embeddings", new Embedding(c.typeVocabSize(), c.hiddenSize(), rng));
        layerNorm = registerModule("LayerNorm", new LayerNorm(c.hiddenSize(), c.layerNormEps(), true));
        dropout = registerModule("dropout", new Dropout(c.hiddenDropoutProb(), rng));
    }

    /** ids and tokenTypeIds (B, T) -> (B, T, H). */
    public Tensor forward(IntTensor ids, IntTensor tokenTypeIds) {
        int B = ids.shape()[0], T = ids.shape()[1];
        if (T > config.maxPositionEmbeddings()) {
            throw new IllegalArgumentException("BERT: sequence length " + T + " exceeds max_position_embeddings "
                    + config.maxPositionEmbeddings());
        }
        int[] types = tokenTypeIds.data();
        for (int i = 0; i < types.length; i++) {
            if (types[i] < 0 || types[i] >= config.typeVocabSize()) {
                throw new ShapeException("BERT: token type " + types[i] + " at position " + i + " is outside [0, "
                        + config.typeVocabSize() + ") (type_vocab_size)");
            }
        }
        Tensor words = withoutGradientToPadRow(wordEmbeddings.forward(ids), ids);    // (B, T, H)
        int[] positions = new int[T];
        for (int t = 0; t < T; t++) positions[t] = t;
        Tensor x = words
                .add(positionEmbeddings.forward(IntTensor.of(positions, T)))            // + (T, H)
                .add(tokenTypeEmbeddings.forward(tokenTypeIds));                        // + (B, T, H)
        return dropout.forward(layerNorm.forward(x));
    }

    /**
     * Hugging Face builds word_embeddings with padding_idx = pad_token_id, so the [PAD] row never learns from the
     * lookup: where an id is the pad id, the same values pass on detached.
     */
    private Tensor withoutGradientToPadRow(Tensor words, IntTensor ids) {
        int[] id = ids.data();
        float[] isPad = new float[id.length];
        boolean any = false;
        for (int i = 0; i < id.length; i++) {
            if (id[i] == config.padTokenId()) {
                isPad[i] = 1f;
                any = true;
            }
        }
        if (!any) return words;
        int[] shape = ids.shape();
        return Tensor.where(Tensor.of(isPad, shape[0], shape[1], 1), words.detach(), words);
    }

    public Embedding wordEmbeddings() {
        return wordEmbeddings;
    }
}
