package dev.zerolm.serve;

import dev.zerolm.autograd.GradMode;
import dev.zerolm.models.Bert;
import dev.zerolm.tensor.IntTensor;
import dev.zerolm.tensor.Tensor;
import dev.zerolm.tokenize.WordPiece;

/** A BERT encoder served at /v1/embeddings: a text's embedding is its pooled [CLS] vector. */
public record EncoderModel(String name, Bert model, WordPiece tokenizer) implements ServedModel {

    @Override
    public String kind() {
        return "encoder";
    }

    @Override
    public int contextLength() {
        return model.config().maxPositionEmbeddings();
    }

    /** [CLS] text [SEP] as ids; callers check the length against {@link #contextLength()}. */
    public int[] encode(String text) {
        return tokenizer.encodeForModel(text).ids();
    }

    /** The pooler output (H) of one encoded text. */
    public float[] embed(int[] ids) {
        try (var ignored = GradMode.noGrad()) {
            Tensor pooled = model.forward(IntTensor.of(ids, 1, ids.length), null, null).pooled();   // (1, H)
            return pooled.contiguous().toArray();
        }
    }
}
