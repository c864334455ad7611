package dev.zerolm.models.hf;

import dev.zerolm.io.DType;
import dev.zerolm.io.Safetensors;
import dev.zerolm.io.TensorInfo;
import dev.zerolm.models.GPTConfig;
import dev.zerolm.models.LlamaConfig;
import dev.zerolm.tokenize.ByteLevelBpe;
import dev.zerolm.tokenize.Tokenizer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a Hugging Face model directory holds, read from config.json, the safetensors headers and the tokenizer
 * files without loading any weight: for `zerolm info`.
 *
 * @param parameters    elements of the stored parameters (buffers such as GPT-2's attn.bias and a tied lm_head left out)
 * @param tensorsByType how many stored tensors have each dtype
 * @param bytes         bytes of tensor data on disk
 * @param config        one line: the shape the config gives
 * @param tokenizer     one line: the tokenizer, or "none"
 */
public record HfModelInfo(Path dir, String modelType, String architecture, long parameters,
                          Map<DType, Integer> tensorsByType, long bytes, String config, String tokenizer) {

    public static HfModelInfo read(Path dir) throws IOException {
        HfConfig c = HfConfig.read(dir);
        String type = c.modelType();
        String config;
        boolean tied;
        switch (type) {
            case HuggingFaceGpt2.MODEL_TYPE -> {
                GPTConfig g = HuggingFaceGpt2.readConfig(c);
                config = "vocab " + g.vocabSize() + ", context " + g.blockSize() + ", " + g.nLayer() + " layers, "
                        + g.nHead() + " heads, width " + g.nEmbd() + ", " + g.activation() + ", LayerNorm eps " + g.normEps()
                        + ", tied lm_head";
                tied = true;
            }
            case HuggingFaceLlama.MODEL_TYPE -> {
                LlamaConfig l = HuggingFaceLlama.readConfig(c);
                config = "vocab " + l.vocabSize() + ", context " + l.maxPositionEmbeddings() + ", " + l.numLayers()
                        + " layers, " + l.numHeads() + " heads (" + l.numKeyValueHeads() + " key/value, head dim "
                        + l.headDim() + "), width " + l.hiddenSize() + ", MLP " + l.intermediateSize() + ", rope theta "
                        + l.ropeTheta() + ", RMSNorm eps " + l.rmsNormEps() + (l.tieWordEmbeddings() ? ", tied" : ", untied")
                        + " lm_head";
                tied = l.tieWordEmbeddings();
            }
            default -> throw new IOException(c.file() + ": model_type '" + type + "' is not supported (supported: "
                    + String.join(", ", HfModel.MODEL_TYPES) + ")");
        }
        long parameters = 0, bytes = 0;
        Map<DType, Integer> byType = new TreeMap<>();
        try (Safetensors st = Safetensors.open(dir)) {
            for (String name : st.names()) {
                TensorInfo info = st.info(name);
                byType.merge(info.dtype(), 1, Integer::sum);
                bytes += info.byteSize();
                if (!isBuffer(name) && !(tied && name.equals("lm_head.weight"))) parameters += info.numel();
            }
        }
        return new HfModelInfo(dir, type, c.architecture(), parameters, byType, bytes, config, describeTokenizer(dir));
    }

    /** Tensors that checkpoints carry but that are not learned: causal masks and rotary frequencies. */
    private static boolean isBuffer(String name) {
        return name.endsWith(".attn.bias") || name.endsWith(".attn.masked_bias") || name.endsWith(".rotary_emb.inv_freq");
    }

    private static String describeTokenizer(Path dir) throws IOException {
        if (!HfTokenizers.present(dir)) return "none";
        Tokenizer t = HfTokenizers.load(dir);
        if (t instanceof ByteLevelBpe bpe) {
            return "byte-level BPE, " + bpe.vocabSize() + " tokens, " + bpe.mergeCount() + " merges"
                    + (bpe.bosId().isPresent() ? ", BOS " + bpe.tokenString(bpe.bosId().getAsInt()) : "");
        }
        return t.kind() + ", " + t.vocabSize() + " tokens";
    }
}
