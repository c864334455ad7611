package dev.zerolm.models;

import dev.zerolm.nn.Activation;
import dev.zerolm.nn.Dropout;
import dev.zerolm.nn.LayerNorm;
import dev.zerolm.nn.Linear;
import dev.zerolm.nn.Module;
import dev.zerolm.nn.SublayerHook;
import dev.zerolm.nn.SublayerHost;
import dev.zerolm.tensor.BufferPool;
import dev.zerolm.tensor.Rng;
import dev.zerolm.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * One BERT encoder layer, post-LayerNorm (the norm comes after each residual sum, unlike GPT-2):
 * <pre>
 *   a = LayerNorm(x + dropout(dense(selfAttention(x))))        attention.self, attention.output
 *   y = LayerNorm(a + dropout(dense(act(dense(a)))))           intermediate, output
 * </pre>
 * Module names follow Hugging Face's BertLayer.
 */
public final class BertLayer extends Module implements SublayerHost {

    private final BertAttention attention;
    private final BertIntermediate intermediate;
    private final AddAndNorm output;

    public BertLayer(BertConfig c, Rng rng) {
        attention = registerModule("attention", new BertAttention(c, rng));
        intermediate = registerModule("intermediate", new BertIntermediate(c, rng));
        output = registerModule("output", new AddAndNorm(c.intermediateSize(), c, rng));
    }

    /** x (B, T, H), additiveMask (B, 1, 1, T) or null -> (B, T, H). */
    public Tensor forward(Tensor x, Tensor additiveMask) {
        Tensor a = attention.forward(x, additiveMask);
        Tensor wide = intermediate.forward(a);
        Tensor y = output.forward(wide, a);
        BufferPool.recycle(a, wide);                                       // no-grad: only y leaves
        return y;
    }

    /** The hook sees the layer's input and attention.output.dense's result; it is attention.output's child. */
    @Override
    public <H extends SublayerHook> H attachToAttention(String name, H hook) {
        return attention.output.attach(name, hook);
    }

    /** The hook sees the feed-forward's input and output.dense's result; it is output's child. */
    @Override
    public <H extends SublayerHook> H attachToFeedForward(String name, H hook) {
        return output.attach(name, hook);
    }

    /** Hugging Face's BertAttention: self-attention, then its output projection, residual and norm. */
    private static final class BertAttention extends Module {
        final BertSelfAttention self;
        final AddAndNorm output;

        BertAttention(BertConfig c, Rng rng) {
            self = registerModule("self", new BertSelfAttention(c, rng));
            output = registerModule("output", new AddAndNorm(c.hiddenSize(), c, rng));
        }

        Tensor forward(Tensor x, Tensor additiveMask) {
            Tensor context = self.forward(x, additiveMask);
            Tensor y = output.forward(context, x);
            BufferPool.recycle(context);
            return y;
        }
    }

    /** The widening half of the feed-forward layer: (B, T, H) -> (B, T, I) through hidden_act. */
    private static final class BertIntermediate extends Module {
        final Linear dense;
        final Activation activation;

        BertIntermediate(BertConfig c, Rng rng) {
            dense = registerModule("dense", new Linear(c.hiddenSize(), c.intermediateSize(), true, rng));
            activation = c.activation();
        }

        Tensor forward(Tensor x) {
            Tensor h = dense.forward(x);
            Tensor y = activation.apply(h);
            if (y != h) BufferPool.recycle(h);
            return y;
        }
    }

    /** Hugging Face's BertSelfOutput and BertOutput: LayerNorm(residual + dropout(dense(x))), (..., in) -> (..., H). */
    private static final class AddAndNorm extends Module {
        final Linear dense;
        final LayerNorm layerNorm;
        final Dropout dropout;

        AddAndNorm(int in, BertConfig c, Rng rng) {
            dense = registerModule("dense", new Linear(in, c.hiddenSize(), true, rng));
            layerNorm = registerModule("LayerNorm", new LayerNorm(c.hiddenSize(), c.layerNormEps(), true));
            dropout = registerModule("dropout", new Dropout(c.hiddenDropoutProb(), rng));
        }

        final List<SublayerHook> hooks = new ArrayList<>();

        /** The residual is what the sublayer read, so a hook sees (residual, dense's output). */
        Tensor forward(Tensor x, Tensor residual) {
            Tensor z = dense.forward(x);
            Tensor y = SublayerHook.applyAll(hooks, residual, z);
            Tensor d = dropout.forward(y);
            Tensor sum = d.add(residual);
            Tensor out = layerNorm.forward(sum);
            BufferPool.recycle(z, y, d, sum);                             // no-grad: dead (one given twice is pooled once)
            return out;
        }

        <H extends SublayerHook> H attach(String name, H hook) {
            registerModule(name, hook);
            hooks.add(hook);
            return hook;
        }
    }
}
