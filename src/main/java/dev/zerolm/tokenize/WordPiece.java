package dev.zerolm.tokenize;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * BERT's tokenizer: {@link BertBasicTokenizer} splits text into words, then each word is cut greedily into the
 * longest vocabulary pieces from its start, pieces after the first carrying the "##" prefix
 * ("unaffable" -> un ##aff ##able). A word that cannot be cut that way, or is longer than 100 characters,
 * becomes [UNK]. Special tokens written in the text ("the [MASK] sat") stay whole, matched case-sensitively
 * before normalisation, as Hugging Face does.
 * <p>Reads Hugging Face BERT tokenizer directories (vocab.txt and/or tokenizer.json, with tokenizer_config.json)
 * and writes vocab.txt + tokenizer_config.json, which Hugging Face's BertTokenizer reads back.
 */
public final class WordPiece implements Tokenizer {

    public static final String KIND = "wordpiece";
    public static final String VOCAB_FILE = "vocab.txt";
    public static final String TOKENIZER_JSON = "tokenizer.json";
    public static final String TOKENIZER_CONFIG = "tokenizer_config.json";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String[] tokens;             // id -> token
    private final Map<String, Integer> ids;    // token -> id (a repeated line keeps its last id, as Hugging Face does)
    private final WordPieceConfig config;
    private final BertBasicTokenizer basic;
    private final List<String> specialTokens;  // matched whole in text, longest first
    private final boolean[] isSpecial;         // by id
    private final int unkId, clsId, sepId, padId, maskId;

    /**
     * @param vocab          token strings by id
     * @param extraSpecials  special tokens besides the config's five (all must be in the vocabulary)
     * @param source         where the vocabulary came from, named in error messages
     */
    private WordPiece(List<String> vocab, WordPieceConfig config, Collection<String> extraSpecials, String source) {
        if (vocab.isEmpty()) throw new IllegalArgumentException(source + ": the vocabulary is empty");
        this.tokens = vocab.toArray(String[]::new);
        this.ids = new HashMap<>(tokens.length * 2);
        for (int id = 0; id < tokens.length; id++) {
            if (tokens[id] == null) throw new IllegalArgumentException(source + ": no token has id " + id);
            ids.put(tokens[id], id);
        }
        this.config = config;
        this.basic = config.basicTokenizer();
        this.unkId = requireToken(config.unkToken(), "unk", source);
        this.clsId = requireToken(config.clsToken(), "cls", source);
        this.sepId = requireToken(config.sepToken(), "sep", source);
        this.padId = requireToken(config.padToken(), "pad", source);
        this.maskId = requireToken(config.maskToken(), "mask", source);
        Set<String> specials = new LinkedHashSet<>(List.of(config.unkToken(), config.clsToken(), config.sepToken(),
                config.padToken(), config.maskToken()));
        for (String s : extraSpecials) {
            requireToken(s, "additional special", source);
            specials.add(s);
        }
        this.isSpecial = new boolean[tokens.length];
        for (String s : specials) isSpecial[ids.get(s)] = true;
        List<String> byLength = new ArrayList<>(specials);
        byLength.removeIf(String::isEmpty);
        byLength.sort((a, b) -> b.length() - a.length());
        this.specialTokens = List.copyOf(byLength);
    }

    private int requireToken(String token, String role, String source) {
        Integer id = ids.get(token);
        if (id == null) {
            throw new IllegalArgumentException(source + ": the " + role + " token \"" + token + "\" is not in the vocabulary of "
                    + tokens.length + " tokens");
        }
        return id;
    }

    /** A tokenizer over the given vocabulary (id = list index). */
    public static WordPiece fromVocab(List<String> vocab, WordPieceConfig config) {
        return new WordPiece(vocab, config, List.of(), "WordPiece");
    }

    /** Reads vocab.txt: one token per line, id = line number (0-based). */
    public static List<String> readVocab(Path vocabTxt) throws IOException {
        String text = Files.readString(vocabTxt, StandardCharsets.UTF_8);
        List<String> vocab = new ArrayList<>(Arrays.asList(text.split("\n", -1)));
        if (!vocab.isEmpty() && vocab.getLast().isEmpty()) vocab.removeLast(); // the newline ending the last line
        return vocab;
    }

    /**
     * Reads a Hugging Face BERT tokenizer directory. The vocabulary and normaliser come from tokenizer.json when it
     * holds a WordPiece model, else from vocab.txt (defaults: uncased, as BertTokenizer's). tokenizer_config.json,
     * when present, overrides do_lower_case, strip_accents, tokenize_chinese_chars and the special token strings,
     * as Hugging Face's BertTokenizerFast does.
     */
    public static WordPiece load(Path dir) throws IOException {
        Path tokenizerJson = dir.resolve(TOKENIZER_JSON), vocabTxt = dir.resolve(VOCAB_FILE);
        Path configFile = dir.resolve(TOKENIZER_CONFIG);
        JsonNode settings = Files.isRegularFile(configFile) ? JSON.readTree(configFile.toFile()) : JSON.createObjectNode();
        WordPieceConfig config = WordPieceConfig.uncased();
        List<String> vocab;
        List<String> extraSpecials = new ArrayList<>();
        String source;
        JsonNode root = Files.isRegularFile(tokenizerJson) ? JSON.readTree(tokenizerJson.toFile()) : null;
        if (root != null && "WordPiece".equals(root.path("model").path("type").asText())) {
            source = tokenizerJson.toString();
            vocab = vocabFromMap(root.path("model").path("vocab"), source);
            config = fromTokenizerJson(root, config, source);
            for (JsonNode added : root.path("added_tokens")) {
                if (added.path("special").asBoolean(false)) extraSpecials.add(added.path("content").asText());
            }
        } else if (Files.isRegularFile(vocabTxt)) {
            source = vocabTxt.toString();
            vocab = readVocab(vocabTxt);
        } else {
            throw new IOException("WordPiece.load: " + dir + " has neither " + VOCAB_FILE + " nor a " + TOKENIZER_JSON
                    + " with a WordPiece model");
        }
        config = withTokenizerConfig(config, settings);
        Path own = dir.resolve(CONFIG_FILE);
        if (Files.isRegularFile(own)) {
            JsonNode node = JSON.readTree(own.toFile());
            config = config.withContinuingPrefix(node.path("continuing_subword_prefix").asText(config.continuingPrefix()))
                    .withMaxInputCharsPerWord(node.path("max_input_chars_per_word").asInt(config.maxInputCharsPerWord()));
        }
        for (JsonNode extra : settings.path("additional_special_tokens")) extraSpecials.add(tokenString(extra));
        try {
            return new WordPiece(vocab, config, extraSpecials, source);
        } catch (IllegalArgumentException e) {
            throw new IOException("WordPiece.load: " + e.getMessage(), e);
        }
    }

    /** tokenizer.json's model.vocab {token: id}, as a list by id; ids must cover 0..n-1. */
    private static List<String> vocabFromMap(JsonNode map, String source) throws IOException {
        if (!map.isObject() || map.isEmpty()) throw new IOException(source + ": model.vocab is missing or empty");
        String[] byId = new String[map.size()];
        for (var field : (Iterable<Map.Entry<String, JsonNode>>) map::fields) {
            int id = field.getValue().asInt(-1);
            if (id < 0 || id >= byId.length || byId[id] != null) {
                throw new IOException(source + ": model.vocab gives \"" + field.getKey() + "\" the id " + field.getValue()
                        + ", but the " + byId.length + " ids must be distinct and in [0, " + byId.length + ")");
            }
            byId[id] = field.getKey();
        }
        return Arrays.asList(byId);
    }

    /** The model's unk token, prefix and word limit, and the BertNormalizer flags (null strip_accents follows lowercase). */
    private static WordPieceConfig fromTokenizerJson(JsonNode root, WordPieceConfig config, String source) throws IOException {
        JsonNode model = root.path("model");
        config = config.withMaxInputCharsPerWord(model.path("max_input_chars_per_word").asInt(config.maxInputCharsPerWord()))
                .withContinuingPrefix(model.path("continuing_subword_prefix").asText(config.continuingPrefix()));
        config = config.withSpecialTokens(model.path("unk_token").asText(config.unkToken()), config.clsToken(),
                config.sepToken(), config.padToken(), config.maskToken());
        JsonNode normalizer = root.path("normalizer");
        if (normalizer.isMissingNode() || normalizer.isNull()) return config.withNormalization(false, false, false);
        if (!"BertNormalizer".equals(normalizer.path("type").asText())) {
            throw new IOException(source + ": normalizer type '" + normalizer.path("type").asText()
                    + "' is not supported (only BertNormalizer)");
        }
        boolean lowercase = normalizer.path("lowercase").asBoolean(true);
        JsonNode strip = normalizer.path("strip_accents");
        return config.withNormalization(lowercase, strip.isBoolean() ? strip.asBoolean() : lowercase,
                normalizer.path("handle_chinese_chars").asBoolean(true));
    }

    /** Applies tokenizer_config.json's keys where present. */
    private static WordPieceConfig withTokenizerConfig(WordPieceConfig config, JsonNode settings) {
        boolean lowercase = settings.path("do_lower_case").asBoolean(config.lowercase());
        JsonNode strip = settings.path("strip_accents");
        boolean stripAccents = strip.isBoolean() ? strip.asBoolean()
                : settings.has("do_lower_case") ? lowercase : config.stripAccents();
        boolean chinese = settings.path("tokenize_chinese_chars").asBoolean(config.handleChineseChars());
        return config.withNormalization(lowercase, stripAccents, chinese).withSpecialTokens(
                special(settings, "unk_token", config.unkToken()), special(settings, "cls_token", config.clsToken()),
                special(settings, "sep_token", config.sepToken()), special(settings, "pad_token", config.padToken()),
                special(settings, "mask_token", config.maskToken()));
    }

    private static String special(JsonNode settings, String key, String fallback) {
        JsonNode node = settings.path(key);
        return node.isMissingNode() || node.isNull() ? fallback : tokenString(node);
    }

    /** A special token is written as a string or as {"content": "...", ...} (Hugging Face's AddedToken). */
    private static String tokenString(JsonNode node) {
        return node.isObject() ? node.path("content").asText() : node.asText();
    }

    // ---------------------------------------------------------------- encoding

    /** Token ids of the text, without [CLS] or [SEP]. Never fails: what the vocabulary lacks becomes [UNK]. */
    @Override
    public int[] encode(String text) {
        List<String> pieces = tokenize(text);
        int[] out = new int[pieces.size()];
        for (int i = 0; i < out.length; i++) out[i] = ids.get(pieces.get(i));
        return out;
    }

    /** The token strings of the text ("un", "##aff", "##able"), without [CLS] or [SEP]. */
    public List<String> tokenize(String text) {
        List<String> out = new ArrayList<>();
        splitWords(text, (word, special) -> {
            if (special) out.add(word);
            else wordPieces(word, out);
        });
        return out;
    }

    /** Receives each word of the text in order, and whether it is a special token that stays whole. */
    interface WordSink {
        void accept(String word, boolean special);
    }

    /** Cuts out special tokens written in the text, and runs the basic tokenizer on the text between them. */
    void splitWords(String text, WordSink sink) {
        int at = 0;
        while (at < text.length()) {
            int nextSpecial = text.length();
            String special = null;
            for (String s : specialTokens) {                  // longest first, so the first hit wins a tie
                int i = text.indexOf(s, at);
                if (i >= 0 && i < nextSpecial) {
                    nextSpecial = i;
                    special = s;
                }
            }
            for (String word : basic.tokenize(text.substring(at, nextSpecial))) sink.accept(word, false);
            if (special == null) break;
            sink.accept(special, true);
            at = nextSpecial + special.length();
        }
    }

    /** Greedy longest-match-first: appends the pieces of one word, or [UNK] if it cannot be cut into known pieces. */
    private void wordPieces(String word, List<String> out) {
        int[] cps = word.codePoints().toArray();
        if (cps.length > config.maxInputCharsPerWord()) {
            out.add(config.unkToken());
            return;
        }
        int mark = out.size();
        for (int start = 0; start < cps.length; ) {
            String found = null;
            int end = cps.length;
            for (; end > start; end--) {
                String piece = new String(cps, start, end - start);
                if (start > 0) piece = config.continuingPrefix() + piece;
                if (ids.containsKey(piece)) {
                    found = piece;
                    break;
                }
            }
            if (found == null) {
                out.subList(mark, out.size()).clear();
                out.add(config.unkToken());
                return;
            }
            out.add(found);
            start = end;
        }
    }

    /** [CLS] text [SEP], all of token type 0. */
    public Encoding encodeForModel(String text) {
        return encodeForModel(text, Integer.MAX_VALUE);
    }

    /** [CLS] text [SEP], the text's tokens cut so the whole is at most maxLength (>= 2) long. */
    public Encoding encodeForModel(String text, int maxLength) {
        if (maxLength < 2) throw new IllegalArgumentException("encodeForModel: maxLength " + maxLength + " leaves no room for [CLS] and [SEP]");
        int[] a = encode(text);
        a = Arrays.copyOf(a, Math.min(a.length, maxLength - 2));
        return build(a, null);
    }

    /** [CLS] first [SEP] second [SEP], the first part token type 0 and the second (with its [SEP]) type 1. */
    public Encoding encodePair(String first, String second) {
        return encodePair(first, second, Integer.MAX_VALUE);
    }

    /**
     * Like {@link #encodePair(String, String)}, at most maxLength (>= 3) long: tokens are dropped one at a time from
     * the end of whichever part is longer (the second on a tie), Hugging Face's "longest_first" truncation.
     */
    public Encoding encodePair(String first, String second, int maxLength) {
        if (maxLength < 3) throw new IllegalArgumentException("encodePair: maxLength " + maxLength + " leaves no room for [CLS] and two [SEP]");
        int[] a = encode(first), b = encode(second);
        int la = a.length, lb = b.length;
        while (la + lb > maxLength - 3) {
            if (la > lb) la--;
            else lb--;
        }
        return build(Arrays.copyOf(a, la), Arrays.copyOf(b, lb));
    }

    private Encoding build(int[] a, int[] b) {
        int n = 2 + a.length + (b == null ? 0 : b.length + 1);
        int[] out = new int[n], types = new int[n], mask = new int[n];
        Arrays.fill(mask, 1);
        int i = 0;
        out[i++] = clsId;
        for (int id : a) out[i++] = id;
        out[i++] = sepId;
        if (b != null) {
            int secondStart = i;
            for (int id : b) out[i++] = id;
            out[i++] = sepId;
            Arrays.fill(types, secondStart, n, 1);
        }
        return new Encoding(out, types, mask);
    }

    /** Right-pads encodings to the longest with [PAD] (mask 0). */
    public Encoding.Batch pad(List<Encoding> encodings) {
        return Encoding.pad(encodings, padId);
    }

    // ---------------------------------------------------------------- decoding

    /** The tokens joined by spaces with "##" pieces glued to the previous one; special tokens are kept. */
    @Override
    public String decode(int[] ids) {
        return decode(ids, false);
    }

    /** Like {@link #decode(int[])}; skipSpecialTokens leaves out [CLS], [SEP], [PAD], ... */
    public String decode(int[] ids, boolean skipSpecialTokens) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < ids.length; i++) {
            String token = token(ids[i], i);
            if (skipSpecialTokens && isSpecial[ids[i]]) continue;
            if (token.startsWith(config.continuingPrefix()) && !sb.isEmpty()) {
                sb.append(token, config.continuingPrefix().length(), token.length());
            } else {
                if (!sb.isEmpty()) sb.append(' ');
                sb.append(token);
            }
        }
        return sb.toString();
    }

    private String token(int id, int position) {
        if (id < 0 || id >= tokens.length) {
            throw new IllegalArgumentException("WordPiece.decode: id " + id + " at position " + position
                    + " is outside the vocabulary [0, " + tokens.length + ")");
        }
        return tokens[id];
    }

    // ---------------------------------------------------------------- vocabulary

    @Override
    public int vocabSize() {
        return tokens.length;
    }

    /** The token with this id. */
    public String tokenString(int id) {
        return token(id, 0);
    }

    /** The id of a token string, or -1 when it is not in the vocabulary. */
    public int idOf(String token) {
        return ids.getOrDefault(token, -1);
    }

    public int unkId() { return unkId; }
    public int clsId() { return clsId; }
    public int sepId() { return sepId; }
    public int padId() { return padId; }
    public int maskId() { return maskId; }

    public boolean isSpecial(int id) {
        return id >= 0 && id < isSpecial.length && isSpecial[id];
    }

    public WordPieceConfig config() {
        return config;
    }

    @Override
    public String kind() {
        return KIND;
    }

    // ---------------------------------------------------------------- saving

    /**
     * Writes vocab.txt and tokenizer_config.json (Hugging Face's BertTokenizer reads both), and zerolm_tokenizer.json
     * with the kind, the continuation prefix and the word length limit.
     */
    @Override
    public void save(Path dir) throws IOException {
        Files.createDirectories(dir);
        StringBuilder vocab = new StringBuilder();
        for (String t : tokens) vocab.append(t).append('\n');
        Files.writeString(dir.resolve(VOCAB_FILE), vocab, StandardCharsets.UTF_8);
        ObjectNode settings = JSON.createObjectNode();
        settings.put("tokenizer_class", "BertTokenizer");
        settings.put("do_lower_case", config.lowercase());
        settings.put("strip_accents", config.stripAccents());
        settings.put("tokenize_chinese_chars", config.handleChineseChars());
        settings.put("unk_token", config.unkToken());
        settings.put("sep_token", config.sepToken());
        settings.put("pad_token", config.padToken());
        settings.put("cls_token", config.clsToken());
        settings.put("mask_token", config.maskToken());
        var additional = settings.putArray("additional_special_tokens");
        Set<String> five = Set.of(config.unkToken(), config.clsToken(), config.sepToken(), config.padToken(), config.maskToken());
        for (String s : specialTokens) if (!five.contains(s)) additional.add(s);
        JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve(TOKENIZER_CONFIG).toFile(), settings);
        ObjectNode own = JSON.createObjectNode();                    // what tokenizer_config.json has no key for
        own.put("kind", KIND);
        own.put("continuing_subword_prefix", config.continuingPrefix());
        own.put("max_input_chars_per_word", config.maxInputCharsPerWord());
        JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve(CONFIG_FILE).toFile(), own);
    }
}
