package dev.zerolm.models;

import dev.zerolm.nn.Activation;
import dev.zerolm.nn.LayerNorm;
import dev.zerolm.nn.Linear;
import dev.zerolm.nn.Module;
import dev.zerolm.tensor.Rng;
import dev.zerolm.tensor.Tensor;

/**
 * BERT's masked-language-model head, Hugging Face's {@code cls.predictions}:
 * <pre>
 *   t = LayerNorm(act(dense(h)))            predictions.transform       (B, T, H)
 *   logits = t @ wordEmbeddingsᵀ + bias     decoder tied to the input   (B, T, V)
 * </pre>
 * The decoder weight is the word embedding table itself, so it is not a parameter here.
 */
public final class BertMlmHead extends Module {

    private final Predictions predictions;

    public BertMlmHead(BertConfig c, Rng rng) {
        predictions = registerModule("predictions", new Predictions(c, rng));
    }

    /** h (B, T, H) and the word embeddings (V, H) -> logits (B, T, V). */
    public Tensor forward(Tensor h, Tensor wordEmbeddings) {
        Predictions p = predictions;
        Tensor t = p.transform.layerNorm.forward(p.transform.activation.apply(p.transform.dense.forward(h)));
        return t.matmul(wordEmbeddings.t()).add(p.bias);                         // (B, T, H) @ (H, V) -> (B, T, V)
    }

    private static final class Predictions extends Module {
        final Transform transform;
        final Tensor bias;                                                       // (V)

        Predictions(BertConfig c, Rng rng) {
            transform = registerModule("transform", new Transform(c, rng));
            bias = registerParameter("bias", Tensor.zeros(c.vocabSize()));
        }
    }

    private static final class Transform extends Module {
        final Linear dense;
        final Activation activation;
        final LayerNorm layerNorm;

        Transform(BertConfig c, Rng rng) {
            dense = registerModule("dense", new Linear(c.hiddenSize(), c.hiddenSize(), true, rng));
            activation = c.activation();
            layerNorm = registerModule("LayerNorm", new LayerNorm(c.hiddenSize(), c.layerNormEps(), true));
        }
    }
}
