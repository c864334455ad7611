package dev.zerolm.tokenize;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.zerolm.io.AtomicFiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Byte-level BPE as in GPT-2: text is split into pieces by GPT-2's regex, each piece's UTF-8 bytes start as
 * one token per byte, and adjacent tokens are merged by rank until no ranked pair is left. Reads and writes
 * GPT-2's own files (encoder.json: token string to id, vocab.bpe: merges in rank order), so
 * {@code load(gpt2-bpe dir)} gives exactly GPT-2's tokenizer and {@link #train(String, int)} gives a new one.
 * Like GPT-2's encoder.py, special tokens such as "&lt;|endoftext|&gt;" in the input text are encoded as
 * plain text; use {@link #endOfTextId()} to insert the separator id. A tokenizer read from a Hugging Face
 * tokenizer.json ({@link BpeTokenizerJson}) follows that file instead: its pre-tokenizer regex, and added tokens
 * matched whole in the text.
 */
public final class ByteLevelBpe implements Tokenizer {

    public static final String KIND = "byte-bpe";
    public static final String ENCODER_FILE = "encoder.json";
    public static final String MERGES_FILE = "vocab.bpe";
    public static final String END_OF_TEXT = "<|endoftext|>";

    private static final int CACHE_LIMIT = 1 << 20; // pieces; the cache is cleared when it grows past this

    private final String[] tokens;         // id -> token string in GPT-2's byte alphabet
    private final byte[][] tokenBytes;     // id -> the bytes the token stands for
    private final Map<String, Integer> ids; // token string -> id
    private final int[] byteToId = new int[256];
    private final int[] mergeLeft, mergeRight, mergeResult; // by rank
    private final PairRankMap rankOfPair;
    private final Map<String, int[]> pieceCache = new ConcurrentHashMap<>();
    private final BpeOptions options;
    private final boolean[] isAdded;        // id -> whether it is an added token, matched whole in the text
    private final Pattern addedTokenPattern; // null when there are no added tokens

    /**
     * @param tokens token strings by id (every id in [0, tokens.length) present)
     * @param merges pairs of token strings, in rank order
     * @param source where they came from, named in error messages
     */
    ByteLevelBpe(String[] tokens, List<String[]> merges, String source) {
        this(tokens, merges, BpeOptions.GPT2, source);
    }

    /** As above, splitting text as options say; added tokens stand for their UTF-8 text rather than GPT-2's alphabet. */
    ByteLevelBpe(String[] tokens, List<String[]> merges, BpeOptions options, String source) {
        this.tokens = tokens;
        this.options = options;
        this.isAdded = new boolean[tokens.length];
        this.addedTokenPattern = options.addedTokenPattern();
        this.tokenBytes = new byte[tokens.length][];
        this.ids = new LinkedHashMap<>(tokens.length * 2);
        for (int id = 0; id < tokens.length; id++) {
            String token = tokens[id];
            if (token == null) throw new IllegalArgumentException(source + ": no token has id " + id);
            if (ids.put(token, id) != null) {
                throw new IllegalArgumentException(source + ": token \"" + token + "\" appears twice");
            }
            isAdded[id] = options.addedTokens().contains(token);
            tokenBytes[id] = isAdded[id] ? token.getBytes(StandardCharsets.UTF_8) : tokenStringToBytes(token, id, source);
        }
        for (String added : options.addedTokens()) {
            if (!ids.containsKey(added)) throw new IllegalArgumentException(source + ": added token \"" + added + "\" has no id");
        }
        if (options.bosToken() != null && !ids.containsKey(options.bosToken())) {
            throw new IllegalArgumentException(source + ": the post-processor's first token \"" + options.bosToken()
                    + "\" is not in the vocabulary");
        }
        for (int b = 0; b < 256; b++) {
            Integer id = ids.get(String.valueOf(Gpt2ByteMap.toChar(b)));
            if (id == null) {
                throw new IllegalArgumentException(source + ": no token for the single byte 0x"
                        + Integer.toHexString(b) + " ('" + Gpt2ByteMap.toChar(b) + "')");
            }
            byteToId[b] = id;
        }
        int n = merges.size();
        mergeLeft = new int[n];
        mergeRight = new int[n];
        mergeResult = new int[n];
        rankOfPair = new PairRankMap(n);
        for (int rank = 0; rank < n; rank++) {
            String[] pair = merges.get(rank);
            mergeLeft[rank] = idOf(pair[0], rank, source);
            mergeRight[rank] = idOf(pair[1], rank, source);
            mergeResult[rank] = idOf(pair[0] + pair[1], rank, source);
            rankOfPair.put(mergeLeft[rank], mergeRight[rank], rank); // a repeated pair keeps its last rank, as in GPT-2
        }
    }

    /**
     * Reads encoder.json and vocab.bpe from the directory (GPT-2's files, or ones written by {@link #save(Path)}),
     * or its tokenizer.json when it has no encoder.json.
     */
    public static ByteLevelBpe load(Path dir) throws IOException {
        Path tokenizerJson = dir.resolve(BpeTokenizerJson.FILE);
        if (!Files.exists(dir.resolve(ENCODER_FILE)) && Files.isRegularFile(tokenizerJson)) {
            return BpeTokenizerJson.read(tokenizerJson);
        }
        return fromFiles(dir.resolve(ENCODER_FILE), dir.resolve(MERGES_FILE));
    }

    /** Reads a GPT-2 style encoder.json (token string -> id) and vocab.bpe (one "left right" merge per line). */
    public static ByteLevelBpe fromFiles(Path encoderJson, Path vocabBpe) throws IOException {
        Map<String, Integer> encoder = new ObjectMapper().readValue(encoderJson.toFile(), new TypeReference<LinkedHashMap<String, Integer>>() {});
        String[] tokens = new String[encoder.size()];
        for (Map.Entry<String, Integer> e : encoder.entrySet()) {
            int id = e.getValue();
            if (id < 0 || id >= tokens.length) {
                throw new IOException(encoderJson + ": id " + id + " of \"" + e.getKey() + "\" is outside [0, "
                        + tokens.length + "); ids must be 0..n-1");
            }
            if (tokens[id] != null) throw new IOException(encoderJson + ": id " + id + " is used twice");
            tokens[id] = e.getKey();
        }
        List<String[]> merges = new java.util.ArrayList<>();
        List<String> lines = Files.readAllLines(vocabBpe, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isEmpty() || (i == 0 && line.startsWith("#version"))) continue;
            String[] pair = line.split(" ");
            if (pair.length != 2 || pair[0].isEmpty() || pair[1].isEmpty()) {
                throw new IOException(vocabBpe + ":" + (i + 1) + ": expected \"left right\", got \"" + line + "\"");
            }
            merges.add(pair);
        }
        try {
            return new ByteLevelBpe(tokens, merges, encoderJson + " + " + vocabBpe.getFileName());
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /**
     * Learns a new byte-level BPE from a corpus: 256 byte tokens, then the most frequent adjacent pairs merged
     * one by one, then "&lt;|endoftext|&gt;" as the last id. See {@link BpeTrainer} for the details.
     */
    public static ByteLevelBpe train(String corpus, int vocabSize) {
        return BpeTrainer.train(corpus, vocabSize);
    }

    @Override
    public int[] encode(String text) {
        IntBuffer out = new IntBuffer(Math.max(16, text.length() / 3));
        if (addedTokenPattern == null) {
            encodeOrdinary(text, out);
            return out.toArray();
        }
        Matcher m = addedTokenPattern.matcher(text);   // added tokens first; the text between them as usual
        int at = 0;
        while (m.find()) {
            if (m.start() > at) encodeOrdinary(text.substring(at, m.start()), out);
            out.addAll(new int[] {ids.get(m.group())});
            at = m.end();
        }
        if (at < text.length()) encodeOrdinary(text.substring(at), out);
        return out.toArray();
    }

    /** Text without added tokens: pre-tokenize, then merge each piece. */
    private void encodeOrdinary(String text, IntBuffer out) {
        String t = options.addPrefixSpace() && !text.startsWith(" ") ? " " + text : text;
        options.split(t, (start, end) -> out.addAll(pieceIds(t, start, end)));
    }

    @Override
    public String decode(int[] ids) {
        int length = 0;
        for (int i = 0; i < ids.length; i++) {
            int id = ids[i];
            if (id < 0 || id >= tokens.length) {
                throw new IllegalArgumentException("ByteLevelBpe.decode: id " + id + " at position " + i
                        + " is outside the vocabulary [0, " + tokens.length + ")");
            }
            length += tokenBytes[id].length;
        }
        byte[] bytes = new byte[length];
        int at = 0;
        for (int id : ids) {
            byte[] b = tokenBytes[id];
            System.arraycopy(b, 0, bytes, at, b.length);
            at += b.length;
        }
        return new String(bytes, StandardCharsets.UTF_8); // malformed sequences (a cut token) become U+FFFD
    }

    @Override
    public int vocabSize() {
        return tokens.length;
    }

    @Override
    public String kind() {
        return KIND;
    }

    /** Number of merges (GPT-2 has 50,000). */
    public int mergeCount() {
        return mergeLeft.length;
    }

    /** The id of "&lt;|endoftext|&gt;" (50256 in GPT-2), if the vocabulary has it. */
    public OptionalInt endOfTextId() {
        Integer id = ids.get(END_OF_TEXT);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    /**
     * The id a Hugging Face tokenizer.json's post-processor puts before every text (Llama 3's
     * "&lt;|begin_of_text|&gt;"); {@link #encode} does not add it, a caller that wants Hugging Face's ids does.
     */
    public OptionalInt bosId() {
        return options.bosToken() == null ? OptionalInt.empty() : OptionalInt.of(ids.get(options.bosToken()));
    }

    /** The token string of an id in GPT-2's byte alphabet, e.g. "Ġthe" for " the" (an added token: its text). */
    public String tokenString(int id) {
        return tokens[id];
    }

    /** The two token strings merged at a rank (0 = first merge). */
    public String[] mergePair(int rank) {
        return new String[] {tokens[mergeLeft[rank]], tokens[mergeRight[rank]]};
    }

    BpeOptions options() {
        return options;
    }

    /**
     * Writes encoder.json and vocab.bpe in GPT-2's format plus {@value Tokenizer#CONFIG_FILE}; a tokenizer read
     * from a tokenizer.json that splits text differently from GPT-2 writes a tokenizer.json instead.
     */
    @Override
    public void save(Path dir) throws IOException {
        Files.createDirectories(dir);
        ObjectMapper json = new ObjectMapper();
        ObjectNode config = json.createObjectNode();
        config.put("kind", KIND);
        if (options.isGpt2()) {
            writeVocabAndMerges(dir.resolve(ENCODER_FILE), dir.resolve(MERGES_FILE));
            config.put("encoder", ENCODER_FILE);
            config.put("merges", MERGES_FILE);
        } else {
            BpeTokenizerJson.write(this, dir.resolve(BpeTokenizerJson.FILE));
            config.put("tokenizer_json", BpeTokenizerJson.FILE);
        }
        config.put("vocab_size", tokens.length);
        json.writerWithDefaultPrettyPrinter().writeValue(dir.resolve(CONFIG_FILE).toFile(), config);
    }

    /**
     * Writes the vocabulary (token string -> id, JSON) and the merges (rank order, "#version: 0.2" first) under
     * the given names: GPT-2's encoder.json and vocab.bpe, or Hugging Face's vocab.json and merges.txt.
     */
    public void writeVocabAndMerges(Path vocabJson, Path mergesTxt) throws IOException {
        Map<String, Integer> encoder = new LinkedHashMap<>();
        for (int id = 0; id < tokens.length; id++) encoder.put(tokens[id], id);
        AtomicFiles.writeBytes(vocabJson, new ObjectMapper().writeValueAsBytes(encoder));
        StringBuilder merges = new StringBuilder("#version: 0.2\n");
        for (int rank = 0; rank < mergeLeft.length; rank++) {
            merges.append(tokens[mergeLeft[rank]]).append(' ').append(tokens[mergeRight[rank]]).append('\n');
        }
        AtomicFiles.writeString(mergesTxt, merges.toString());
    }

    /** Ids of text[start, end), one pre-tokenized piece, from the cache or by running the merges. */
    private int[] pieceIds(String text, int start, int end) {
        String piece = text.substring(start, end);
        int[] cached = pieceCache.get(piece);
        if (cached != null) return cached;
        int[] bytes = utf8ByteIds(text, start, end);
        int[] ids = options.ignoreMerges() ? wholeToken(bytes) : null;
        if (ids == null) ids = merge(bytes);
        if (pieceCache.size() >= CACHE_LIMIT) pieceCache.clear();
        pieceCache.put(piece, ids);
        return ids;
    }

    /** The one-token form of a piece given as byte ids, when the vocabulary holds the whole piece; else null. */
    private int[] wholeToken(int[] byteIds) {
        if (byteIds.length == 1) return byteIds;
        StringBuilder s = new StringBuilder(byteIds.length);
        for (int id : byteIds) s.append(tokens[id]);
        Integer id = ids.get(s.toString());
        return id == null || isAdded[id] ? null : new int[] {id};
    }

    /**
     * GPT-2's bpe(): while some adjacent pair has a rank, take the lowest-ranked pair and merge every
     * occurrence of it, left to right without overlap. Works in place on the array of ids.
     */
    int[] merge(int[] symbols) {
        int n = symbols.length;
        while (n > 1) {
            int bestRank = Integer.MAX_VALUE;
            for (int k = 0; k + 1 < n; k++) {
                int rank = rankOfPair.get(symbols[k], symbols[k + 1]);
                if (rank >= 0 && rank < bestRank) bestRank = rank;
            }
            if (bestRank == Integer.MAX_VALUE) break;
            int left = mergeLeft[bestRank], right = mergeRight[bestRank], merged = mergeResult[bestRank];
            int w = 0;
            for (int k = 0; k < n; ) {
                if (k + 1 < n && symbols[k] == left && symbols[k + 1] == right) {
                    symbols[w++] = merged;
                    k += 2;
                } else {
                    symbols[w++] = symbols[k++];
                }
            }
            n = w;
        }
        return n == symbols.length ? symbols : Arrays.copyOf(symbols, n);
    }

    /** The single-byte token ids of the UTF-8 encoding of text[start, end); a lone surrogate is an error. */
    private int[] utf8ByteIds(String text, int start, int end) {
        int[] out = new int[(end - start) * 3];
        int n = 0;
        for (int i = start; i < end; i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                out[n++] = byteToId[c];
            } else if (c < 0x800) {
                out[n++] = byteToId[0xC0 | (c >> 6)];
                out[n++] = byteToId[0x80 | (c & 0x3F)];
            } else if (Character.isSurrogate(c)) {
                if (!Character.isHighSurrogate(c) || i + 1 >= end || !Character.isLowSurrogate(text.charAt(i + 1))) {
                    throw new IllegalArgumentException("ByteLevelBpe.encode: lone surrogate U+"
                            + String.format("%04X", (int) c) + " at index " + i + " cannot be encoded as UTF-8");
                }
                int cp = Character.toCodePoint(c, text.charAt(++i));
                out[n++] = byteToId[0xF0 | (cp >> 18)];
                out[n++] = byteToId[0x80 | ((cp >> 12) & 0x3F)];
                out[n++] = byteToId[0x80 | ((cp >> 6) & 0x3F)];
                out[n++] = byteToId[0x80 | (cp & 0x3F)];
            } else {
                out[n++] = byteToId[0xE0 | (c >> 12)];
                out[n++] = byteToId[0x80 | ((c >> 6) & 0x3F)];
                out[n++] = byteToId[0x80 | (c & 0x3F)];
            }
        }
        return Arrays.copyOf(out, n);
    }

    private int idOf(String token, int rank, String source) {
        Integer id = ids.get(token);
        if (id == null) {
            throw new IllegalArgumentException(source + ": merge " + rank + " needs token \"" + token
                    + "\" which is not in the vocabulary");
        }
        return id;
    }

    private static byte[] tokenStringToBytes(String token, int id, String source) {
        byte[] bytes = new byte[token.length()];
        for (int i = 0; i < token.length(); i++) {
            int b = Gpt2ByteMap.toByte(token.charAt(i));
            if (b < 0) {
                throw new IllegalArgumentException(source + ": token \"" + token + "\" (id " + id + ") has character U+"
                        + String.format("%04X", (int) token.charAt(i)) + " outside GPT-2's byte alphabet");
            }
            bytes[i] = (byte) b;
        }
        return bytes;
    }

    /** A growable int array, so encode does not box. */
    private static final class IntBuffer {
        private int[] data;
        private int size;

        IntBuffer(int capacity) {
            data = new int[capacity];
        }

        void addAll(int[] values) {
            if (size + values.length > data.length) data = Arrays.copyOf(data, Math.max(data.length * 2, size + values.length));
            System.arraycopy(values, 0, data, size, values.length);
            size += values.length;
        }

        int[] toArray() {
            return Arrays.copyOf(data, size);
        }
    }
}
