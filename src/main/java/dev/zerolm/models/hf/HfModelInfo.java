package dev.zerolm.models.hf;

import dev.zerolm.io.DType;
import dev.zerolm.io.Safetensors;
import dev.zerolm.io.TensorInfo;
import dev.zerolm.models.BertConfig;
import dev.zerolm.models.GPTConfig;
import dev.zerolm.models.LlamaConfig;
import dev.zerolm.tokenize.ByteLevelBpe;
import dev.zerolm.tokenize.Tokenizer;
import dev.zerolm.tokenize.WordPiece;

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
            case "bert" -> {
                BertConfig b = BertConfig.fromJson(c.file());
                config = "vocab " + b.vocabSize() + ", context " + b.maxPositionEmbeddings() + ", " + b.numHiddenLayers()
                        + " layers, " + b.numAttentionHeads() + " heads, width " + b.hiddenSize() + ", MLP "
                        + b.intermediateSize() + ", " + b.hiddenAct() + ", " + b.typeVocabSize() + " token types, post-LayerNorm eps "
                        + b.layerNormEps() + ", MLM decoder tied to the word embeddings";
                tied = true;
            }
            default -> throw new IOException(c.file() + ": model_type '" + type + "' is not supported (supported: "
                    + String.join(", ", HfModel.MODEL_TYPES) + ", bert)");
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
        return new HfModelInfo(dir, type, c.architecture(), parameters, byType, bytes, config,
                type.equals("bert") ? describeWordPiece(dir) : describeTokenizer(dir));
    }

    /** Tensors that checkpoints carry but that are not learned: causal masks, rotary frequencies, BERT's position ids. */
    private static boolean isBuffer(String name) {
        return name.endsWith(".attn.bias") || name.endsWith(".attn.masked_bias") || name.endsWith(".rotary_emb.inv_freq")
                || name.endsWith("embeddings.position_ids");
    }

    private static String describeWordPiece(Path dir) throws IOException {
        if (!java.nio.file.Files.isRegularFile(dir.resolve(WordPiece.VOCAB_FILE))
                && !java.nio.file.Files.isRegularFile(dir.resolve(WordPiece.TOKENIZER_JSON))) return "none";
        WordPiece wp = WordPiece.load(dir);
        return "WordPiece, " + wp.vocabSize() + " tokens, " + (wp.config().lowercase() ? "lower-cased" : "cased");
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
