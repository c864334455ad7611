package dev.zerolm.tokenize;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.zerolm.io.AtomicFiles;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Reads and writes the byte-level BPE form of Hugging Face's tokenizer.json, as GPT-2 and Llama 3 ship it:
 * {@code model} (type BPE, {@code vocab}: token -> id, {@code merges}: "a b" strings or [a, b] pairs),
 * {@code added_tokens}, and a pre-tokenizer that is either ByteLevel (GPT-2's regex) or a Split by a regex
 * followed by ByteLevel without its own regex (Llama 3's). SentencePiece-style BPE (Llama 2: byte fallback,
 * "▁" for spaces) and other models are refused with an error that says what the file holds.
 */
public final class BpeTokenizerJson {

    public static final String FILE = "tokenizer.json";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private BpeTokenizerJson() {}

    /** Builds the tokenizer a tokenizer.json describes. */
    public static ByteLevelBpe read(Path file) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new IOException(file + ": not valid JSON: " + e.getMessage(), e);
        }
        JsonNode model = root.path("model");
        String type = model.path("type").asText("");
        if (!type.equals("BPE")) {
            throw new IOException(file + ": model type '" + type + "' is not a byte-level BPE (supported: BPE)");
        }
        if (model.path("byte_fallback").asBoolean(false)) {
            throw new IOException(file + ": a SentencePiece-style BPE with byte_fallback (as Llama 2's) is not supported; "
                    + "only byte-level BPE (GPT-2, Llama 3)");
        }
        if (!root.path("normalizer").isNull() && !root.path("normalizer").isMissingNode()) {
            throw new IOException(file + ": normalizer '" + root.path("normalizer").path("type").asText()
                    + "' is not supported; byte-level BPE files have none");
        }
        PreTokenizer pre = preTokenizer(file, root.path("pre_tokenizer"));

        Map<String, Integer> vocab = new LinkedHashMap<>();
        model.path("vocab").fields().forEachRemaining(e -> vocab.put(e.getKey(), e.getValue().asInt(-1)));
        List<String> added = new ArrayList<>();
        for (JsonNode t : root.path("added_tokens")) {
            String content = t.path("content").asText();
            int id = t.path("id").asInt(-1);
            Integer existing = vocab.putIfAbsent(content, id);
            if (existing != null && existing != id) {
                throw new IOException(file + ": added token \"" + content + "\" has id " + id + " but the vocabulary says "
                        + existing);
            }
            added.add(content);
        }
        String[] tokens = new String[vocab.size()];
        for (var e : vocab.entrySet()) {
            int id = e.getValue();
            if (id < 0 || id >= tokens.length) {
                throw new IOException(file + ": id " + id + " of \"" + e.getKey() + "\" is outside [0, " + tokens.length
                        + "); ids must be 0..n-1");
            }
            if (tokens[id] != null) {
                throw new IOException(file + ": id " + id + " is used by both \"" + tokens[id] + "\" and \"" + e.getKey() + "\"");
            }
            tokens[id] = e.getKey();
        }
        List<String[]> merges = new ArrayList<>();
        int rank = 0;
        for (JsonNode m : model.path("merges")) {
            String[] pair = m.isArray() && m.size() == 2 ? new String[] {m.get(0).asText(), m.get(1).asText()}
                    : m.isTextual() ? m.asText().split(" ") : null;
            if (pair == null || pair.length != 2 || pair[0].isEmpty() || pair[1].isEmpty()) {
                throw new IOException(file + ": merge " + rank + " is " + m + "; expected \"left right\" or [left, right]");
            }
            merges.add(pair);
            rank++;
        }
        var options = new BpeOptions(pre.pattern, pre.addPrefixSpace, model.path("ignore_merges").asBoolean(false),
                added, firstSpecialToken(root.path("post_processor")));
        try {
            return new ByteLevelBpe(tokens, merges, options, file.toString());
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    private record PreTokenizer(Pattern pattern, boolean addPrefixSpace) {}

    /** ByteLevel (GPT-2's regex), or Sequence[Split(regex, Isolated), ByteLevel(use_regex false)] (Llama 3's). */
    private static PreTokenizer preTokenizer(Path file, JsonNode node) throws IOException {
        String type = node.path("type").asText("");
        if (type.equals("ByteLevel")) {
            if (!node.path("use_regex").asBoolean(true)) {
                throw new IOException(file + ": a ByteLevel pre-tokenizer without a regex would make the whole text one piece");
            }
            return new PreTokenizer(null, node.path("add_prefix_space").asBoolean(false));
        }
        if (type.equals("Sequence") && node.path("pretokenizers").size() == 2) {
            JsonNode split = node.path("pretokenizers").get(0), byteLevel = node.path("pretokenizers").get(1);
            if (split.path("type").asText().equals("Split") && byteLevel.path("type").asText().equals("ByteLevel")
                    && !byteLevel.path("use_regex").asBoolean(true)
                    && split.path("behavior").asText().equals("Isolated") && !split.path("invert").asBoolean(false)) {
                JsonNode pattern = split.path("pattern");
                String regex = pattern.has("Regex") ? pattern.get("Regex").asText() : Pattern.quote(pattern.path("String").asText());
                try {
                    return new PreTokenizer(Pattern.compile(regex, Pattern.UNICODE_CHARACTER_CLASS),
                            byteLevel.path("add_prefix_space").asBoolean(false));
                } catch (PatternSyntaxException e) {
                    throw new IOException(file + ": the pre-tokenizer's regex does not compile in Java: " + e.getMessage(), e);
                }
            }
        }
        throw new IOException(file + ": pre-tokenizer " + (node.isMissingNode() || node.isNull() ? "null" : node.toString())
                + " is not supported; expected ByteLevel, or Split by a regex followed by ByteLevel");
    }

    /** The special token a TemplateProcessing post-processor puts before a single text, or null. */
    private static String firstSpecialToken(JsonNode processor) {
        if (processor.path("type").asText().equals("Sequence")) {
            for (JsonNode p : processor.path("processors")) {
                String found = firstSpecialToken(p);
                if (found != null) return found;
            }
            return null;
        }
        if (!processor.path("type").asText().equals("TemplateProcessing")) return null;
        JsonNode first = processor.path("single").path(0).path("SpecialToken").path("id");
        return first.isTextual() ? first.asText() : null;
    }

    /**
     * Writes the files a Hugging Face model directory holds for this tokenizer: vocab.json + merges.txt when it
     * splits text as GPT-2 does (what GPT2Tokenizer reads), else tokenizer.json. Returns the file names written.
     */
    public static List<String> saveHuggingFaceFiles(ByteLevelBpe bpe, Path dir) throws IOException {
        if (bpe.options().isGpt2()) {
            bpe.writeVocabAndMerges(dir.resolve("vocab.json"), dir.resolve("merges.txt"));
            return List.of("vocab.json", "merges.txt");
        }
        write(bpe, dir.resolve(FILE));
        return List.of(FILE);
    }

    /** Writes the tokenizer as a tokenizer.json that Hugging Face's tokenizers library reads back to the same ids. */
    public static void write(ByteLevelBpe bpe, Path file) throws IOException {
        BpeOptions options = bpe.options();
        ObjectNode root = JSON.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        for (String content : options.addedTokens()) {
            ObjectNode t = added.addObject();
            t.put("id", idOf(bpe, content));
            t.put("content", content);
            t.put("single_word", false);
            t.put("lstrip", false);
            t.put("rstrip", false);
            t.put("normalized", false);
            t.put("special", true);
        }
        root.putNull("normalizer");
        ObjectNode byteLevel = JSON.createObjectNode();
        byteLevel.put("type", "ByteLevel");
        byteLevel.put("add_prefix_space", options.addPrefixSpace());
        byteLevel.put("trim_offsets", true);
        byteLevel.put("use_regex", options.pattern() == null);
        if (options.pattern() == null) {
            root.set("pre_tokenizer", byteLevel);
        } else {
            ObjectNode seq = root.putObject("pre_tokenizer");
            seq.put("type", "Sequence");
            ArrayNode list = seq.putArray("pretokenizers");
            ObjectNode split = list.addObject();
            split.put("type", "Split");
            split.putObject("pattern").put("Regex", options.pattern().pattern());
            split.put("behavior", "Isolated");
            split.put("invert", false);
            list.add(byteLevel);
        }
        root.set("post_processor", postProcessor(options.bosToken(), bpe));
        ObjectNode decoder = root.putObject("decoder");
        decoder.put("type", "ByteLevel");
        decoder.put("add_prefix_space", true);
        decoder.put("trim_offsets", true);
        decoder.put("use_regex", true);
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        model.putNull("unk_token");
        model.putNull("continuing_subword_prefix");
        model.putNull("end_of_word_suffix");
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        model.put("ignore_merges", options.ignoreMerges());
        ObjectNode vocab = model.putObject("vocab");
        for (int id = 0; id < bpe.vocabSize(); id++) {
            if (!options.addedTokens().contains(bpe.tokenString(id))) vocab.put(bpe.tokenString(id), id);
        }
        ArrayNode merges = model.putArray("merges");
        for (int rank = 0; rank < bpe.mergeCount(); rank++) {
            String[] pair = bpe.mergePair(rank);
            merges.addArray().add(pair[0]).add(pair[1]);
        }
        AtomicFiles.writeBytes(file, JSON.writeValueAsBytes(root));
    }

    /** ByteLevel offsets only, or a template that puts bos first (and between the texts of a pair). */
    private static JsonNode postProcessor(String bos, ByteLevelBpe bpe) {
        ObjectNode byteLevel = JSON.createObjectNode();
        byteLevel.put("type", "ByteLevel");
        byteLevel.put("add_prefix_space", true);
        byteLevel.put("trim_offsets", false);
        byteLevel.put("use_regex", true);
        if (bos == null) return byteLevel;
        ObjectNode seq = JSON.createObjectNode();
        seq.put("type", "Sequence");
        ArrayNode processors = seq.putArray("processors");
        processors.add(byteLevel);
        ObjectNode template = processors.addObject();
        template.put("type", "TemplateProcessing");
        ArrayNode single = template.putArray("single");
        single.addObject().putObject("SpecialToken").put("id", bos).put("type_id", 0);
        single.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
        ArrayNode pair = template.putArray("pair");
        pair.addObject().putObject("SpecialToken").put("id", bos).put("type_id", 0);
        pair.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
        pair.addObject().putObject("SpecialToken").put("id", bos).put("type_id", 1);
        pair.addObject().putObject("Sequence").put("id", "B").put("type_id", 1);
        ObjectNode special = template.putObject("special_tokens").putObject(bos);
        special.put("id", bos);
        special.putArray("ids").add(idOf(bpe, bos));
        special.putArray("tokens").add(bos);
        return seq;
    }

    private static int idOf(ByteLevelBpe bpe, String token) {
        for (int id = 0; id < bpe.vocabSize(); id++) if (bpe.tokenString(id).equals(token)) return id;
        throw new IllegalStateException("token \"" + token + "\" is not in the vocabulary");
    }
}
