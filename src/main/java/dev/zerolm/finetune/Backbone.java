package dev.zerolm.finetune;

import dev.zerolm.models.Bert;
import dev.zerolm.models.GPT;
import dev.zerolm.nn.Module;
import dev.zerolm.nn.SublayerHook;
import dev.zerolm.nn.SublayerHost;
import dev.zerolm.tensor.IntTensor;
import dev.zerolm.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A pretrained network seen as what a task head needs: a vector per token. Module paths (LoRA targets, frozen
 * blocks) are relative to {@link #module()}, so they match Hugging Face's names ({@code bert.encoder.layer.0...},
 * {@code transformer.h.0...}).
 */
public sealed interface Backbone permits Backbone.GptBackbone, Backbone.BertBackbone {

    /** ids (B, T), attentionMask (B, T) with 1 for a token and 0 for padding (null: none) -> (B, T, C). */
    Tensor hiddenStates(IntTensor ids, IntTensor attentionMask);

    /** The network itself, registered under the task model as its {@code backbone} child. */
    Module module();

    /** C: the width of every hidden state. */
    int hiddenSize();

    /** The longest sequence the network accepts. */
    int maxLength();

    int numBlocks();

    /** Module path of block i, e.g. {@code transformer.h.3}. */
    String blockPath(int i);

    /** "gpt" or "bert", as written in a fine-tuned model's config. */
    String kind();

    /** The sequence pooling that suits the network: [CLS] for an encoder, the last token for a causal model. */
    Pooling defaultPooling();

    /** Paths of the linear layers that write a sublayer's result back into the residual stream (adapter sites). */
    List<String> sublayerOutputPaths();

    /** Block i, whose sublayers take hooks. */
    SublayerHost block(int i);

    /**
     * Attaches a hook from make to every attention and feed-forward sublayer, as a child called name (parallel
     * adapter sites); returns them by module path, block 0's attention first. Each hangs from the module that owns
     * the sublayer's output layer ({@link #sublayerOutputPaths()}), e.g. {@code transformer.h.0.attn.adapter}.
     */
    default <H extends SublayerHook> Map<String, H> attachToSublayers(String name, Supplier<H> make) {
        List<String> outputs = sublayerOutputPaths();   // per block: attention's, then the feed-forward's
        Map<String, H> out = new LinkedHashMap<>();
        for (int i = 0; i < numBlocks(); i++) {
            out.put(parentOf(outputs.get(2 * i)) + "." + name, block(i).attachToAttention(name, make.get()));
            out.put(parentOf(outputs.get(2 * i + 1)) + "." + name, block(i).attachToFeedForward(name, make.get()));
        }
        return out;
    }

    private static String parentOf(String path) {
        return path.substring(0, path.lastIndexOf('.'));
    }

    /** Activation checkpointing of the blocks while training (see {@link GPT#setGradientCheckpointing}). */
    void setGradientCheckpointing(boolean on);

    static Backbone of(GPT gpt) {
        return new GptBackbone(gpt);
    }

    static Backbone of(Bert bert) {
        return new BertBackbone(bert);
    }

    /** A causal GPT: token i sees tokens 0..i, so the last real token has read the whole sequence. */
    record GptBackbone(GPT gpt) implements Backbone {
        @Override public Tensor hiddenStates(IntTensor ids, IntTensor attentionMask) { return gpt.hiddenStates(ids, attentionMask); }
        @Override public Module module() { return gpt; }
        @Override public SublayerHost block(int i) { return gpt.block(i); }
        @Override public void setGradientCheckpointing(boolean on) { gpt.setGradientCheckpointing(on); }
        @Override public int hiddenSize() { return gpt.config().nEmbd(); }
        @Override public int maxLength() { return gpt.config().blockSize(); }
        @Override public int numBlocks() { return gpt.config().nLayer(); }
        @Override public String blockPath(int i) { return "transformer.h." + i; }
        @Override public String kind() { return "gpt"; }
        @Override public Pooling defaultPooling() { return Pooling.LAST; }

        @Override
        public List<String> sublayerOutputPaths() {
            List<String> out = new java.util.ArrayList<>();
            for (int i = 0; i < numBlocks(); i++) {
                out.add(blockPath(i) + ".attn.c_proj");
                out.add(blockPath(i) + ".mlp.c_proj");
            }
            return out;
        }

    }

    /** A BERT encoder (its MLM head stays in the module but is not used by task heads). */
    record BertBackbone(Bert bert) implements Backbone {
        @Override public Tensor hiddenStates(IntTensor ids, IntTensor attentionMask) {
            return bert.forward(ids, null, attentionMask).lastHiddenState();
        }
        @Override public Module module() { return bert; }
        @Override public SublayerHost block(int i) { return bert.layer(i); }
        @Override public void setGradientCheckpointing(boolean on) { bert.setGradientCheckpointing(on); }
        @Override public int hiddenSize() { return bert.config().hiddenSize(); }
        @Override public int maxLength() { return bert.config().maxPositionEmbeddings(); }
        @Override public int numBlocks() { return bert.config().numHiddenLayers(); }
        @Override public String blockPath(int i) { return "bert.encoder.layer." + i; }
        @Override public String kind() { return "bert"; }
        @Override public Pooling defaultPooling() { return Pooling.CLS; }

        @Override
        public List<String> sublayerOutputPaths() {
            List<String> out = new java.util.ArrayList<>();
            for (int i = 0; i < numBlocks(); i++) {
                out.add(blockPath(i) + ".attention.output.dense");
                out.add(blockPath(i) + ".output.dense");
            }
            return out;
        }

    }
}
